"""Checks for chapter 20, exercise 1: settings read through `Depends(get_settings)`.

Two checks hand the app two different `Settings` through `app.dependency_overrides` and watch
the behaviour change; one sets an environment variable after the module was imported and asks
`get_settings` again (after `get_settings.cache_clear()` when it is cached).
"""

from types import ModuleType

import pytest
from httpx import Response

from checks.ch20_settings_lifespan.conftest import Spy
from fastlings.testing import ClientFactory, Teach, require

ORDER = {"item": "tea", "quantity": 2}


def settings_class(module: ModuleType, lesson: str) -> type:
    return require(module, "Settings", "the pydantic-settings class `Settings`", lesson)  # type: ignore[no-any-return]


def shown(response: Response) -> str:
    return f"{response.status_code} {response.text[:200]}"


async def test_default_settings_take_orders(
    module: ModuleType, make_client: ClientFactory, teach: Teach
) -> None:
    async with make_client(module.app) as client:
        response = await client.post("/orders", json=ORDER)
    assert response.status_code == 201, teach(
        f"POST /orders with the default settings answered {shown(response)}.",
        "201 with the order: maintenance mode is off by default",
    )


async def test_override_turns_maintenance_on(
    module: ModuleType, make_client: ClientFactory, teach: Teach, lesson: str
) -> None:
    get_settings = require(module, "get_settings", "a `get_settings()` dependency", lesson)
    test_settings = settings_class(module, lesson)(maintenance_mode=True)
    module.app.dependency_overrides[get_settings] = lambda: test_settings
    async with make_client(module.app) as client:
        response = await client.post("/orders", json=ORDER)
    assert response.status_code == 503, teach(
        "With app.dependency_overrides[get_settings] returning "
        f"Settings(maintenance_mode=True), POST /orders answered {shown(response)}: the "
        "override did not reach the endpoint, which reads settings that were not asked for "
        "through Depends(get_settings).",
        "503 Down for maintenance: the endpoint takes `settings: Annotated[Settings, "
        "Depends(get_settings)]` and reads that",
    )


async def test_override_renames_the_shop(
    module: ModuleType, make_client: ClientFactory, teach: Teach, lesson: str
) -> None:
    get_settings = require(module, "get_settings", "a `get_settings()` dependency", lesson)
    test_settings = settings_class(module, lesson)(app_name="Shop \\ under test")
    module.app.dependency_overrides[get_settings] = lambda: test_settings
    async with make_client(module.app) as client:
        status = await client.get("/status")
        order = await client.post("/orders", json=ORDER)
    seen = {"GET /status": status, "POST /orders": order}
    for request, response in seen.items():
        assert response.is_success, teach(
            f"{request} with overridden settings answered {shown(response)}.",
            "a success: maintenance mode is off in these settings",
        )
    names = {
        request: response.json().get("app_name", response.json().get("shop"))
        for request, response in seen.items()
    }
    wrong = {request: name for request, name in names.items() if name != test_settings.app_name}
    assert not wrong, teach(
        f"With app.dependency_overrides[get_settings] returning Settings(app_name="
        f"{test_settings.app_name!r}), the app still said {wrong}: that endpoint reads "
        "settings the override cannot replace.",
        "every endpoint that needs a setting asks for it with Depends(get_settings)",
    )


async def test_environment_is_read_when_settings_are_asked_for(
    module: ModuleType,
    make_client: ClientFactory,
    monkeypatch: pytest.MonkeyPatch,
    teach: Teach,
    lesson: str,
) -> None:
    get_settings = require(module, "get_settings", "a `get_settings()` dependency", lesson)
    monkeypatch.setenv("SHOP_APP_NAME", "Shop from the environment")
    monkeypatch.setenv("SHOP_MAINTENANCE_MODE", "true")
    cache_clear = getattr(get_settings, "cache_clear", None)
    if cache_clear is not None:
        cache_clear()
    async with make_client(module.app) as client:
        status = await client.get("/status")
        order = await client.post("/orders", json=ORDER)
    body = status.json() if status.is_success else {}
    how = "then get_settings.cache_clear(), " if cache_clear is not None else ""
    crashed = status.status_code >= 500 or order.status_code >= 500
    why = (
        ""
        if crashed
        else " The settings the app uses were read before that, probably while the module was "
        "imported."
    )
    assert body.get("app_name") == "Shop from the environment" and order.status_code == 503, teach(
        "After the import, the check set SHOP_APP_NAME='Shop from the environment' and "
        f"SHOP_MAINTENANCE_MODE=true, {how}and asked again: GET /status answered "
        f"{shown(status)} and POST /orders {order.status_code}.{why}",
        "nothing reads the environment at import time: `Settings()` is built inside "
        "`get_settings()` (cached with @lru_cache), and endpoints use Depends(get_settings)",
    )


async def test_nothing_is_read_at_import(
    app_module: ModuleType, spy: Spy, make_client: ClientFactory, teach: Teach
) -> None:
    at_import = spy.of("settings", "import")
    lines = ", ".join(f"line {c.line}" for c in at_import)
    assert not at_import, teach(
        f"A Settings object was built while the module was imported ({lines}): the "
        "environment was read before any test could change it, and every import of the app "
        "needs a complete environment.",
        "no `Settings()` at module level: it is built inside `get_settings()`, on the first "
        "request that asks for it",
    )
    async with make_client(app_module.app) as client:
        response = await client.get("/status")
    assert response.status_code == 200 and spy.of("settings"), teach(
        f"GET /status answered {shown(response)}, and no Settings object was built by the app "
        "to answer it.",
        "200, with settings built by get_settings() when the endpoint asked for them",
    )
