"""Quarterly re-planning: the last plan rolled forward with the actuals and solved again."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api import problems
from api.deps import IdempotencyKey, Key, ServiceDep, plan_of, scenario_of
from api.jobs import SolveJob
from api.models import JobOut, ReplanRequest
from optimizer.replan import load_actuals, roll_forward
from optimizer.scenario import InvalidInput

router = APIRouter(prefix="/v1", tags=["solves"])


@router.post("/replan", status_code=202, response_model=JobOut)
def submit_replan(
    body: ReplanRequest,
    key: Key,
    service: ServiceDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> JobOut:
    """Queue a quarterly re-plan: the last plan's horizon rolled forward with the actuals,
    its first `freeze` periods kept, later changes charged `change_cost`, warm-started
    from it. The job's scenario is the rolled one (with its baseline); the summary lists
    what changed and why (`summary.changes`)."""
    if (same := service.repeated(key, idempotency_key, response)) is not None:
        return same
    scenario = scenario_of(body.scenario)
    last = plan_of(body.baseline, "baseline")
    try:
        actuals = load_actuals(body.actuals)
        rolled = roll_forward(
            scenario, last, actuals, body.options.freeze, body.options.change_cost
        )
    except InvalidInput as error:
        raise problems.invalid_input(error, "actuals") from None
    options = SolveJob(
        time_limit=service.time_limit(body.options.time_limit, key),
        seed=body.options.seed,
        reproducible=body.options.reproducible,
        hint=rolled.warm_start.model_dump_json(),
    )
    return service.enqueue(rolled.scenario, options, key, response, idempotency_key)
