"""Checks for chapter 20, exercise 3: the engine is created at start-up and disposed at shutdown.

These checks do not override `get_db`: the app's own engine is what is observed. The `spy`
fixture (conftest.py) records the engines and clients the learner's file creates, and counts
each engine's open database connections through SQLAlchemy's pool events.
"""

from types import ModuleType

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from checks.ch20_settings_lifespan.conftest import RatesService, Spy
from fastlings.testing import ClientFactory, Teach, require

ORDER = {"item": "tea \\ pot", "amount": 10.0, "currency": "EUR"}


async def place_order(client: AsyncClient, teach: Teach) -> Response:
    response = await client.post("/orders", json=ORDER)
    body = response.json() if response.status_code == 201 else {}
    assert response.status_code == 201 and body.get("amount_eur") == 20.0, teach(
        f"POST /orders {ORDER} answered {response.status_code} {response.text[:200]}.",
        "201 with the stored order (amount_eur 20.0 at the service's rate of 0.5)",
    )
    return response


async def stored_items(url_or_engine: str | AsyncEngine) -> list[str]:
    engine = create_async_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        async with engine.connect() as conn:
            if not await conn.run_sync(lambda sync: inspect(sync).has_table("orders")):
                return []
            return list((await conn.scalars(text("SELECT item FROM orders"))).all())
    finally:
        if isinstance(url_or_engine, str):
            await engine.dispose()


async def test_orders_are_stored(
    rates_service: RatesService,
    app_module: ModuleType,
    make_client: ClientFactory,
    engine: AsyncEngine,
    teach: Teach,
) -> None:
    async with make_client(app_module.app) as client:
        await place_order(client, teach)
    items = await stored_items(engine)
    assert items == [ORDER["item"]], teach(
        f"After one POST /orders, the database at DATABASE_URL holds the orders {items}.",
        f"[{ORDER['item']!r}]",
    )


async def test_nothing_is_created_at_import(
    rates_service: RatesService, app_module: ModuleType, spy: Spy, teach: Teach
) -> None:
    made = spy.of("engine", "import") + spy.of("client", "import")
    made += spy.of("settings", "import")
    found = ", ".join(f"{c.kind} at line {c.line}" for c in made)
    assert not made, teach(
        f"Importing the module created: {found}. Each import connects to whatever "
        "DATABASE_URL said at that moment, and nothing will dispose of it.",
        "the import creates nothing: the lifespan builds the engine and the client at "
        "start-up, from get_settings()",
    )


async def test_database_url_is_read_at_startup(
    rates_service: RatesService,
    app_module: ModuleType,
    other_db_url: str,
    make_client: ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
    teach: Teach,
    lesson: str,
) -> None:
    get_settings = require(app_module, "get_settings", "a `get_settings()` function", lesson)
    monkeypatch.setenv("DATABASE_URL", other_db_url)
    cache_clear = getattr(get_settings, "cache_clear", None)
    if cache_clear is not None:
        cache_clear()
    async with make_client(app_module.app) as client:
        await place_order(client, teach)
    items = await stored_items(other_db_url)
    assert items == [ORDER["item"]], teach(
        "After the import, the check pointed DATABASE_URL at a second, empty database "
        f"(and cleared get_settings' cache), then started the app and placed an order. The "
        f"second database holds the orders {items}: the app wrote where DATABASE_URL pointed "
        "when the module was imported.",
        "the engine is created in the lifespan from get_settings().database_url, so the app "
        "uses the database configured when it starts",
    )


async def test_engine_is_disposed_at_shutdown(
    rates_service: RatesService,
    app_module: ModuleType,
    spy: Spy,
    make_client: ClientFactory,
    teach: Teach,
) -> None:
    async with make_client(app_module.app) as client:
        await place_order(client, teach)
        await place_order(client, teach)
    engines = spy.of("engine")
    assert engines, teach(
        "The app placed two orders, and the check saw no AsyncEngine created by the module.",
        "an engine created with create_async_engine(get_settings().database_url)",
    )
    still_open = {
        c.line: spy.open_connections[id(c.obj)]
        for c in engines
        if spy.open_connections[id(c.obj)] > 0
    }
    assert not still_open, teach(
        "After the app's lifespan ended, database connections were still open: "
        + ", ".join(f"{n} from the engine created at line {line}" for line, n in still_open.items())
        + ". The pool keeps them until someone disposes of the engine.",
        "`await engine.dispose()` after `yield` in the lifespan (in a `finally:`)",
    )
    clients = spy.of("client")
    assert all(c.obj.is_closed for c in clients), teach(
        "After the app's lifespan ended, its httpx.AsyncClient was still open.",
        "the lifespan still closes the client (as in exercise 2)",
    )
