"""`/docs` and `/redoc` that work offline, for `fastlings serve`.

FastAPI's docs pages load Swagger UI and ReDoc from a CDN, which is a blank page in a workshop
room without internet. The assets ship in the `fastapi-offline` package; here the served app
gets them under `/_fastlings/docs/`, and FastAPI's two page builders are pointed at them. The
learner's code is not changed: this happens only in the process that `serve` starts.
"""

from __future__ import annotations

import importlib
import os
from functools import partial
from pathlib import Path
from typing import Any

SERVE_MODULE_ENV = "FASTLINGS_SERVE_MODULE"
PREFIX = "/_fastlings/docs"


def assets_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def use_local_assets() -> None:
    """Point FastAPI's Swagger UI and ReDoc pages at `PREFIX` instead of the CDN."""
    import fastapi.applications as applications
    from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html

    swagger = partial(
        get_swagger_ui_html,
        swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{PREFIX}/favicon.png",
    )
    redoc = partial(
        get_redoc_html,
        redoc_js_url=f"{PREFIX}/redoc.standalone.js",
        redoc_favicon_url=f"{PREFIX}/favicon.png",
        with_google_fonts=False,
    )
    # the docs routes look these names up in fastapi.applications each time a page is served
    setattr(applications, "get_swagger_ui_html", swagger)  # noqa: B010
    setattr(applications, "get_redoc_html", redoc)  # noqa: B010


def with_local_assets(app: Any) -> Any:
    from starlette.staticfiles import StaticFiles

    use_local_assets()
    app.mount(PREFIX, StaticFiles(directory=assets_dir()), name="fastlings-docs-assets")
    return app


def create_app() -> Any:
    """The uvicorn factory `serve` runs: the exercise's `app`, with the docs assets local."""
    module = importlib.import_module(os.environ[SERVE_MODULE_ENV])
    return with_local_assets(module.app)
