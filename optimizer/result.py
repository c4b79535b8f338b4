"""What a solve is asked (`SolveOptions`) and what it answers (`SolveResult`, `Progress`)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from optimizer.plan import Plan, SolverInfo, SolverStatus
from optimizer.scenario import Scenario
from optimizer.simulate import Evaluation


@dataclass(frozen=True)
class Progress:
    """A snapshot of the search: the incumbent, the bound and the gap."""

    elapsed: float
    score: int | None
    bound: int | None
    gap_pct: float | None
    solutions: int
    stage: str = "search"  # warm start, repair, search: what the solve is doing now


Strategy = Literal["auto", "cp-sat", "lns"]
ExecutorKind = Literal["local", "ray"]
STRATEGIES: tuple[Strategy, ...] = get_args(Strategy)
EXECUTORS: tuple[ExecutorKind, ...] = get_args(ExecutorKind)
# a reproducible solve counts CP-SAT's deterministic work units; the wall clock, this many
# times longer, only guards against a machine far slower than expected
REPRODUCIBLE_WALL_FACTOR = 3.0


@dataclass(frozen=True)
class Parallel:
    """Neighbourhood search only: sub-solves side by side on `executor` ("local" processes or
    "ray"; None solves one at a time), `processes` of them (default: CPUs / workers), on the
    Ray cluster at `address` (None: a local instance)."""

    executor: ExecutorKind | None = None
    processes: int | None = None
    address: str | None = None

    def __post_init__(self) -> None:
        if self.executor not in (None, *EXECUTORS):
            raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, or None")


@dataclass(frozen=True)
class SolveOptions:
    """How to solve; immutable (`replace()` makes a variant). `workers=None` uses every CPU of
    the machine. One worker, a fixed seed and a deterministic time limit
    (`deterministic_time`, in CP-SAT's work units) give the same plan every run, whatever the
    machine's load: `SolveOptions.reproducible(units)`."""

    time_limit: float = 60.0
    deterministic_time: float | None = None
    workers: int | None = None
    seed: int = 0
    gap_pct: float | None = None
    hint: Plan | None = None
    greedy_hint: bool = True
    progress: Callable[[Progress], None] | None = None
    # called with every new checked plan (the service persists it: a killed job keeps it)
    incumbent: Callable[[Plan], None] | None = None
    stop: threading.Event | None = None
    log_search: bool = False
    explain: bool = True
    # "cp-sat": one search over the whole model; "lns": neighbourhood search from the warm
    # start (optimizer.search.lns); "auto": LNS for scenarios of more than LNS_PERSONS people
    strategy: Strategy = "auto"
    lp_bound: bool = True  # also bound by the LP relaxation (HiGHS); the tighter bound counts
    parallel: Parallel = field(default_factory=Parallel)  # LNS only

    def __post_init__(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}")

    @classmethod
    def reproducible(cls, work: float, **rest: Any) -> SolveOptions:
        """One worker and `work` deterministic units: the same plan for the same input on any
        machine (the wall clock gets `REPRODUCIBLE_WALL_FACTOR` times as long, as a guard)."""
        return cls(
            time_limit=work * REPRODUCIBLE_WALL_FACTOR, deterministic_time=work, workers=1, **rest
        )

    def replace(self, **changes: Any) -> SolveOptions:
        """These options with some fields changed."""
        return dataclasses.replace(self, **changes)


@dataclass
class SolveResult:
    """What a solve found: CP-SAT's status kept, and the checked plan when there is one."""

    status: SolverStatus
    plan: Plan | None
    evaluation: Evaluation | None
    score: int | None
    best_bound: int | None
    gap_pct: float | None
    seconds: float
    solver: SolverInfo
    explanation: str | None = None
    model_size: dict[str, int] = field(default_factory=dict)
    warm_start_score: int | None = None
    search: str | None = None  # what a neighbourhood search did, in one line
    repaired: int | None = None  # person-periods the repair stage changed in the warm start

    @classmethod
    def without_plan(
        cls,
        status: SolverStatus,
        seconds: float,
        solver: SolverInfo,
        explanation: str | None = None,
        best_bound: int | None = None,
        model_size: dict[str, int] | None = None,
    ) -> SolveResult:
        """An answer with no plan: INFEASIBLE (with its explanation) or none in time."""
        return cls(
            status=status,
            plan=None,
            evaluation=None,
            score=None,
            best_bound=best_bound,
            gap_pct=None,
            seconds=seconds,
            solver=solver,
            explanation=explanation,
            model_size=model_size or {},
        )

    @property
    def has_plan(self) -> bool:
        return self.plan is not None

    def summary(self) -> str:
        """One line: status, score, bound, gap and time."""
        if self.plan is None or self.score is None:
            why = f": {self.explanation}" if self.explanation else ""
            return f"{self.status} after {self.seconds:.1f} s{why}"
        bound = "-" if self.best_bound is None else f"{self.best_bound:,}"
        gap = "-" if self.gap_pct is None else f"{self.gap_pct:.2f} %"
        return (
            f"{self.status}: score {self.score:,}, bound {bound}, gap {gap}, {self.seconds:.1f} s"
        )

    def document(self, s: Scenario) -> Plan:
        """The plan document of spec section 7: the plan, or for an answer without one (an
        INFEASIBLE scenario, no plan in time) the status and the explanation alone."""
        if self.plan is not None:
            return self.plan
        return Plan(
            scenario=s.name,
            status=self.status,
            assignments=(),
            best_bound=self.best_bound,
            solve_seconds=round(self.seconds, 3),
            solver=self.solver,
            explanation=self.explanation,
        )


def relative_gap_pct(score: int, bound: float) -> float:
    """CP-SAT's relative gap, |bound - score| / max(1, |score|), in percent."""
    return abs(bound - score) / max(1.0, abs(score)) * 100.0


def make_result(
    s: Scenario,
    status: SolverStatus,
    plan: Plan,
    evaluation: Evaluation,
    bound: int | None,
    seconds: float,
    info: SolverInfo,
    model_size: dict[str, int] | None = None,
    warm_eval: Evaluation | None = None,
) -> SolveResult:
    """A result with a checked plan: the plan document filled in by the simulator."""
    gap = None if bound is None else relative_gap_pct(evaluation.score, bound)
    # roster order, then positions, period by period: whatever order the search left the
    # rows in, the schedule reads the same in the terminal, the workbook and the report
    order = {person.id: i for i, person in enumerate(s.persons)}
    rows = sorted(plan.assignments, key=lambda a: (order.get(a.person, len(order)), a.period))
    out = evaluation.apply_to(
        plan.model_copy(
            update={
                "assignments": tuple(rows),
                "scenario": s.name,
                "best_bound": bound,
                "gap_pct": None if gap is None else round(gap, 4),
                "solve_seconds": round(seconds, 3),
                "solver": info,
            }
        ),
        status=status,
    )
    return SolveResult(
        status=status,
        plan=out,
        evaluation=evaluation,
        score=evaluation.score,
        best_bound=bound,
        gap_pct=gap,
        seconds=seconds,
        solver=info,
        model_size=model_size or {},
        warm_start_score=None if warm_eval is None else warm_eval.score,
    )
