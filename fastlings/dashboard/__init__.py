"""The live workshop dashboard: a FastAPI app, written the way the course teaches.

- `settings.py`: one pydantic-settings class, read through `Depends(get_settings)`;
- `db.py`: async SQLAlchemy 2.0 (SQLite by default, PostgreSQL with `--db-url`), `get_db`;
- `models.py`: the tables; `schemas.py`: Pydantic v2 models in and out;
- `security.py`: bearer tokens, one role per dependency, a per-learner rate limit;
- `routers/learners.py`: join and events; `routers/instructor.py`: the room's state, CSV,
  live updates (server-sent events) and the page;
- `app.py`: assembles them; `server.py`: `fastlings class dashboard`;
- `client.py`: the learner's side (`class join`, `class leave`, and the events sent after
  each run).
"""
