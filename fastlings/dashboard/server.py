"""`fastlings class dashboard`: start the room's dashboard under uvicorn.

It writes `DIR/dashboard.json` (mode 600): `url`, `instructor_token`, `join_code` and
`instructor_url` (a link that logs the instructor's browser in). A restart keeps them, so
learners who joined stay joined. It listens on 127.0.0.1 unless `--host` says otherwise.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from fastlings.dashboard.security import new_token


def prepare(state: Path, host: str, port: int, db_url: str | None) -> dict[str, Any]:
    state.mkdir(parents=True, exist_ok=True)
    info_path = state / "dashboard.json"
    old: dict[str, Any] = {}
    if info_path.is_file():
        old = json.loads(info_path.read_text(encoding="utf-8"))
    token = str(old.get("instructor_token") or new_token())
    code = str(old.get("join_code") or secrets.token_hex(4))
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only a label
    url = f"http://{shown}:{port}"
    info = {
        "url": url,
        "instructor_token": token,
        "join_code": code,
        "instructor_url": f"{url}/login?token={token}",
    }
    info_path.write_text(json.dumps(info, indent=1), encoding="utf-8")
    info_path.chmod(0o600)
    os.environ["FASTLINGS_DASHBOARD_INSTRUCTOR_TOKEN"] = token
    os.environ["FASTLINGS_DASHBOARD_JOIN_CODE"] = code
    database = db_url or f"sqlite+aiosqlite:///{(state / 'dashboard.db').resolve()}"
    os.environ["FASTLINGS_DASHBOARD_DB_URL"] = database
    return info


def serve(state: Path, host: str, port: int, db_url: str | None) -> None:
    import uvicorn

    info = prepare(state, host, port, db_url)
    print(
        f"Dashboard: {info['url']}  (instructor: open {info['instructor_url']})\n"
        f"Learners join with:\n  fastlings class join {info['url']} {info['join_code']} "
        '--name "Your Name"\n'
        f"Details in {state / 'dashboard.json'}. Ctrl-C stops.",
        flush=True,
    )
    uvicorn.run(
        "fastlings.dashboard.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level="warning",
    )
