"""The plan (spec section 7): what the engine decides and what the simulator derives from it.

A plan read from a file needs only `assignments` (and `bonus_levels` when the bonus policy is
on); everything else is derived by the simulator and filled in by `Evaluation.apply_to`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

State = Literal["hunter", "farmer", "trainee", "bench", "off"]
WORKING: frozenset[str] = frozenset({"hunter", "farmer"})
SolverStatus = Literal["OPTIMAL", "FEASIBLE", "INFEASIBLE", "MODEL_INVALID", "UNKNOWN"]

Int = Annotated[int, Strict()]
Period = Annotated[int, Strict(), Field(ge=0, description="Period index, 0 = first month.")]


@dataclass(frozen=True)
class Cell:
    """A person's state in one period: role, and territory for hunter/farmer."""

    role: State
    territory: str | None = None

    @property
    def working(self) -> bool:
        return self.role in WORKING

    def __str__(self) -> str:
        return f"{self.role}@{self.territory}" if self.working else self.role


OFF = Cell("off")
BENCH = Cell("bench")
TRAINEE = Cell("trainee")


class Frozen(BaseModel):
    """Immutable, closed model: unknown fields are errors, nothing changes after validation."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Assignment(Frozen):
    """One person's state in one period: `hunter@t`, `farmer@t`, `trainee`, `bench` or `off`."""

    person: str = Field(min_length=1, description="Rep id or position id (H-<territory>-<k>).")
    period: Period
    role: State
    territory: str | None = Field(
        default=None, description="Territory id for hunter/farmer; null otherwise."
    )

    @model_validator(mode="after")
    def _territory_iff_working(self) -> Assignment:
        if self.role in WORKING and self.territory is None:
            raise ValueError(f"{self.person} period {self.period}: {self.role} needs a territory")
        if self.role not in WORKING and self.territory is not None:
            raise ValueError(
                f"{self.person} period {self.period}: {self.role} has no territory "
                f"(got '{self.territory}')"
            )
        return self

    @property
    def label(self) -> str:
        """`hunter@SIM`, `farmer@KER`, `trainee`, `bench`, `off`."""
        return f"{self.role}@{self.territory}" if self.role in WORKING else self.role


class Hire(Frozen):
    """A filled position: who, where, from which period."""

    person: str
    territory: str
    start_period: Period


class TerritoryPeriod(Frozen):
    """Pool and accounts at the start of a period and the flows of the period (section 4)."""

    territory: str
    period: Int
    hunters: Int
    farmers: Int
    pool: Int
    accounts: Int
    won: Int
    served: Int
    churn: Int
    margin: Int
    revenue: Int


class Month(Frozen):
    """The company's month: flows summed over the territories, each cost of section 4 in the
    month it falls (a hire in his start month, a hand-over or a role switch in the month the
    person takes the new state) and the bonus level in force. The months' costs add up to the
    KPIs' totals."""

    period: Int
    bonus_level: str
    won: Int
    revenue: Int
    margin: Int
    salaries: Int
    hiring_cost: Int
    travel: Int
    bonus_cost: Int
    handover: Int
    switches: Int
    bench: Int

    @property
    def costs(self) -> int:
        return (
            self.salaries
            + self.hiring_cost
            + self.travel
            + self.bonus_cost
            + self.handover
            + self.switches
            + self.bench
        )


class Target(Frozen):
    """A person's targets for one target period (section 5), both components."""

    person: str
    from_period: Int
    to_period: Int
    new_clients: Int
    revenue: Int
    p_new_clients: float | None = None
    p_revenue: float | None = None
    p_both: float | None = None


class Percentiles(Frozen):
    p10: Int
    p50: Int
    p90: Int


class Attainment(Frozen):
    """Section 8: the company's figures over the noisy samples of the plan."""

    samples: Int
    seed: Int
    profit: Percentiles
    new_clients: Percentiles
    revenue: Percentiles
    p_goal_new_clients: float | None = None
    p_goal_revenue: float | None = None
    share_attained: float | None = None


class GoalsRealistic(Frozen):
    new_clients: bool
    revenue: bool


class Kpis(Frozen):
    """Money and counts of section 4; all money in integer currency units."""

    profit: Int
    margin_total: Int
    revenue_total: Int
    terminal: Int
    salaries: Int
    hiring_cost: Int
    travel: Int
    bonus_cost: Int
    handover: Int
    switches: Int
    bench: Int
    penalties: Int
    new_clients: Int
    goal_new_clients: Int | None
    goal_revenue: Int | None
    goals_realistic: GoalsRealistic
    shortfall_new_clients: Int | None
    shortfall_revenue: Int | None
    targets_new_clients: Int
    targets_revenue: Int
    hires: Int = Field(default=0, description="Number of filled positions.")
    changes: Int = Field(default=0, description="Changed person-periods against the baseline.")
    change_cost: Int = Field(default=0, description="change_cost * changes (part of penalties).")
    score: Int = Field(default=0, description="profit - penalties.")


class Violation(Frozen):
    """A broken hard rule: which rule, which entity, which period (null: the whole horizon)."""

    rule: str
    entity: str
    period: Int | None
    message: str

    def __str__(self) -> str:
        when = "" if self.period is None else f" (period {self.period})"
        return f"[{self.rule}] {self.entity}{when}: {self.message}"


class SolverInfo(Frozen):
    name: str
    version: str
    workers: Int
    seed: Int


class Plan(Frozen):
    """A plan as in spec section 7. Only `assignments` is needed to evaluate one."""

    scenario: str = ""
    status: SolverStatus = "UNKNOWN"
    score: Int | None = None
    best_bound: Int | None = None
    gap_pct: float | None = None
    solve_seconds: float | None = None
    solver: SolverInfo | None = None
    assignments: tuple[Assignment, ...]
    hires: tuple[Hire, ...] = ()
    bonus_levels: tuple[str, ...] = Field(
        default=(), description="One bonus level name per period; may be omitted if bonus is off."
    )
    territory_periods: tuple[TerritoryPeriod, ...] = ()
    months: tuple[Month, ...] = Field(
        default=(), description="The company month by month: flows, costs and the bonus level."
    )
    targets: tuple[Target, ...] = ()
    kpis: Kpis | None = None
    violations: tuple[Violation, ...] = Field(
        default=(), description="Broken hard rules found by the simulator (empty for a valid plan)."
    )
    explanation: str | None = None
    attainment: Attainment | None = None
