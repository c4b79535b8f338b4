"""`solve --robust K` (optional): among the plans a solve finds, prefer the one whose mean score
over K sampled courses (spec section 8) is the highest, and report it beside the exact score.

The search itself optimizes the exact score (section 4) as always; this only chooses, at the
end, among the checked plans it met on the way: the status quo and the greedy plan (which the
warm start weighs), the warm start, every plan the neighbourhood search adopted, and the final
one; a candidate that breaks a rule is left out. Every candidate meets the same K sampled
worlds (the block's seed), so their means are compared in one market. Without an `uncertainty`
block, section 8's defaults are used.
"""

from __future__ import annotations

from dataclasses import dataclass

from optimizer.greedy import greedy_plan
from optimizer.plan import Plan
from optimizer.result import SolveOptions, SolveResult, make_result
from optimizer.scenario import Scenario, Uncertainty
from optimizer.simulate import simulate
from optimizer.simulate.noisy import run_noisy
from optimizer.solve import solve
from optimizer.status_quo import status_quo_plan


@dataclass(frozen=True)
class Candidate:
    score: int  # the exact score (section 4)
    mean: int  # the mean score over the K sampled courses
    plan: Plan


@dataclass(frozen=True)
class Robust:
    """What `--robust` chose: the solve's result with the chosen plan, every candidate, and
    which one the exact score alone would have taken."""

    result: SolveResult
    samples: int
    candidates: tuple[Candidate, ...]  # best mean first; none when the solve found no plan
    exact_best: Candidate | None

    def summary(self) -> str:
        if not self.candidates or self.exact_best is None:
            return "robust: no plan to choose among."
        chosen = self.candidates[0]
        text = (
            f"robust: {len(self.candidates)} plan(s) found, each scored on {self.samples:,} "
            f"sampled courses; chosen: exact score {chosen.score:,}, mean {chosen.mean:,}"
        )
        if chosen.plan is self.exact_best.plan:
            return text + " (also the best exact score)."
        return text + (
            f"; the best exact score, {self.exact_best.score:,}, means {self.exact_best.mean:,}."
        )


def solve_robust(s: Scenario, options: SolveOptions, k: int) -> Robust:
    """Solve, then pick among the plans found by the mean of `k` sampled courses."""
    found: list[Plan] = []
    forward = options.incumbent

    def keep(plan: Plan) -> None:
        found.append(plan)
        if forward is not None:
            forward(plan)

    result = solve(s, options.replace(incumbent=keep))
    if result.plan is None or result.evaluation is None:
        return Robust(result, k, (), None)
    block = (s.uncertainty or Uncertainty()).model_copy(update={"samples": k})
    seen: set[tuple[object, ...]] = set()
    candidates: list[Candidate] = []
    # the warm start weighs the status quo and the greedy plan too: they are candidates
    for plan in [result.plan, *reversed(found), status_quo_plan(s), greedy_plan(s)]:
        rows = sorted((a.person, a.period, a.role, a.territory or "") for a in plan.assignments)
        key = (tuple(rows), plan.bonus_levels)
        if key in seen:
            continue
        seen.add(key)
        ev = simulate(s, plan)
        if not ev.feasible or ev.course is None:
            continue
        course = run_noisy(*ev.course, block)
        candidates.append(Candidate(ev.score, int(course.score.mean()), plan))
    exact_best = max(candidates, key=lambda c: c.score)
    candidates.sort(key=lambda c: (-c.mean, -c.score))
    chosen = candidates[0]
    if chosen.plan is not result.plan:
        ev = simulate(s, chosen.plan)
        assert result.solver is not None
        result = make_result(
            s,
            "FEASIBLE",
            chosen.plan,
            ev,
            result.best_bound,
            result.seconds,
            result.solver,
            model_size=result.model_size,
        )
    return Robust(result, k, tuple(candidates), exact_best)
