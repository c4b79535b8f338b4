"""The planning service: thin HTTP over `optimizer` — validate, store, queue, serialise."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.responses import HTMLResponse, StreamingResponse
from pydantic import ValidationError

from api import problems
from api.auth import ApiKey, find_key
from api.jobs import CompareJob, SolveJob
from api.limits import BodyLimit
from api.models import (
    ChangeOut,
    CompareRequest,
    EvaluateRequest,
    EvaluationOut,
    FieldError,
    JobOut,
    JobPage,
    ProblemOut,
    Progress,
    RepairOut,
    RepairRequest,
    ReplanRequest,
    SolveRequest,
    ValidateRequest,
    ValidationOut,
)
from api.problems import Problem
from api.runner import Dispatcher
from api.settings import Settings
from api.store import Job, Store
from optimizer import __version__
from optimizer.plan import Plan
from optimizer.scenario import InvalidInput, Scenario, load_scenario, readable_errors

log = logging.getLogger("ledokol.api")

PLAN_MISSING = "the job has no plan yet"
REPAIR_SECONDS = 10.0  # a repair's default time limit (it answers in the request)

_PROBLEM = {
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
}
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"description": problems.TITLES[code], **_PROBLEM}
    for code in (400, 401, 404, 409, 413, 422, 429, 500)
}


def api_key(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="Your API key.")] = None,
) -> ApiKey:
    key = find_key(request.app.state.settings.keys, x_api_key)
    if key is None:
        raise Problem(
            401,
            "send a valid API key in the X-API-Key header",
            [{"field": "X-API-Key", "message": "missing" if not x_api_key else "unknown"}],
        )
    return key


Key = Annotated[ApiKey, Depends(api_key)]


IdempotencyKey = Annotated[
    str | None,
    Header(max_length=200, description="Repeat a request safely: same key, same job."),
]


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
    app.state.store = store
    app.state.dispatcher = dispatcher
    app.state.settings = settings
    problems.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)

    def owned(job_id: str, key: ApiKey) -> Job:
        job = store.get(job_id, owner=key.owner)
        if job is None:
            raise Problem(404, f"no solve {job_id!r}", [{"field": "id", "message": "not found"}])
        return job

    def job_out(job: Job) -> JobOut:
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
        try:
            return load_scenario(data)
        except InvalidInput as error:
            raise problems.invalid_input(error, "scenario") from None

    def best_variant(scenario: Scenario, comparison: dict[str, Any]) -> Scenario:
        """A comparison's plan is judged under its own levers, with the goals charged."""
        from optimizer.compare import charged, variant

        if not comparison["ranked"]:
            return scenario
        on = comparison["ranked"][0]["levers"]
        return charged(scenario, variant(scenario, on, comparison["levers"]))

    def planned(job_id: str, key: ApiKey) -> tuple[Scenario, Plan]:
        job = owned(job_id, key)
        text = store.plan(job.id)
        if text is None:
            raise Problem(409, f"{PLAN_MISSING} (status {job.status})")
        scenario = load_scenario(json.loads(store.scenario(job.id)))
        comparison = (job.summary or {}).get("comparison")
        if comparison is not None:  # the best combination's plan, under its own levers
            scenario = best_variant(scenario, comparison)
        return scenario, Plan.model_validate_json(text)

    # -- solves ---------------------------------------------------------------------------------

    def time_limit_of(asked: float | None, key: ApiKey) -> float:
        """The time limit a job gets: the one asked, or the service's default, within the
        key's cap."""
        if asked is None:
            return min(settings.default_time_limit, key.max_time_limit)
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
        scenario: Scenario,
        options: SolveJob | CompareJob,
        key: ApiKey,
        response: Response,
        idempotency_key: str | None,
    ) -> JobOut:
        """Store a queued job (a solve or a comparison) before answering."""
        queued = store.queued_count()
        if queued >= settings.max_queued:
            raise Problem(
                429,
                f"{queued} solves are waiting; try again later",
                headers={"Retry-After": str(settings.retry_after_seconds)},
            )
        canonical = scenario.model_dump_json()
        digest = hashlib.sha256((canonical + options.model_dump_json()).encode("utf-8")).hexdigest()
        job, created = store.create(
            key.owner, scenario.name, canonical, options, digest, idempotency_key
        )
        if created:
            app.state.dispatcher.wake()
        response.headers["Location"] = f"/v1/solves/{job.id}"
        return job_out(job)

    def repeated(key: ApiKey, idempotency_key: str | None, response: Response) -> JobOut | None:
        if idempotency_key is None:
            return None
        existing = store.by_idempotency_key(key.owner, idempotency_key)
        if existing is None:
            return None
        response.headers["Location"] = f"/v1/solves/{existing.id}"
        return job_out(existing)  # a repeat: the same job, whatever the body

    @app.post("/v1/solves", status_code=202, response_model=JobOut, tags=["solves"])
    def submit(
        body: SolveRequest,
        key: Key,
        response: Response,
        idempotency_key: IdempotencyKey = None,
    ) -> JobOut:
        """Queue a solve. The job is stored before this answers."""
        if (same := repeated(key, idempotency_key, response)) is not None:
            return same
        scenario = scenario_of(body.scenario)
        asked = body.options
        options = SolveJob(
            time_limit=time_limit_of(asked.time_limit, key),
            workers=asked.workers,
            seed=asked.seed,
            gap_pct=asked.gap_pct,
            reproducible=asked.reproducible,
            warm_start=asked.warm_start,
        )
        return enqueue(scenario, options, key, response, idempotency_key)

    @app.post("/v1/compare", status_code=202, response_model=JobOut, tags=["solves"])
    def submit_compare(
        body: CompareRequest,
        key: Key,
        response: Response,
        idempotency_key: IdempotencyKey = None,
    ) -> JobOut:
        """Queue a lever comparison: the scenario solved under every combination of its levers,
        ranked, with a recommendation (in the job's `summary.comparison`; the plan of the best
        combination is the job's plan, and its report has a "Levers compared" section)."""
        from optimizer.compare import LEVERS, levers_of

        if (same := repeated(key, idempotency_key, response)) is not None:
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
            time_limit=time_limit_of(body.options.time_limit, key),
            levers=None if body.options.levers is None else tuple(body.options.levers),
            seed=body.options.seed,
        )
        return enqueue(scenario, options, key, response, idempotency_key)

    @app.post("/v1/replan", status_code=202, response_model=JobOut, tags=["solves"])
    def submit_replan(
        body: ReplanRequest,
        key: Key,
        response: Response,
        idempotency_key: IdempotencyKey = None,
    ) -> JobOut:
        """Queue a quarterly re-plan: the last plan's horizon rolled forward with the actuals,
        its first `freeze` periods kept, later changes charged `change_cost`, warm-started
        from it. The job's scenario is the rolled one (with its baseline); the summary lists
        what changed and why (`summary.changes`)."""
        from optimizer.replan import load_actuals, roll_forward

        if (same := repeated(key, idempotency_key, response)) is not None:
            return same
        scenario = scenario_of(body.scenario)
        try:
            last = Plan.model_validate(body.baseline)
        except ValidationError as error:
            raise problems.invalid_input(
                InvalidInput("invalid baseline plan", readable_errors(error, body.baseline)),
                "baseline",
            ) from None
        try:
            actuals = load_actuals(body.actuals)
            rolled = roll_forward(
                scenario, last, actuals, body.options.freeze, body.options.change_cost
            )
        except InvalidInput as error:
            raise problems.invalid_input(error, "actuals") from None
        options = SolveJob(
            time_limit=time_limit_of(body.options.time_limit, key),
            seed=body.options.seed,
            reproducible=body.options.reproducible,
            hint=rolled.warm_start.model_dump_json(),
        )
        return enqueue(rolled.scenario, options, key, response, idempotency_key)

    @app.get("/v1/solves", response_model=JobPage, tags=["solves"])
    def list_solves(
        key: Key,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> JobPage:
        """Your jobs, newest first."""
        items, total = store.list(key.owner, limit, offset)
        return JobPage(items=[job_out(j) for j in items], total=total, limit=limit, offset=offset)

    @app.get("/v1/solves/{job_id}", response_model=JobOut, tags=["solves"])
    def get_solve(job_id: str, key: Key) -> JobOut:
        """Job status, live progress and summary KPIs."""
        return job_out(owned(job_id, key))

    @app.get(
        "/v1/solves/{job_id}/events",
        tags=["solves"],
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def events(job_id: str, key: Key, request: Request) -> StreamingResponse:
        """Server-sent events: `progress` while the job runs, then one `status` event."""
        first = await asyncio.to_thread(owned, job_id, key)

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
                job = await asyncio.to_thread(store.get, job_id, key.owner)

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
        )

    @app.get("/v1/solves/{job_id}/plan", tags=["plans"])
    def get_plan(job_id: str, key: Key) -> Response:
        """The plan as JSON (spec section 7)."""
        job = owned(job_id, key)
        text = store.plan(job.id)
        if text is None:
            raise Problem(409, f"{PLAN_MISSING} (status {job.status})")
        return Response(text, media_type="application/json")

    @app.get(
        "/v1/solves/{job_id}/plan.csv",
        tags=["plans"],
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}}},
    )
    def get_plan_csv(job_id: str, key: Key) -> Response:
        """Assignments, one row per person and period."""
        scenario, plan = planned(job_id, key)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["person", "name", "period", "month", "role", "territory"])
        names = {r.id: r.name for r in scenario.reps}
        for a in plan.assignments:
            writer.writerow(
                [
                    a.person,
                    names.get(a.person, "new hire"),
                    a.period,
                    scenario.period_label(a.period),
                    a.role,
                    a.territory or "",
                ]
            )
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{job_id}.csv"'},
        )

    @app.get(
        "/v1/solves/{job_id}/plan.xlsx",
        tags=["plans"],
        response_class=Response,
        responses={
            200: {
                "content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}
            }
        },
    )
    def get_plan_xlsx(job_id: str, key: Key) -> Response:
        """Workbook: schedule, territories by period, targets, KPIs."""
        from optimizer.report.xlsx import xlsx_bytes

        scenario, plan = planned(job_id, key)
        return Response(
            xlsx_bytes(scenario, plan),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{job_id}.xlsx"'},
        )

    @app.get("/v1/solves/{job_id}/report", tags=["plans"], response_class=HTMLResponse)
    def get_report(job_id: str, key: Key) -> HTMLResponse:
        """One self-contained HTML page: schedule chart, KPIs against the status quo, accounts
        and pools over time, targets, or the explanation when infeasible."""
        from optimizer.report.html import render_html
        from optimizer.simulate import simulate
        from optimizer.status_quo import status_quo_plan

        scenario, plan = planned(job_id, key)
        comparison = (owned(job_id, key).summary or {}).get("comparison")
        evaluation = simulate(scenario, plan) if plan.assignments else None
        status_quo = simulate(scenario, status_quo_plan(scenario))
        return HTMLResponse(render_html(scenario, plan, evaluation, status_quo, comparison))

    @app.post("/v1/solves/{job_id}/cancel", status_code=202, response_model=JobOut, tags=["solves"])
    def cancel(job_id: str, key: Key) -> JobOut:
        """Stop the search; the best plan found so far is kept and served. A finished job has
        nothing to stop: 409 with its state."""
        current = owned(job_id, key)
        if current.finished:
            raise Problem(409, f"the job has finished ({current.status}); nothing to cancel")
        job = store.request_cancel(job_id, key.owner)
        if job is None:  # deleted meanwhile
            raise Problem(404, f"no job '{job_id}'")
        return job_out(job)

    @app.delete("/v1/solves/{job_id}", status_code=204, tags=["solves"])
    def delete(job_id: str, key: Key) -> Response:
        """Remove a finished job and its data."""
        job = owned(job_id, key)
        if not store.delete(job.id, key.owner):
            raise Problem(409, f"the job is {job.status}; cancel it first")
        return Response(status_code=204)

    # -- stateless checks ---------------------------------------------------------------------

    @app.post("/v1/validate", response_model=ValidationOut, tags=["checks"])
    def validate(body: ValidateRequest, key: Key) -> ValidationOut:
        """Every validation error of a scenario, each naming its field."""
        try:
            load_scenario(body.scenario)
        except InvalidInput as error:
            found = problems.invalid_input(error, "scenario").errors
            return ValidationOut(valid=False, errors=[FieldError(**e) for e in found])
        return ValidationOut(valid=True, errors=[])

    @app.post("/v1/evaluate", response_model=EvaluationOut, tags=["checks"])
    def evaluate(body: EvaluateRequest, key: Key) -> EvaluationOut:
        """The simulator's verdict on a plan made by hand: score, KPIs and broken rules."""
        from pydantic import ValidationError

        from optimizer.simulate import simulate

        scenario = scenario_of(body.scenario)
        try:
            plan = Plan.model_validate(body.plan)
        except ValidationError as error:
            raise problems.invalid_input(
                InvalidInput("invalid plan", readable_errors(error, body.plan)), "plan"
            ) from None
        try:
            ev = simulate(scenario, plan)
        except InvalidInput as error:
            raise problems.invalid_input(error, "plan") from None
        return EvaluationOut(
            feasible=not ev.violations,
            score=ev.score,
            kpis=ev.kpis.model_dump(mode="json"),
            violations=[v.model_dump(mode="json") for v in ev.violations],
        )

    @app.post("/v1/repair", response_model=RepairOut, tags=["checks"])
    def repair_plan(body: RepairRequest, key: Key) -> RepairOut:
        """The nearest feasible plan to a plan that breaks rules, within the time limit, with
        every changed cell listed (a hand-made plan in, a plan the simulator accepts out)."""
        from dataclasses import asdict

        from pydantic import ValidationError

        from optimizer.deadline import Deadline
        from optimizer.repair import repair
        from optimizer.simulate import simulate

        scenario = scenario_of(body.scenario)
        try:
            plan = Plan.model_validate(body.plan)
            before = simulate(scenario, plan)
        except ValidationError as error:
            raise problems.invalid_input(
                InvalidInput("invalid plan", readable_errors(error, body.plan)), "plan"
            ) from None
        except InvalidInput as error:
            raise problems.invalid_input(error, "plan") from None
        limit = min(body.options.time_limit or REPAIR_SECONDS, key.max_time_limit)
        fixed = repair(
            scenario,
            plan,
            Deadline.after(limit),
            workers=settings.cpus_per_solve,
            seed=body.options.seed,
            polish=True,
        )
        explanation = None
        if fixed.status == "INFEASIBLE":
            from optimizer.explain import explain_infeasible

            explanation = explain_infeasible(scenario, time_limit=limit)
        out = None
        if fixed.plan is not None and fixed.evaluation is not None:
            out = fixed.evaluation.apply_to(fixed.plan).model_dump(mode="json")
        return RepairOut(
            status=fixed.status,
            violations_before=len(before.violations),
            changes=[ChangeOut(**asdict(c)) for c in fixed.changes],
            plan=out,
            explanation=explanation,
        )

    # -- health ---------------------------------------------------------------------------------

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """The process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    def readyz() -> dict[str, Any]:
        """The database answers and the dispatcher runs."""
        try:
            store.ping()
        except Exception as error:
            raise Problem(503, f"database unavailable: {type(error).__name__}") from None
        return {"status": "ready", "running": app.state.dispatcher.running}

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
