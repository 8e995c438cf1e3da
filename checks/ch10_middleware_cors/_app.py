"""Chapter 10 helper: the learner's FastAPI application, or a failed check that says why."""

from types import ModuleType

import pytest
from fastapi import FastAPI

from fastlings.testing import Teach


def fastapi_app(module: ModuleType, teach: Teach) -> FastAPI:
    app = getattr(module, "app", None)
    if not isinstance(app, FastAPI):
        pytest.fail(
            teach(
                f"`app` is {type(app).__name__}, not the FastAPI application.",
                "`app = FastAPI(...)`, with middleware registered on it "
                "(app.add_middleware(...) or FastAPI(middleware=[...]))",
            ),
            pytrace=False,
        )
    return app
