"""Lever comparisons: the scenario solved under every combination of its levers."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import IdempotencyKey, Key, ServiceDep, scenario_of
from api.jobs import CompareJob
from api.models import CompareRequest, JobOut
from api.problems import Problem
from optimizer.compare import LEVERS, levers_of

router = APIRouter(prefix="/v1", tags=["solves"])


@router.post("/compare", status_code=202, response_model=JobOut)
def submit_compare(
    body: CompareRequest,
    key: Key,
    service: ServiceDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> JobOut:
    """Queue a lever comparison: the scenario solved under every combination of its levers,
    ranked, with a recommendation (in the job's `summary.comparison`; the plan of the best
    combination is the job's plan, and its report has a "Levers compared" section)."""
    if (same := service.repeated(key, idempotency_key, response)) is not None:
        return same
    scenario = scenario_of(body.scenario)
    have = levers_of(scenario)
    wrong = [
        {
            "field": "options.levers",
            "message": f"unknown lever '{lever}' (one of {', '.join(LEVERS)})"
            if lever not in LEVERS
            else f"'{lever}' is not defined in scenario {scenario.name}",
        }
        for lever in body.options.levers or ()
        if lever not in have
    ]
    if wrong:
        raise Problem(422, "levers cannot be compared", wrong)
    options = CompareJob(
        time_limit=service.time_limit(body.options.time_limit, key),
        levers=None if body.options.levers is None else tuple(body.options.levers),
        seed=body.options.seed,
    )
    return service.enqueue(scenario, options, key, response, idempotency_key)
