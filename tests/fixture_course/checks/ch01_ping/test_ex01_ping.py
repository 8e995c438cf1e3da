from collections.abc import Callable
from types import ModuleType

from fastlings.testing import ClientFactory


async def test_ping_answers_pong(
    module: ModuleType, make_client: ClientFactory, teach: Callable[[str, str], str]
) -> None:
    async with make_client(module.app) as client:
        response = await client.get("/ping")
    assert response.json() == {"pong": True}, teach(
        f"GET /ping answered {response.json()}", "{'pong': True}"
    )


async def test_ping_is_get(module: ModuleType, make_client: ClientFactory) -> None:
    async with make_client(module.app) as client:
        response = await client.get("/ping")
    assert response.status_code == 200, "GET /ping must answer 200"
