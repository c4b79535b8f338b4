"""A job's plan: JSON, CSV, an Excel workbook, and the HTML report."""

from __future__ import annotations

import io

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from api.deps import PLAN_MISSING, Key, ServiceDep
from api.problems import Problem

router = APIRouter(prefix="/v1/solves", tags=["plans"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/{job_id}/plan")
def get_plan(job_id: str, key: Key, service: ServiceDep) -> Response:
    """The plan as JSON (the plan document of docs/format.md)."""
    job = service.owned(job_id, key)
    text = service.store.plan(job.id)
    if text is None:
        raise Problem(409, f"{PLAN_MISSING} (status {job.status})")
    return Response(text, media_type="application/json")


@router.get(
    "/{job_id}/plan.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}}
)
def get_plan_csv(job_id: str, key: Key, service: ServiceDep) -> Response:
    """Assignments, one row per person and period."""
    from optimizer.report.tables import assignments_table

    scenario, plan = service.planned(job_id, key)
    out = io.StringIO()
    assignments_table(scenario, plan).to_csv(out, index=False)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{job_id}.csv"'},
    )


@router.get(
    "/{job_id}/plan.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}}
)
def get_plan_xlsx(job_id: str, key: Key, service: ServiceDep) -> Response:
    """Workbook: schedule, territories by period, targets, KPIs."""
    from optimizer.report.xlsx import xlsx_bytes

    scenario, plan = service.planned(job_id, key)
    return Response(
        xlsx_bytes(scenario, plan),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{job_id}.xlsx"'},
    )


@router.get("/{job_id}/report", response_class=HTMLResponse)
def get_report(job_id: str, key: Key, service: ServiceDep) -> HTMLResponse:
    """One self-contained HTML page: schedule chart, KPIs against the status quo, accounts
    and pools over time, targets, or the explanation when infeasible."""
    from optimizer.report.html import plan_report

    scenario, plan = service.planned(job_id, key)
    comparison = (service.owned(job_id, key).summary or {}).get("comparison")
    return HTMLResponse(plan_report(scenario, plan, comparison))
