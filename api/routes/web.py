"""The planner's page at `/`: one HTML page and its script and style, served from the package
(nothing from another host), talking to the same /v1 routes as any client; and the shipped
datasets, for the page's "pick a dataset"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.deps import Key
from api.problems import Problem
from optimizer.datasets import dataset_names, load_dataset

WEB = Path(__file__).resolve().parents[1] / "web"

router = APIRouter(tags=["page"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page() -> HTMLResponse:
    """The planner's page."""
    return HTMLResponse((WEB / "index.html").read_text(encoding="utf-8"))


@router.get("/v1/datasets")
def datasets(key: Key) -> dict[str, list[str]]:
    """The scenarios shipped with ledokol, by name."""
    return {"datasets": dataset_names()}


@router.get("/v1/datasets/{name}")
def dataset(name: str, key: Key) -> dict[str, Any]:
    """A shipped scenario as JSON."""
    if name not in dataset_names():
        raise Problem(404, f"no dataset {name!r}", [{"field": "name", "message": "not found"}])
    return {"scenario": load_dataset(name).model_dump(mode="json")}


def mount_assets(app: FastAPI) -> None:
    """The page's script and style under /web."""
    app.mount("/web", StaticFiles(directory=WEB), name="web")
