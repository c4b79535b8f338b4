"""The improve stage on the whole model: one CP-SAT search, hinted with the feasible start.

The LP relaxation (HiGHS, or the flow LP above `LP_MAX_VARIABLES`) runs beside it in a thread
and the tighter of the two bounds counts. Whatever CP-SAT finds is checked by the simulator;
when it finds nothing better than the start in time, the start is the answer.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from ortools.sat.python import cp_model

from optimizer.deadline import Deadline, Stopped
from optimizer.model import Built, build_model
from optimizer.model.solution import (
    STATUS,
    add_hint,
    cp_bound,
    extract_plan,
    ortools_version,
    run,
)
from optimizer.plan import SolverInfo
from optimizer.result import Progress, SolveOptions, SolveResult, make_result, relative_gap_pct
from optimizer.scenario import Scenario
from optimizer.verify import SolveBug, check
from optimizer.warm import Start

log = logging.getLogger(__name__)

HINT_SHARE = 0.25  # of the time left, at most, for completing the hint (dynamics, costs)


# the proof stage's portfolio, in the order workers take it (measured, docs/search.md): the
# LP at linearization level 2 beside a worker that raises the bound by probing objective values
PROOF_SUBSOLVERS = (
    "max_lp",
    "objective_lb_search",
    "default_lp",
    "quick_restart",
    "core",
    "no_lp",
    "reduced_costs",
    "pseudo_costs",
)


def cpsat_solve(
    s: Scenario,
    options: SolveOptions,
    deadline: Deadline,
    start: Start | None,
    proof: bool = False,
) -> SolveResult:
    """Search the whole model until the deadline, the gap or the stop. `proof`: settings
    for proving a small model optimal (the tighter LP and a bound worker), not for plans."""
    workers = options.workers or os.cpu_count() or 1
    info = SolverInfo(name="cp-sat", version=ortools_version(), workers=workers, seed=options.seed)
    warm = start.plan if start is not None else None
    warm_eval = start.evaluation if start is not None else None
    try:
        built = build_model(s, deadline=deadline)
    except Stopped:  # stopped while the model was built: the start is the answer
        if warm is None or warm_eval is None:
            return SolveResult.without_plan("UNKNOWN", deadline.elapsed(), info)
        return make_result(s, "FEASIBLE", warm, warm_eval, None, deadline.elapsed(), info)
    lp = _LpBoundThread(s, built, deadline) if options.lp_bound else None
    if warm is not None:
        add_hint(built, warm, deadline.child(HINT_SHARE))
    elif options.hint is not None:
        add_hint(built, options.hint)  # a hint repair could not mend: a guide, not a start
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers
    params.random_seed = options.seed
    params.log_search_progress = options.log_search
    if options.deterministic_time is not None:
        params.max_deterministic_time = options.deterministic_time
    if options.gap_pct is not None:
        params.relative_gap_limit = options.gap_pct / 100.0
    if workers == 1:
        params.interleave_search = False
    if proof:
        params.linearization_level = 2
        if workers > 1:
            params.subsolvers.extend(PROOF_SUBSOLVERS[:workers])
    watcher = _Watcher(deadline, options)
    solver.best_bound_callback = watcher.on_bound
    code = run(solver, built, deadline, watcher)
    status = STATUS[code]
    bound = cp_bound(solver, code)
    if lp is not None:
        solved = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        lp_value = lp.result(wait=deadline.left() if solved else 0.0)
        if lp_value is not None and solved:
            bound = lp_value if bound is None else min(bound, lp_value)
    has_start = warm is not None and warm_eval is not None and warm_eval.feasible
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan = extract_plan(built, solver)
        evaluation = check(s, plan, solver.value(built.score))
        if has_start and warm_eval is not None and warm_eval.score > evaluation.score:
            assert warm is not None
            plan, evaluation, status = warm, warm_eval, "FEASIBLE"
        if options.incumbent is not None:
            options.incumbent(plan)
        return make_result(
            s, status, plan, evaluation, bound, deadline.elapsed(), info, built.size(), warm_eval
        )
    if code == cp_model.INFEASIBLE and has_start:
        raise SolveBug("the model calls the scenario infeasible, yet the simulator accepts a plan")
    if has_start and warm is not None and warm_eval is not None:
        # the search found nothing better in time: the checked start is the answer
        return make_result(
            s, "FEASIBLE", warm, warm_eval, bound, deadline.elapsed(), info, built.size(), warm_eval
        )
    return SolveResult.without_plan(
        status, deadline.elapsed(), info, best_bound=bound, model_size=built.size()
    )


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports each new incumbent and each bound change to the progress callback."""

    def __init__(self, deadline: Deadline, options: SolveOptions) -> None:
        super().__init__()
        self._deadline = deadline
        self._options = options
        self.solutions = 0
        self.best: int | None = None

    def on_solution_callback(self) -> None:
        self.solutions += 1
        self.best = round(self.objective_value)
        self._report(self.best_objective_bound)

    def on_bound(self, bound: float) -> None:
        """CP-SAT's bound moved: report it with the incumbent."""
        self._report(bound)

    def _report(self, bound: float) -> None:
        if self._options.progress is None:
            return
        finite = bound == bound and abs(bound) != float("inf")
        self._options.progress(
            Progress(
                elapsed=self._deadline.elapsed(),
                score=self.best,
                bound=round(bound) if finite else None,
                gap_pct=relative_gap_pct(self.best, bound)
                if finite and self.best is not None
                else None,
                solutions=self.solutions,
            )
        )


class _LpBoundThread:
    """An LP bound computed beside the search (HiGHS releases the GIL): the relaxation of the
    model up to `LP_MAX_VARIABLES`, the flow LP (`optimizer.search.flow`) above."""

    def __init__(self, s: Scenario, built: Built, deadline: Deadline) -> None:
        from optimizer.search.bound import LP_MAX_VARIABLES, snapshot

        self.value: int | None = None
        small = len(built.model.proto.variables) <= LP_MAX_VARIABLES
        model = snapshot(built.model) if small else None
        limit = max(0.1, deadline.left())
        self._thread = threading.Thread(
            target=self._run, args=(s, model, limit), daemon=True, name="ledokol-lp"
        )
        self._thread.start()

    def _run(self, s: Scenario, model: bytes | None, time_limit: float) -> None:
        from optimizer.search.bound import lp_bound_of
        from optimizer.search.flow import flow_bound

        started = time.monotonic()
        try:
            if model is not None:
                self.value = lp_bound_of(model, time_limit=time_limit).bound
            else:
                self.value = flow_bound(s, time_limit=time_limit).bound
        except Exception:  # a bound is a bonus: never fail a solve for it
            log.exception("LP relaxation failed")
        log.debug("LP bound %s in %.2f s", self.value, time.monotonic() - started)

    def result(self, wait: float) -> int | None:
        """The bound, waiting at most `wait` s for it (never past the deadline or a stop)."""
        self._thread.join(timeout=wait)
        return self.value
