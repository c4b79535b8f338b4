"""Errors as `application/problem+json` (RFC 9457), each naming the field it is about."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from optimizer.scenario import InvalidInput

log = logging.getLogger("ledokol.api")

PROBLEM = "application/problem+json"
MAX_ERRORS = 100  # field errors listed in one answer; then how many more

TITLES = {
    400: "Bad request",
    401: "Missing or unknown API key",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    422: "Invalid input",
    429: "Too many queued solves",
    500: "Internal error",
    503: "Not ready",
}


class Problem(Exception):
    """An error answered as problem+json; `errors` lists `{field, message}`."""

    def __init__(
        self,
        status: int,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []
        self.headers = headers or {}


def problem_response(
    status: int,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def invalid_input(error: InvalidInput, prefix: str) -> Problem:
    """Our validators' `path: message` lines as field errors under `prefix` (e.g. scenario)."""
    errors = []
    for line in error.shown(MAX_ERRORS):
        path, sep, message = line.partition(": ")
        field = f"{prefix}.{path}" if sep and path and path != "(root)" else prefix
        errors.append({"field": field, "message": message if sep else line})
    return Problem(422, f"{prefix} is invalid: {len(error.problems):,} problem(s)", errors)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    out = ""
    for part in parts:
        if part.isdigit():
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "body"


def _allowed(app: FastAPI, path: str) -> list[str]:
    """Every method some route serves at `path` (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in app.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status, exc.detail, exc.errors, exc.headers, instance=request.url.path
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(tuple(e.get("loc", ()))), "message": e.get("msg", "invalid")}
            for e in exc.errors()
        ]
        names = ", ".join(sorted({e["field"] for e in errors}))
        return problem_response(422, f"invalid request: {names}", errors, instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed(app, request.url.path))
        return problem_response(exc.status_code, detail, headers=headers, instance=request.url.path)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500, "internal error; it has been logged", instance=request.url.path
        )
