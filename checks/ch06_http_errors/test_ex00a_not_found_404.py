"""Checks for chapter 6, step 1: a missing project is a 404 with a detail."""

from checks.ch06_http_errors._http import detail_of, seed, status_says
from fastlings.testing import Teach, WiredApp, body_of

APOLLO = {"id": 300, "name": "Apollo"}


async def test_existing_project_is_returned(wired: WiredApp, teach: Teach) -> None:
    await seed(wired.engine, wired.module.Project.__table__, [APOLLO])
    response = await wired.client.get("/projects/300")
    assert response.status_code == 200 and body_of(response) == APOLLO, teach(
        f"GET /projects/300 for a stored project answered {response.status_code} "
        f"{body_of(response)!r}.",
        f"200 with {APOLLO}: only the missing case changes in this step",
    )


async def test_missing_project_gets_404_with_detail(wired: WiredApp, teach: Teach) -> None:
    await seed(wired.engine, wired.module.Project.__table__, [APOLLO])
    response = await wired.client.get("/projects/301")
    body = body_of(response)
    assert response.status_code == 404, teach(
        f"GET /projects/301 (no such project) answered {response.status_code} {body!r}."
        + status_says(response.status_code),
        "404 Not Found, raised as HTTPException(status_code=404, detail=...)",
    )
    assert detail_of(body), teach(
        f"GET /projects/301 answered 404 with the body {body!r}.",
        'FastAPI\'s error shape {"detail": "<non-empty text>"}, which HTTPException makes; '
        "clients read `detail` from every error",
    )
    no_route = body_of(await wired.client.get("/no-such-route/at-all"))
    assert body != no_route, teach(
        f"GET /projects/301 answered 404 {body!r}, the very same body as a URL that has no route "
        "at all, so a client cannot tell 'no such project' from 'wrong URL'.",
        "a detail that says what is missing (any wording; only the bare default 'Not Found' "
        "is ambiguous)",
    )
