"""Liveness and readiness, without a key."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import ServiceDep
from api.problems import Problem

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(service: ServiceDep) -> dict[str, Any]:
    """The database answers and the dispatcher runs."""
    try:
        service.store.ping()
    except Exception as error:
        raise Problem(503, f"database unavailable: {type(error).__name__}") from None
    return {"status": "ready", "running": service.dispatcher.running}
