"""Request and response bodies of the HTTP API. Requests are strict: no silent coercion."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.store import JobStatus


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class SolveOptionsIn(Strict):
    time_limit: float | None = Field(
        default=None, gt=0, description="Seconds for the whole solve; default from the service."
    )
    workers: int | None = Field(
        default=None, ge=1, le=256, description="CP-SAT workers; at most the CPUs of a solve."
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    gap_pct: float | None = Field(default=None, ge=0, description="Stop within this gap, %.")
    reproducible: bool = Field(
        default=False,
        description="One worker, a fixed seed and a deterministic time limit: the same plan "
        "for the same input.",
    )
    warm_start: bool = Field(default=True, description="Start from the greedy plan.")


class SolveRequest(Strict):
    scenario: dict[str, Any] = Field(description="A scenario as in `ledokol schema scenario`.")
    options: SolveOptionsIn = Field(default_factory=SolveOptionsIn)


class CompareOptionsIn(Strict):
    time_limit: float | None = Field(
        default=None,
        gt=0,
        description="Seconds for the whole comparison; default from the service.",
    )
    levers: list[str] | None = Field(
        default=None,
        description="Levers to compare (rotation, split, bonus, hiring, targets); default: every "
        "lever the scenario defines.",
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class CompareRequest(Strict):
    scenario: dict[str, Any] = Field(description="A scenario as in `ledokol schema scenario`.")
    options: CompareOptionsIn = Field(default_factory=CompareOptionsIn)


class ReplanOptionsIn(Strict):
    freeze: int = Field(default=0, ge=0, description="Periods already communicated: kept.")
    change_cost: int = Field(default=0, ge=0, description="Per person-period changed after.")
    time_limit: float | None = Field(
        default=None, gt=0, description="Seconds for the solve; default from the service."
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    reproducible: bool = Field(
        default=False,
        description="One worker and a deterministic time limit: the same plan for the same "
        "input, whatever the machine's load.",
    )


class ReplanRequest(Strict):
    scenario: dict[str, Any] = Field(description="The last plan's scenario.")
    baseline: dict[str, Any] = Field(description="The last plan (only `assignments` and bonus).")
    actuals: dict[str, Any] = Field(
        description="What happened since: elapsed, territories, left, unavailable "
        "(docs/decisions.md, Re-planning)."
    )
    options: ReplanOptionsIn = Field(default_factory=ReplanOptionsIn)


class ValidateRequest(Strict):
    scenario: dict[str, Any]


class EvaluateRequest(Strict):
    scenario: dict[str, Any]
    plan: dict[str, Any] = Field(description="A plan; only `assignments` (and bonus) are read.")


class RepairOptionsIn(Strict):
    time_limit: float | None = Field(
        default=None,
        gt=0,
        le=300,
        description="Seconds for the repair; default 10 (and the key's cap).",
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class RepairRequest(Strict):
    scenario: dict[str, Any]
    plan: dict[str, Any] = Field(
        description="A plan that may break rules (only `assignments` and bonus are read)."
    )
    options: RepairOptionsIn = Field(default_factory=RepairOptionsIn)


class WhyOptionsIn(Strict):
    time_limit: float | None = Field(
        default=None,
        gt=0,
        le=300,
        description="Seconds for the whole answer (every alternative); default 10.",
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class WhyRequest(Strict):
    scenario: dict[str, Any]
    plan: dict[str, Any] = Field(description="A plan that keeps every rule.")
    person: str = Field(description="A rep or a filled position.")
    period: int = Field(ge=0, le=35, description="The month, as an index from 0.")
    options: WhyOptionsIn = Field(default_factory=WhyOptionsIn)


class AlternativeOut(BaseModel):
    role: str
    territory: str | None
    status: Literal["plan", "priced", "impossible", "unknown"]
    score: int | None
    delta: int | None = Field(description="The alternative's score less the plan's.")
    terms: dict[str, int] = Field(description="Each KPI term's effect on the score.")
    changed: int = Field(description="Other person-months the re-solve moved.")
    reason: str | None = Field(description="Impossible: the rule that forbids it.")
    how: Literal["as is", "quick", "deep"] | None = Field(
        default=None,
        description=(
            "How it was priced: 'as is' (the plan with just this cell changed, or with his "
            "hunter stint extended around it to the minimum; nobody else moves), 'quick' (a "
            "small re-solve around the cell) or 'deep' (a repair of the whole plan with the "
            "cell locked)."
        ),
    )
    gap_pct: float | None = Field(
        default=None, description="At most this far below the best plan (the plan's bound), %."
    )


class WhyOut(BaseModel):
    person: str
    period: int
    role: str
    territory: str | None
    score: int
    alternatives: list[AlternativeOut]


class DiffRequest(Strict):
    scenario: dict[str, Any]
    a: dict[str, Any] | None = Field(
        default=None, description="The first plan; omitted: the scenario's status quo."
    )
    b: dict[str, Any] = Field(description="The second plan, compared with the first.")


class KpiRowOut(BaseModel):
    kpi: str
    label: str
    a: int
    b: int
    difference: int = Field(description="b - a")


class CellChangeOut(BaseModel):
    person: str
    period: int
    before: str
    after: str


class DiffOut(BaseModel):
    kpis: list[KpiRowOut]
    changes: list[CellChangeOut] = Field(description="Every person-month that differs.")
    feasible: list[bool] = Field(description="Whether a and b keep every rule.")
    violations: list[int]


class ChangeOut(BaseModel):
    person: str
    period: int
    before: str
    after: str


class RepairOut(BaseModel):
    status: Literal["FEASIBLE", "INFEASIBLE", "UNKNOWN"] = Field(
        description="FEASIBLE: `plan` keeps every rule; INFEASIBLE: no plan can (see "
        "`explanation`); UNKNOWN: none found within the time limit."
    )
    violations_before: int
    changes: list[ChangeOut] = Field(description="Every person-period the repair changed.")
    plan: dict[str, Any] | None = Field(description="The repaired plan (spec section 7).")
    explanation: str | None = None


class FieldError(BaseModel):
    field: str
    message: str


class ValidationOut(BaseModel):
    valid: bool
    errors: list[FieldError]


class EvaluationOut(BaseModel):
    feasible: bool
    score: int
    kpis: dict[str, Any]
    violations: list[dict[str, Any]]
    targets: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Each person's targets; with the scenario's `uncertainty` block, each with "
        "its chances (spec section 8).",
    )
    attainment: dict[str, Any] | None = Field(
        default=None,
        description="With the scenario's `uncertainty` block: the company's P10/P50/P90, the "
        "goals' chances and the share of targets attained (spec section 8).",
    )


class Progress(BaseModel):
    elapsed: float
    score: int | None = None
    best_bound: int | None = None
    gap_pct: float | None = None
    solutions: int = 0
    combinations: int | None = Field(
        default=None,
        description="A comparison: how many combinations in all (`solutions`: the solves done, "
        "each combination once and then the race's).",
    )


class JobOut(BaseModel):
    id: str
    status: JobStatus
    solver_status: str | None = Field(
        description="The plan's status (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN); null before "
        "the solve answers."
    )
    scenario: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    input_hash: str
    options: dict[str, Any]
    solver: dict[str, Any] | None
    progress: Progress | None
    summary: dict[str, Any] | None
    error: str | None
    cancel_requested: bool
    attempts: int
    links: dict[str, str]


class JobPage(BaseModel):
    items: list[JobOut]
    total: int
    limit: int
    offset: int


class ProblemOut(BaseModel):
    """An error (RFC 9457 problem details); `errors` names each offending field."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None
