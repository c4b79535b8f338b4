"""Solves: queue one, list yours, follow one (status, live events), cancel, delete."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from api.deps import IdempotencyKey, Key, ServiceDep, job_out, scenario_of
from api.jobs import SolveJob
from api.models import JobOut, JobPage, SolveRequest
from api.problems import Problem
from api.store import Job

router = APIRouter(prefix="/v1/solves", tags=["solves"])


@router.post("", status_code=202, response_model=JobOut)
def submit(
    body: SolveRequest,
    key: Key,
    service: ServiceDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> JobOut:
    """Queue a solve. The job is stored before this answers."""
    if (same := service.repeated(key, idempotency_key, response)) is not None:
        return same
    scenario = scenario_of(body.scenario)
    asked = body.options
    options = SolveJob(
        time_limit=service.time_limit(asked.time_limit, key),
        workers=asked.workers,
        seed=asked.seed,
        gap_pct=asked.gap_pct,
        reproducible=asked.reproducible,
        warm_start=asked.warm_start,
    )
    return service.enqueue(scenario, options, key, response, idempotency_key)


@router.get("", response_model=JobPage)
def list_solves(
    key: Key,
    service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> JobPage:
    """Your jobs, newest first."""
    items, total = service.store.list(key.owner, limit, offset)
    return JobPage(items=[job_out(j) for j in items], total=total, limit=limit, offset=offset)


@router.get("/{job_id}", response_model=JobOut)
def get_solve(job_id: str, key: Key, service: ServiceDep) -> JobOut:
    """Job status, live progress and summary KPIs."""
    return job_out(service.owned(job_id, key))


@router.get(
    "/{job_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(job_id: str, key: Key, service: ServiceDep, request: Request) -> StreamingResponse:
    """Server-sent events: `progress` while the job runs, then one `status` event."""
    first = await asyncio.to_thread(service.owned, job_id, key)

    async def stream() -> AsyncIterator[str]:
        last = None
        job: Job | None = first
        while job is not None:
            view = job_out(job).model_dump(mode="json")
            state = (view["status"], json.dumps(view["progress"]))
            if state != last:
                last = state
                kind = "status" if job.finished else "progress"
                yield f"event: {kind}\ndata: {json.dumps(view)}\n\n"
            if job.finished or await request.is_disconnected():
                return
            await asyncio.sleep(0.25)
            job = await asyncio.to_thread(service.store.get, job_id, key.owner)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


@router.post("/{job_id}/cancel", status_code=202, response_model=JobOut)
def cancel(job_id: str, key: Key, service: ServiceDep) -> JobOut:
    """Stop the search; the best plan found so far is kept and served. A finished job has
    nothing to stop: 409 with its state."""
    current = service.owned(job_id, key)
    if current.finished:
        raise Problem(409, f"the job has finished ({current.status}); nothing to cancel")
    job = service.store.request_cancel(job_id, key.owner)
    if job is None:  # deleted meanwhile
        raise Problem(404, f"no job '{job_id}'")
    return job_out(job)


@router.delete("/{job_id}", status_code=204)
def delete(job_id: str, key: Key, service: ServiceDep) -> Response:
    """Remove a finished job and its data."""
    job = service.owned(job_id, key)
    if not service.store.delete(job.id, key.owner):
        raise Problem(409, f"the job is {job.status}; cancel it first")
    return Response(status_code=204)
