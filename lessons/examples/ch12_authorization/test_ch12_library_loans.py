from collections.abc import AsyncIterator

import httpx
import pytest

from lessons.examples.ch12_authorization import library_loans as lib


@pytest.fixture
async def http(tmp_path: object) -> AsyncIterator[httpx.AsyncClient]:
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/loans.db")
    async with engine.begin() as conn:
        await conn.run_sync(lib.Base.metadata.create_all)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with sessions() as db:  # ids above 256, as in production
        db.add_all(
            [
                lib.Member(id=300, card="card-lin"),
                lib.Member(id=301, card="card-sam"),
                lib.Member(id=302, card="card-desk", is_librarian=True),
            ]
        )
        await db.commit()

    async def session() -> AsyncIterator[object]:
        async with sessions() as db:
            yield db

    lib.app.dependency_overrides[lib.db_session] = session
    transport = httpx.ASGITransport(app=lib.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    lib.app.dependency_overrides.clear()
    await engine.dispose()


def card(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer card-{name}"}


async def test_a_loan_belongs_to_the_card_holder(http: httpx.AsyncClient) -> None:
    made = await http.post("/loans", json={"book": "Dune", "member_id": 301}, headers=card("lin"))
    assert made.status_code == 201 and made.json()["member_id"] == 300


async def test_each_member_lists_only_own_loans(http: httpx.AsyncClient) -> None:
    await http.post("/loans", json={"book": "Dune"}, headers=card("lin"))
    await http.post("/loans", json={"book": "Emma"}, headers=card("sam"))
    assert [x["book"] for x in (await http.get("/loans", headers=card("lin"))).json()] == ["Dune"]


async def test_someone_elses_loan_is_not_found(http: httpx.AsyncClient) -> None:
    loan = (await http.post("/loans", json={"book": "Dune"}, headers=card("lin"))).json()
    for method in ("GET", "DELETE"):
        answer = await http.request(method, f"/loans/{loan['id']}", headers=card("sam"))
        assert answer.status_code == 404
    assert (await http.get(f"/loans/{loan['id']}", headers=card("lin"))).status_code == 200
    assert (await http.delete(f"/loans/{loan['id']}", headers=card("lin"))).status_code == 204


@pytest.mark.parametrize(
    ("headers", "params"),
    [({}, {}), ({"X-Role": "librarian"}, {}), ({}, {"librarian": "true"})],
)
async def test_the_desk_is_for_librarians(
    http: httpx.AsyncClient, headers: dict[str, str], params: dict[str, str]
) -> None:
    refused = await http.get("/desk/loans", headers={**card("lin"), **headers}, params=params)
    assert refused.status_code == 403
    assert (await http.get("/desk/loans", headers=card("desk"))).status_code == 200
    assert (await http.get("/desk/loans")).status_code == 401
