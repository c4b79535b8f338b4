"""Scenario workbooks: the template to fill in a spreadsheet program, and a filled one read
back into the scenario every other route takes (each problem named by sheet and cell)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from api import problems
from api.deps import Key, scenario_of
from api.models import ValidateRequest
from optimizer.scenario import InvalidInput
from optimizer.workbook import load_workbook_scenario, template_bytes

router = APIRouter(prefix="/v1", tags=["workbooks"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX: {}}}}


def _workbook(body: bytes, name: str) -> Response:
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@router.get("/template.xlsx", response_class=Response, responses=WORKBOOK)
def example_template(key: Key) -> Response:
    """A scenario workbook of a small example team, to overwrite with your own."""
    return _workbook(template_bytes(), "ledokol-template")


@router.post("/template.xlsx", response_class=Response, responses=WORKBOOK)
def scenario_template(body: ValidateRequest, key: Key) -> Response:
    """The workbook of a scenario: edit it and read it back with `POST /v1/scenario.json`."""
    scenario = scenario_of(body.scenario)
    return _workbook(template_bytes(scenario), scenario.name)


@router.post(
    "/scenario.json",
    openapi_extra={
        "requestBody": {
            "required": True,
            # the workbook's bytes; sent as application/octet-stream or the xlsx media type
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def scenario_from_workbook(request: Request, key: Key) -> dict[str, Any]:
    """A filled scenario workbook (the request body: its bytes, as `application/octet-stream`
    or the xlsx media type) as the scenario JSON the other routes take; 422 names every
    problem by sheet and cell (`reps!C7`)."""
    body = await request.body()
    try:
        scenario = load_workbook_scenario(body)
    except InvalidInput as error:
        raise problems.invalid_input(error, "workbook") from None
    return {"scenario": scenario.model_dump(mode="json")}
