"""The first stages of a solve: a warm start, repaired until it keeps every hard rule.

The candidates are the caller's hint, or the greedy plan and the status quo; the best
feasible one (by score) starts the search. When none is feasible, the one with the fewest
violations goes to repair (`optimizer.repair`), which frees what breaks rules and re-solves
that part. A start that repair proves impossible means the scenario is infeasible.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from optimizer.deadline import Deadline, Stopped
from optimizer.plan import Plan, SolverInfo
from optimizer.repair import Repaired, repair
from optimizer.result import SolveResult
from optimizer.scenario import InvalidInput, Scenario
from optimizer.simulate import Evaluation, simulate

log = logging.getLogger(__name__)

REPAIR_SHARE = 0.5  # of the time left, at most, for repairing a broken warm start


@dataclass
class Start:
    """A checked feasible plan to search from, or why there is none."""

    status: Literal["FEASIBLE", "INFEASIBLE", "UNKNOWN"]
    plan: Plan | None
    evaluation: Evaluation | None
    source: str  # "hint", "greedy", "status quo", each possibly "... repaired"
    warm_score: int | None = None  # the best candidate's score when it was feasible as it was
    repaired: Repaired | None = None

    def without_plan(self, seconds: float, info: SolverInfo) -> SolveResult:
        """The answer when this start is all there is and it has no plan."""
        return SolveResult.without_plan(self.status, seconds, info)


def candidates(
    s: Scenario, hint: Plan | None, deadline: Deadline, greedy: bool = True
) -> list[tuple[str, Plan, Evaluation]]:
    """The warm-start candidates, each simulated: the hint alone when there is one (an
    unreadable hint is only a worse start, never a failure), else the status quo and, time
    allowing, the greedy plan."""
    out: list[tuple[str, Plan, Evaluation]] = []
    if hint is not None:
        try:
            out.append(("hint", hint, simulate(s, hint)))
        except InvalidInput:
            log.warning("warm start plan is unreadable; solving without it", exc_info=True)
        if out:
            return out
    from optimizer.status_quo import status_quo_plan

    quo = status_quo_plan(s)
    out.append(("status quo", quo, simulate(s, quo)))
    if greedy:
        from optimizer.greedy import greedy_evaluated

        try:
            out.append(("greedy", *greedy_evaluated(s, deadline)))
        except Stopped:
            log.info("greedy stopped at the deadline; starting from the status quo")
    return out


def feasible_start(
    s: Scenario,
    hint: Plan | None,
    deadline: Deadline,
    workers: int = 1,
    seed: int = 0,
    greedy: bool = True,
    deterministic_time: float | None = None,
) -> Start:
    """The best feasible candidate, or the least broken one repaired within its share."""
    found = candidates(s, hint, deadline, greedy)
    feasible = [c for c in found if c[2].feasible]
    if feasible:
        source, plan, evaluation = max(feasible, key=lambda c: c[2].score)
        return Start("FEASIBLE", plan, evaluation, source, warm_score=evaluation.score)
    if not found:
        return Start("UNKNOWN", None, None, "none")
    source, plan, evaluation = min(found, key=lambda c: (len(c[2].violations), -c[2].score))
    log.info("warm start (%s) breaks %d rule(s): repairing", source, len(evaluation.violations))
    fixed = repair(
        s,
        plan,
        deadline.child(REPAIR_SHARE),
        workers=workers,
        seed=seed,
        deterministic_time=deterministic_time,
    )
    return Start(fixed.status, fixed.plan, fixed.evaluation, f"{source} repaired", None, fixed)
