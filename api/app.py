"""The planning service: thin HTTP over `optimizer` — validate, store, queue, serialise.

The routes live in `api/routes/` (one module per resource), what they share in `api/deps.py`;
this module assembles them into one application with its lifespan, errors and docs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from api import problems
from api.deps import Service
from api.limits import BodyLimit
from api.models import ProblemOut
from api.routes import ROUTERS, web
from api.runner import Dispatcher
from api.settings import Settings
from api.store import Store
from optimizer import __version__

log = logging.getLogger("ledokol.api")

_PROBLEM = {
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
}
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": problems.TITLES[code], **_PROBLEM}
    for code in (400, 401, 404, 409, 413, 422, 429, 500)
}


def create_app(settings: Settings, start_workers: bool = True) -> FastAPI:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(settings.url)
    dispatcher = Dispatcher(settings, store)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if start_workers:
            dispatcher.start()
        log.info(
            "ledokol service: %s, %d concurrent solve(s) of %d CPU(s), %d API key(s)",
            "SQLite" if settings.embedded else store.engine.dialect.name,
            settings.workers,
            settings.cpus_per_solve,
            len(settings.keys),
        )
        yield
        if start_workers:
            dispatcher.stop()
        store.dispose()

    app = FastAPI(
        title="ledokol",
        version=__version__,
        description="Plans a sales force month by month and proves how good the plan is. "
        "Every /v1 route needs an `X-API-Key` header.",
        lifespan=lifespan,
        responses=ERRORS,
        docs_url=None,  # served below from the installed assets: /docs works offline
        redoc_url=None,
    )
    _offline_docs(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = FastAPI.openapi(app)
        problem = ProblemOut.model_json_schema(ref_template="#/components/schemas/{model}")
        defs = problem.pop("$defs", {})
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(defs)
        components["Problem"] = problem
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it
    app.state.service = Service(settings, store, dispatcher)
    problems.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    for router in ROUTERS:
        app.include_router(router)
    web.mount_assets(app)
    return app


def _offline_docs(app: FastAPI) -> None:
    """Swagger UI at /docs with its script and style from the `swagger-ui-py` package (Swagger
    UI 5, which reads OpenAPI 3.1), served under /docs/assets: nothing is fetched from
    another host. The package is only a folder of assets here: it is located, not imported."""
    from importlib.util import find_spec

    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles

    spec = find_spec("swagger_ui")
    assert spec is not None and spec.submodule_search_locations, "swagger-ui-py is installed"
    assets = Path(next(iter(spec.submodule_search_locations))) / "static"
    app.mount("/docs/assets", StaticFiles(directory=assets), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="ledokol API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon-32x32.png",
        )
