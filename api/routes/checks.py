"""Answers in the request, no job: validate a scenario, evaluate a plan, repair a plan."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from api import problems
from api.deps import Key, ServiceDep, plan_of, scenario_of
from api.models import (
    ChangeOut,
    DiffOut,
    DiffRequest,
    EvaluateRequest,
    EvaluationOut,
    FieldError,
    RepairOut,
    RepairRequest,
    ValidateRequest,
    ValidationOut,
    WhyOut,
    WhyRequest,
)
from api.problems import Problem
from optimizer.plan import Plan
from optimizer.scenario import InvalidInput, Scenario, load_scenario
from optimizer.simulate import Evaluation, simulate

router = APIRouter(prefix="/v1", tags=["checks"])

REPAIR_SECONDS = 10.0  # a repair's default time limit (it answers in the request)
WHY_SECONDS = 10.0  # for every alternative of a why together


@router.post("/validate", response_model=ValidationOut)
def validate(body: ValidateRequest, key: Key) -> ValidationOut:
    """Every validation error of a scenario, each naming its field."""
    try:
        load_scenario(body.scenario)
    except InvalidInput as error:
        found = problems.invalid_input(error, "scenario").errors
        return ValidationOut(valid=False, errors=[FieldError(**e) for e in found])
    return ValidationOut(valid=True, errors=[])


@router.post("/evaluate", response_model=EvaluationOut)
def evaluate(body: EvaluateRequest, key: Key) -> EvaluationOut:
    """The simulator's verdict on a plan made by hand: score, KPIs and broken rules."""
    plan = plan_of(body.plan)
    ev = _simulated(scenario_of(body.scenario), plan)
    out = ev.apply_to(plan)  # targets set by attainment and the chances, when asked for
    assert out.kpis is not None
    return EvaluationOut(
        feasible=not ev.violations,
        score=ev.score,
        kpis=out.kpis.model_dump(mode="json"),
        violations=[v.model_dump(mode="json") for v in ev.violations],
        targets=[t.model_dump(mode="json") for t in out.targets],
        attainment=None if out.attainment is None else out.attainment.model_dump(mode="json"),
    )


@router.post("/repair", response_model=RepairOut)
def repair_plan(body: RepairRequest, key: Key, service: ServiceDep) -> RepairOut:
    """The nearest feasible plan to a plan that breaks rules, within the time limit, with
    every changed cell listed (a hand-made plan in, a plan the simulator accepts out)."""
    from optimizer.deadline import Deadline
    from optimizer.repair import repair

    scenario = scenario_of(body.scenario)
    plan = plan_of(body.plan)
    before = _simulated(scenario, plan)
    limit = min(body.options.time_limit or REPAIR_SECONDS, key.max_time_limit)
    fixed = repair(
        scenario,
        plan,
        Deadline.after(limit),
        workers=service.settings.cpus_per_solve,
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


@router.post("/explain", response_model=WhyOut)
@router.post("/why", response_model=WhyOut)
def why_cell(body: WhyRequest, key: Key, service: ServiceDep) -> WhyOut:
    """Why is a person where the plan puts him in a month: each alternative state priced by
    the best plan found with it forced (its score change by KPI term), or the rule that
    forbids it."""
    from optimizer.deadline import Deadline
    from optimizer.why import why

    scenario = scenario_of(body.scenario)
    plan = plan_of(body.plan)
    limit = min(body.options.time_limit or WHY_SECONDS, key.max_time_limit)
    try:
        answer = why(
            scenario,
            plan,
            body.person,
            body.period,
            Deadline.after(limit),
            workers=service.settings.cpus_per_solve,
            seed=body.options.seed,
        )
    except InvalidInput as error:  # the person, the period or the plan: named as they are
        fields = [line.partition(": ") for line in error.problems]
        errors = [{"field": f, "message": m} for f, _, m in fields]
        raise Problem(422, error.what, errors) from None
    return WhyOut.model_validate(answer.as_dict())


@router.post("/diff", response_model=DiffOut)
def diff_plans(body: DiffRequest, key: Key) -> DiffOut:
    """Two plans of one scenario side by side: each KPI in both and b - a, and every
    person-month that differs. Without `a`, b is set against the status quo."""
    from optimizer.diff import diff_evaluated
    from optimizer.status_quo import status_quo_plan

    scenario = scenario_of(body.scenario)
    a = status_quo_plan(scenario) if body.a is None else plan_of(body.a, "a")
    b = plan_of(body.b, "b")
    ea, eb = _simulated(scenario, a, "a"), _simulated(scenario, b, "b")  # each named apart
    return DiffOut.model_validate(diff_evaluated(scenario, a, ea, b, eb).as_dict())


def _simulated(scenario: Scenario, plan: Plan, field: str = "plan") -> Evaluation:
    """The plan simulated, or 422 naming what makes it unreadable under `field`."""
    try:
        return simulate(scenario, plan)
    except InvalidInput as error:
        raise problems.invalid_input(error, field) from None
