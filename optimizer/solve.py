"""One entry point, one result: `solve(scenario, options) -> SolveResult`.

A solve is a pipeline of stages, each its own module, all reading one `Deadline`:

1. pre-checks (`optimizer.explain.precheck`): conflicts visible without search;
2. warm start and repair (`optimizer.warm`): the hint, or the greedy plan and the status quo;
   one that breaks rules is repaired (`optimizer.repair`) into a feasible plan;
3. improve: one CP-SAT search of the whole model (`optimizer.search.cpsat`), or the
   neighbourhood search from the start (`optimizer.search.lns`); `auto` takes the latter
   above `LNS_PERSONS` people and, below it, first tries a proof for a share of the time;
4. verify (`optimizer.verify`): every plan returned has been through the simulator — no
   violations, and its score equals the model's objective to the unit.

The product never answers "no plan" while it holds a feasible one, and it answers within the
time limit: every stage takes what it needs from the same deadline and the same stop signal.
"""

from __future__ import annotations

import logging
import os

from optimizer.deadline import Deadline
from optimizer.model.solution import add_hint, extract_plan, ortools_version
from optimizer.plan import SolverInfo
from optimizer.result import (
    STRATEGIES,
    Parallel,
    Progress,
    SolveOptions,
    SolveResult,
    make_result,
    relative_gap_pct,
)
from optimizer.scenario import Scenario
from optimizer.verify import SolveBug, check
from optimizer.warm import Start, feasible_start

__all__ = [
    "LNS_PERSONS",
    "PROOF_SHARE",
    "STRATEGIES",
    "Parallel",
    "Progress",
    "SolveBug",
    "SolveOptions",
    "SolveResult",
    "add_hint",
    "check",
    "extract_plan",
    "relative_gap_pct",
    "solve",
]

log = logging.getLogger(__name__)

LNS_PERSONS = 40  # "auto" searches neighbourhoods above this many reps and positions
PROOF_SHARE = 0.25  # "auto" on small scenarios: this share of the time for a proof first
# the answer may come this much after the time limit when the warm start needs it: a plan
# in 0.8 s more beats "no plan" (the promise is the time limit + 1 s)
START_GRACE = 0.8
EXPLAIN_MIN_SECONDS = 0.5  # an infeasible answer gets at least this long for its explanation


SAMPLING_SECONDS = 1.2e-7  # per sample, person and month (measured: 0.7e-7 at 400 and 1,500 reps)


def sampling_seconds(s: Scenario) -> float:
    """What the answer's section 8 sampling takes, about, kept back from the search (none
    without an `uncertainty` block; 1,500 reps, 12 months, 2,000 samples: about 4 s)."""
    if s.uncertainty is None:
        return 0.0
    return SAMPLING_SECONDS * s.uncertainty.samples * len(s.persons) * s.periods


def solve(s: Scenario, options: SolveOptions | None = None) -> SolveResult:
    """Find the best plan of a scenario within the options' limits."""
    options = options or SolveOptions()
    # the answer's section 8 sampling comes after the search: its time is kept back
    deadline = Deadline.after(max(0.0, options.time_limit - sampling_seconds(s)), options.stop)
    workers = options.workers or os.cpu_count() or 1
    info = SolverInfo(name="cp-sat", version=ortools_version(), workers=workers, seed=options.seed)

    from optimizer.explain import precheck

    problems = precheck(s)
    if problems:
        return _infeasible(info, deadline, "\n".join(problems))

    _stage(options, deadline, "warm start")
    start: Start | None = None
    if options.hint is not None or options.greedy_hint:
        start = feasible_start(
            s,
            options.hint,
            deadline.grace(START_GRACE),
            workers=workers,
            seed=options.seed,
            greedy=options.greedy_hint,
            deterministic_time=options.deterministic_time,
        )
        if start.status == "INFEASIBLE":
            return _infeasible(info, deadline, _explain(s, options, deadline))
        if start.plan is not None and options.incumbent is not None:
            options.incumbent(start.plan)
    result = _improve(s, options, deadline, start)
    result.seconds = deadline.elapsed()  # one clock: from the solve's start to its answer
    if result.plan is not None:
        result.plan = result.plan.model_copy(update={"solve_seconds": round(result.seconds, 3)})
    if start is not None:
        result.warm_start_score = start.warm_score
        result.repaired = None if start.repaired is None else len(start.repaired.changes)
    if result.status == "INFEASIBLE" and result.explanation is None:
        result.explanation = _explain(s, options, deadline)
    return result


def _improve(
    s: Scenario, options: SolveOptions, deadline: Deadline, start: Start | None
) -> SolveResult:
    """The improve stage the strategy asks for, from the start (when there is one)."""
    from optimizer.search.cpsat import cpsat_solve

    feasible = start is not None and start.plan is not None
    if feasible and deadline.expired():  # stopped or out of time: the checked start answers
        assert start is not None and start.plan is not None and start.evaluation is not None
        info = SolverInfo(
            name="warm-start", version=ortools_version(), workers=1, seed=options.seed
        )
        return make_result(
            s, "FEASIBLE", start.plan, start.evaluation, None, deadline.elapsed(), info
        )
    if not feasible and deadline.expired():  # stopped before any checked plan existed
        info = SolverInfo(name="cp-sat", version=ortools_version(), workers=1, seed=options.seed)
        return SolveResult.without_plan("UNKNOWN", deadline.elapsed(), info)
    large = len(s.persons) > LNS_PERSONS
    if feasible and (options.strategy == "lns" or (options.strategy == "auto" and large)):
        _stage(options, deadline, "search")
        return _lns(s, options, deadline, start, None)
    if options.strategy == "auto" and options.deterministic_time is None and feasible and not large:
        return _prove_then_search(s, options, deadline, start)
    _stage(options, deadline, "search")
    return cpsat_solve(s, options, deadline, start)


def _lns(
    s: Scenario,
    options: SolveOptions,
    deadline: Deadline,
    start: Start | None,
    known_bound: int | None,
) -> SolveResult:
    from optimizer.search.lns import LnsOptions, lns_solve

    assert start is not None and start.plan is not None and start.evaluation is not None
    return lns_solve(
        s,
        LnsOptions(
            time_limit=deadline.left(),
            workers=options.workers,
            seed=options.seed,
            gap_pct=options.gap_pct,
            lp_bound=options.lp_bound and known_bound is None,
            progress=options.progress,
            incumbent=options.incumbent,
            stop=options.stop,
            executor=options.parallel.executor,
            processes=options.parallel.processes,
            address=options.parallel.address,
            known_bound=known_bound,
        ),
        deadline,
        (start.plan, start.evaluation),
    )


def _prove_then_search(
    s: Scenario, options: SolveOptions, deadline: Deadline, start: Start | None
) -> SolveResult:
    """Small scenarios: CP-SAT on the whole model for a share of the time (it proves many
    optima outright); if it does not, neighbourhood search from its plan for the rest, which
    finds better plans sooner (crimea, 60 s: 78.1 M against 71.6 M), keeping its bound."""
    from optimizer.search.cpsat import cpsat_solve

    _stage(options, deadline, "proof")
    first = cpsat_solve(s, options, deadline.child(PROOF_SHARE), start, proof=True)
    if first.status != "FEASIBLE" or first.plan is None or first.evaluation is None:
        return first
    if deadline.left() < 1.0:
        return first
    gap = first.gap_pct
    if options.gap_pct is not None and gap is not None and gap <= options.gap_pct:
        return first
    _stage(options, deadline, "search")
    proved = Start("FEASIBLE", first.plan, first.evaluation, "proof")
    rest = _lns(s, options, deadline, proved, first.best_bound)
    if rest.plan is None or rest.score is None or first.score is None or rest.score < first.score:
        return first
    return rest


def _stage(options: SolveOptions, deadline: Deadline, stage: str) -> None:
    """Tell the progress callback which stage runs now (a line before the first score)."""
    if options.progress is not None:
        options.progress(Progress(deadline.elapsed(), None, None, None, 0, stage=stage))


def _explain(s: Scenario, options: SolveOptions, deadline: Deadline) -> str | None:
    if not options.explain:
        return None
    from optimizer.explain import explain_infeasible

    return explain_infeasible(s, time_limit=max(EXPLAIN_MIN_SECONDS, deadline.left()))


def _infeasible(info: SolverInfo, deadline: Deadline, explanation: str | None) -> SolveResult:
    return SolveResult.without_plan("INFEASIBLE", deadline.elapsed(), info, explanation)
