"""What the routes share: the service's parts, the caller's API key and the idempotency key as
FastAPI dependencies, and the few steps every job route takes (find the caller's job, read a
scenario, queue a job, show it)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response

from api import problems
from api.auth import ApiKey, find_key
from api.jobs import CompareJob, SolveJob
from api.models import JobOut, Progress
from api.problems import Problem
from api.runner import Dispatcher
from api.settings import Settings
from api.store import Job, Store
from optimizer.compare import judged_under
from optimizer.plan import Plan
from optimizer.scenario import InvalidInput, Scenario, load_scenario, readable_errors

PLAN_MISSING = "the job has no plan yet"


@dataclass(frozen=True)
class Service:
    """One running service: its settings, its job store and the dispatcher of its solves."""

    settings: Settings
    store: Store
    dispatcher: Dispatcher

    # -- jobs -------------------------------------------------------------------------------

    def owned(self, job_id: str, key: ApiKey) -> Job:
        """The caller's job; another key's job is as missing as one that never was."""
        job = self.store.get(job_id, owner=key.owner)
        if job is None:
            raise Problem(404, f"no solve {job_id!r}", [{"field": "id", "message": "not found"}])
        return job

    def planned(self, job_id: str, key: ApiKey) -> tuple[Scenario, Plan]:
        """A job's plan and the scenario it is judged under (a comparison's best combination:
        its own levers)."""
        job = self.owned(job_id, key)
        text = self.store.plan(job.id)
        if text is None:
            raise Problem(409, f"{PLAN_MISSING} (status {job.status})")
        scenario = load_scenario(json.loads(self.store.scenario(job.id)))
        comparison = (job.summary or {}).get("comparison")
        if comparison is not None:
            scenario = judged_under(scenario, comparison)
        return scenario, Plan.model_validate_json(text)

    def time_limit(self, asked: float | None, key: ApiKey) -> float:
        """A job's time limit: the one asked, or the service's default, within the key's cap."""
        if asked is None:
            return min(self.settings.default_time_limit, key.max_time_limit)
        if asked > key.max_time_limit:
            raise Problem(
                422,
                f"time_limit is over this key's cap of {key.max_time_limit:g} s",
                [
                    {
                        "field": "options.time_limit",
                        "message": f"at most {key.max_time_limit:g} seconds",
                    }
                ],
            )
        return asked

    def enqueue(
        self,
        scenario: Scenario,
        options: SolveJob | CompareJob,
        key: ApiKey,
        response: Response,
        idempotency_key: str | None,
    ) -> JobOut:
        """Store a queued job (a solve or a comparison) before answering."""
        queued = self.store.queued_count()
        if queued >= self.settings.max_queued:
            raise Problem(
                429,
                f"{queued} solves are waiting; try again later",
                headers={"Retry-After": str(self.settings.retry_after_seconds)},
            )
        canonical = scenario.model_dump_json()
        digest = hashlib.sha256((canonical + options.model_dump_json()).encode("utf-8"))
        job, created = self.store.create(
            key.owner, scenario.name, canonical, options, digest.hexdigest(), idempotency_key
        )
        if created:
            self.dispatcher.wake()
        response.headers["Location"] = f"/v1/solves/{job.id}"
        return job_out(job)

    def repeated(
        self, key: ApiKey, idempotency_key: str | None, response: Response
    ) -> JobOut | None:
        """The job an idempotency key already made, whatever the body; None for a new key."""
        if idempotency_key is None:
            return None
        existing = self.store.by_idempotency_key(key.owner, idempotency_key)
        if existing is None:
            return None
        response.headers["Location"] = f"/v1/solves/{existing.id}"
        return job_out(existing)


def job_out(job: Job) -> JobOut:
    """A stored job as the API shows it (its options without the hint plan)."""
    base = f"/v1/solves/{job.id}"
    links = {"self": base, "events": f"{base}/events", "cancel": f"{base}/cancel"}
    if job.has_plan:
        links.update(
            plan=f"{base}/plan",
            csv=f"{base}/plan.csv",
            xlsx=f"{base}/plan.xlsx",
            report=f"{base}/report",
        )
    return JobOut(
        id=job.id,
        status=job.status,
        solver_status=job.solver_status,
        scenario=job.scenario_name,
        created_at=job.created_at,
        updated_at=job.updated_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        input_hash=job.input_hash,
        options=job.options.model_dump(exclude={"hint"}),
        solver=job.solver,
        progress=None if job.progress is None else Progress.model_validate(job.progress),
        summary=job.summary,
        error=job.error,
        cancel_requested=job.cancel_requested,
        attempts=job.attempts,
        links=links,
    )


def scenario_of(data: dict[str, Any]) -> Scenario:
    """A request's scenario, or 422 naming every problem under `scenario`."""
    try:
        return load_scenario(data)
    except InvalidInput as error:
        raise problems.invalid_input(error, "scenario") from None


def plan_of(data: dict[str, Any], field: str = "plan") -> Plan:
    """A request's plan, or 422 naming every problem under `field`."""
    from pydantic import ValidationError

    try:
        return Plan.model_validate(data)
    except ValidationError as error:
        raise problems.invalid_input(
            InvalidInput(
                "invalid plan" if field == "plan" else f"invalid {field} plan",
                readable_errors(error, data),
            ),
            field,
        ) from None


# -- dependencies ---------------------------------------------------------------------------


def service(request: Request) -> Service:
    running: Service = request.app.state.service
    return running


def api_key(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="Your API key.")] = None,
) -> ApiKey:
    key = find_key(service(request).settings.keys, x_api_key)
    if key is None:
        raise Problem(
            401,
            "send a valid API key in the X-API-Key header",
            [{"field": "X-API-Key", "message": "missing" if not x_api_key else "unknown"}],
        )
    return key


ServiceDep = Annotated[Service, Depends(service)]
Key = Annotated[ApiKey, Depends(api_key)]
IdempotencyKey = Annotated[
    str | None,
    Header(max_length=200, description="Repeat a request safely: same key, same job."),
]
