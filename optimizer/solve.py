"""One entry point, one result: `solve(scenario, options) -> SolveResult`.

Every returned plan has been through the simulator: no violations, and its score equals the
model's objective to the unit, or the solve fails loudly as a bug. The product never answers
"no plan" while it holds a feasible one: a checked warm start the search did not improve in
time comes back as FEASIBLE.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from optimizer.model import Built, build_model
from optimizer.plan import OFF, Assignment, Cell, Plan, SolverInfo
from optimizer.scenario import InvalidInput, Scenario
from optimizer.simulate import Evaluation, simulate

log = logging.getLogger(__name__)

STATUS = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}


class SolveBug(AssertionError):
    """The model and the simulator disagree: never returned to a user as an answer."""


@dataclass(frozen=True)
class Progress:
    """A snapshot of the search: the incumbent, the bound and the gap."""

    elapsed: float
    score: int | None
    bound: int | None
    gap_pct: float | None
    solutions: int


@dataclass
class SolveOptions:
    """How to solve. `workers=None` uses every CPU of the machine. One worker, a fixed seed and
    a deterministic time limit (`deterministic_time`, in CP-SAT's work units) give the same
    plan every run, whatever the machine's load."""

    time_limit: float = 60.0
    deterministic_time: float | None = None
    workers: int | None = None
    seed: int = 0
    gap_pct: float | None = None
    hint: Plan | None = None
    greedy_hint: bool = True
    progress: Callable[[Progress], None] | None = None
    stop: threading.Event | None = None
    log_search: bool = False
    explain: bool = True
    # "cp-sat": one search over the whole model; "lns": neighbourhood search from the warm
    # start (optimizer.search.lns); "auto": LNS for scenarios of more than LNS_PERSONS people
    strategy: str = "auto"
    lp_bound: bool = True  # also bound by the LP relaxation (HiGHS); the tighter bound counts
    # LNS only: neighbourhoods side by side on "local" processes or "ray" (address: a cluster)
    executor: str | None = None
    processes: int | None = None
    address: str | None = None


@dataclass
class SolveResult:
    """What a solve found: CP-SAT's status kept, and the checked plan when there is one."""

    status: str
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

    @property
    def has_plan(self) -> bool:
        return self.plan is not None

    def summary(self) -> str:
        """One line: status, score, bound, gap and time."""
        if self.plan is None:
            why = f": {self.explanation}" if self.explanation else ""
            return f"{self.status} after {self.seconds:.1f} s{why}"
        bound = "-" if self.best_bound is None else f"{self.best_bound:,}"
        gap = "-" if self.gap_pct is None else f"{self.gap_pct:.2f} %"
        return (
            f"{self.status}: score {self.score:,}, bound {bound}, gap {gap}, {self.seconds:.1f} s"
        )


def relative_gap_pct(score: int, bound: float) -> float:
    """CP-SAT's relative gap, |bound - score| / max(1, |score|), in percent."""
    return abs(bound - score) / max(1.0, abs(score)) * 100.0


LNS_PERSONS = 40  # "auto" searches neighbourhoods above this many reps and positions
STRATEGIES = ("auto", "cp-sat", "lns")
PROOF_SHARE = 0.25  # "auto" on small scenarios: this share of the time for a proof first


def solve(s: Scenario, options: SolveOptions | None = None) -> SolveResult:
    """Find the best plan of a scenario within the options' limits."""
    options = options or SolveOptions()
    if options.strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}")
    large = len(s.persons) > LNS_PERSONS
    if options.strategy == "lns" or (options.strategy == "auto" and large):
        return _lns(s, options, options.time_limit, options.hint, None)
    if options.strategy == "auto" and options.deterministic_time is None:
        return _prove_then_search(s, options)
    started = time.monotonic()
    workers = options.workers or os.cpu_count() or 1
    info = SolverInfo(name="cp-sat", version=_version(), workers=workers, seed=options.seed)

    from optimizer.explain import explain_infeasible, precheck

    problems = precheck(s)
    if problems:
        return SolveResult(
            status="INFEASIBLE",
            plan=None,
            evaluation=None,
            score=None,
            best_bound=None,
            gap_pct=None,
            seconds=time.monotonic() - started,
            solver=info,
            explanation="\n".join(problems),
        )

    warm, warm_eval = _warm_start(s, options)
    built = build_model(s)
    lp = _LpBoundThread(s, built, options.time_limit) if options.lp_bound else None
    if warm is not None:
        left = options.time_limit - (time.monotonic() - started)
        add_hint(built, warm, complete=left > 1.0, seconds=left / 4, stop=options.stop)
    stopped = options.stop is not None and options.stop.is_set()
    if stopped and warm is not None and warm_eval is not None and warm_eval.feasible:
        # stopped before the search began: the checked warm start is the answer
        seconds = time.monotonic() - started
        return _result(s, "FEASIBLE", warm, warm_eval, None, None, seconds, info, built, warm_eval)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.max_time_in_seconds = max(0.0, options.time_limit - (time.monotonic() - started))
    params.num_workers = workers
    params.random_seed = options.seed
    params.log_search_progress = options.log_search
    if options.deterministic_time is not None:
        params.max_deterministic_time = options.deterministic_time
    if options.gap_pct is not None:
        params.relative_gap_limit = options.gap_pct / 100.0
    if workers == 1:
        params.interleave_search = False
    watcher = _Watcher(started, options, built)
    solver.best_bound_callback = watcher.on_bound
    stopper = _stop_when_set(solver, options.stop)
    code = solver.solve(built.model, watcher)
    if stopper is not None:
        stopper.set()
    status = STATUS[code]
    bound = _bound(solver, code)
    if lp is not None:
        lp_value = lp.result(wait=max(0.0, options.time_limit - (time.monotonic() - started)))
        if lp_value is not None and code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            bound = lp_value if bound is None else min(bound, lp_value)
    seconds = time.monotonic() - started

    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        plan = extract_plan(built, solver)
        evaluation = check(s, plan, solver.value(built.score))
        score = evaluation.score
        if warm_eval is not None and warm_eval.feasible and warm_eval.score > score:
            plan, evaluation, score, status = warm, warm_eval, warm_eval.score, "FEASIBLE"
        gap = None if bound is None else relative_gap_pct(score, bound)
        return _result(s, status, plan, evaluation, bound, gap, seconds, info, built, warm_eval)
    if code == cp_model.INFEASIBLE and warm_eval is not None and warm_eval.feasible:
        raise SolveBug("the model calls the scenario infeasible, yet the simulator accepts a plan")
    if warm_eval is not None and warm_eval.feasible and warm is not None:
        # The search found nothing better in time: the checked warm start is the answer.
        gap = None if bound is None else relative_gap_pct(warm_eval.score, bound)
        return _result(s, "FEASIBLE", warm, warm_eval, bound, gap, seconds, info, built, warm_eval)
    explanation = None
    if code == cp_model.INFEASIBLE and options.explain:
        explanation = explain_infeasible(s, time_limit=max(5.0, options.time_limit / 2))
    return SolveResult(
        status=status,
        plan=None,
        evaluation=None,
        score=None,
        best_bound=bound,
        gap_pct=None,
        seconds=time.monotonic() - started,
        solver=info,
        explanation=explanation,
        model_size={} if built is None else built.size(),
        warm_start_score=None if warm_eval is None else warm_eval.score,
    )


def _lns(
    s: Scenario,
    options: SolveOptions,
    time_limit: float,
    hint: Plan | None,
    known_bound: int | None,
) -> SolveResult:
    from optimizer.search.lns import LnsOptions, lns_solve

    return lns_solve(
        s,
        LnsOptions(
            time_limit=time_limit,
            workers=options.workers,
            seed=options.seed,
            gap_pct=options.gap_pct,
            lp_bound=options.lp_bound and known_bound is None,
            progress=options.progress,
            stop=options.stop,
            hint=hint,
            executor=options.executor,
            processes=options.processes,
            address=options.address,
            known_bound=known_bound,
        ),
    )


def _prove_then_search(s: Scenario, options: SolveOptions) -> SolveResult:
    """Small scenarios: CP-SAT on the whole model for a share of the time (it proves many
    optima outright); if it does not, neighbourhood search from its plan for the rest, which
    finds better plans sooner (crimea, 60 s: 78.1 M against 71.6 M), keeping its bound."""
    from dataclasses import replace

    started = time.monotonic()
    first = solve(
        s, replace(options, strategy="cp-sat", time_limit=options.time_limit * PROOF_SHARE)
    )
    left = options.time_limit - (time.monotonic() - started)
    stopped = options.stop is not None and options.stop.is_set()
    if first.status != "FEASIBLE" or first.plan is None or stopped or left < 1.0:
        return first
    close = options.gap_pct is not None and first.gap_pct is not None
    if close and first.gap_pct <= options.gap_pct:  # type: ignore[operator]
        return first
    offset = time.monotonic() - started
    report = options.progress
    if report is not None:  # the search's times continue the proof's, from the solve's start
        options = replace(
            options, progress=lambda p: report(replace(p, elapsed=p.elapsed + offset))
        )
    rest = _lns(s, options, left, first.plan, first.best_bound)
    if rest.plan is None or rest.score is None or first.score is None or rest.score < first.score:
        return first
    rest.seconds = time.monotonic() - started
    rest.warm_start_score = first.warm_start_score
    return rest


def _result(
    s: Scenario,
    status: str,
    plan: Plan,
    evaluation: Evaluation,
    bound: int | None,
    gap: float | None,
    seconds: float,
    info: SolverInfo,
    built: Built | None,
    warm_eval: Evaluation | None,
) -> SolveResult:
    out = evaluation.apply_to(
        plan.model_copy(
            update={
                "scenario": s.name,
                "best_bound": bound,
                "gap_pct": None if gap is None else round(gap, 4),
                "solve_seconds": round(seconds, 3),
                "solver": info,
            }
        ),
        status=status,  # type: ignore[arg-type]
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
        model_size={} if built is None else built.size(),
        warm_start_score=None if warm_eval is None else warm_eval.score,
    )


def check(s: Scenario, plan: Plan, objective: int) -> Evaluation:
    """The simulator's verdict on a solver plan; any disagreement is a bug, said loudly."""
    evaluation = simulate(s, plan)
    if evaluation.violations:
        listed = "; ".join(str(v) for v in evaluation.violations[:5])
        raise SolveBug(f"the model returned a plan that breaks rules: {listed}")
    if evaluation.score != objective:
        raise SolveBug(
            f"simulator score {evaluation.score} != model objective {objective} "
            f"(difference {objective - evaluation.score})"
        )
    return evaluation


def _warm_start(s: Scenario, options: SolveOptions) -> tuple[Plan | None, Evaluation | None]:
    """The given hint, or the better of the greedy plan and the status quo (feasible first)."""
    if options.hint is not None:
        candidates = [options.hint]
    elif options.greedy_hint:
        from optimizer.greedy import greedy_plan
        from optimizer.status_quo import status_quo_plan

        candidates = [greedy_plan(s), status_quo_plan(s)]
    else:
        return None, None
    best: tuple[Plan, Evaluation] | None = None
    for plan in candidates:
        try:
            evaluation = simulate(s, plan)
        except InvalidInput:  # an unreadable hint is only a worse start, never a failure
            log.warning("warm start plan is unreadable; solving without it", exc_info=True)
            continue
        if best is None or (evaluation.feasible, evaluation.score) > (
            best[1].feasible,
            best[1].score,
        ):
            best = (plan, evaluation)
    return best if best is not None else (None, None)


def add_hint(
    built: Built,
    plan: Plan,
    complete: bool = True,
    seconds: float = 30.0,
    stop: threading.Event | None = None,
) -> bool:
    """Hint every decision variable once (old hints cleared): cells, starts, bonus levels.

    With `complete`, the auxiliary variables (dynamics, costs) are hinted too, from a solve of
    the model with the decisions fixed: CP-SAT accepts a complete hint right after presolve.
    Returns whether the hint is a solution of the model.
    """
    model, v = built.model, built.build.vars
    model.clear_hints()
    chosen: dict[tuple[str, int], Cell] = {
        (a.person, a.period): Cell(a.role, a.territory) for a in plan.assignments
    }
    for (person, p), lits in v.cells.items():
        cell = chosen.get((person, p), OFF)
        for option, lit in lits.items():
            if not isinstance(lit, int):
                model.add_hint(lit, option == cell)
    for person, starts in v.start.items():
        worked = [p for (x, p), c in chosen.items() if x == person and c != OFF]
        first = min(worked) if worked else None
        for start, lit in starts.items():
            model.add_hint(lit, start == first)
    for p, levels in v.level.items():
        name = plan.bonus_levels[p] if p < len(plan.bonus_levels) else None
        for level, lit in levels.items():
            if not isinstance(lit, int):
                model.add_hint(lit, level == name)
    if not complete:
        return False
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    stopper = _stop_when_set(solver, stop)
    code = solver.solve(model)
    if stopper is not None:
        stopper.set()
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False  # the plan breaks the model's rules: keep the decisions as a guide only
    model.clear_hints()
    proto = model.proto
    for index in range(len(proto.variables)):
        var = model.get_int_var_from_proto_index(index)
        model.add_hint(var, solver.value(var))
    return True


def extract_plan(built: Built, solver: cp_model.CpSolver) -> Plan:
    """Read the chosen cell of every person and period, and the bonus levels."""
    s, v = built.build.scenario, built.build.vars
    rows: list[Assignment] = []
    for person in s.persons:
        person_rows = []
        for p in range(s.periods):
            cell = OFF
            for option, lit in v.options(person.id, p).items():
                if (lit if isinstance(lit, int) else solver.boolean_value(lit)) == 1:
                    cell = option
                    break
            person_rows.append(
                Assignment(
                    person=person.id,
                    period=p,
                    role=cell.role,  # type: ignore[arg-type]
                    territory=cell.territory,
                )
            )
        if person.is_position and all(r.role == "off" for r in person_rows):
            continue  # an unfilled position is not part of a plan
        rows.extend(person_rows)
    levels = []
    for p in range(s.periods):
        for name, lit in v.level[p].items():
            if (lit if isinstance(lit, int) else solver.boolean_value(lit)) == 1:
                levels.append(name)
                break
    return Plan(scenario=s.name, assignments=tuple(rows), bonus_levels=tuple(levels))


def _bound(solver: cp_model.CpSolver, code: int) -> int | None:
    """CP-SAT's upper bound, rounded down; none unless the search got as far as a solution
    (with UNKNOWN, CP-SAT reports 0, which bounds nothing)."""
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    bound = solver.best_objective_bound
    if bound != bound or abs(bound) == float("inf"):  # NaN or infinite: no bound yet
        return None
    return int(bound + 1e-6) if bound >= 0 else -int(-bound - 1e-6)


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports each new incumbent and each bound change to the progress callback."""

    def __init__(self, started: float, options: SolveOptions, built: Built) -> None:
        super().__init__()
        self._started = started
        self._options = options
        self._built = built
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
                elapsed=time.monotonic() - self._started,
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

    def __init__(self, s: Scenario, built: Built, time_limit: float) -> None:
        from optimizer.search.bound import LP_MAX_VARIABLES, snapshot

        self.value: int | None = None
        small = len(built.model.proto.variables) <= LP_MAX_VARIABLES
        model = snapshot(built.model) if small else None
        self._thread = threading.Thread(
            target=self._run, args=(s, model, time_limit), daemon=True, name="ledokol-lp"
        )
        self._thread.start()

    def _run(self, s: Scenario, model: bytes | None, time_limit: float) -> None:
        from optimizer.search.bound import lp_bound_of
        from optimizer.search.flow import flow_bound

        try:
            if model is not None:
                self.value = lp_bound_of(model, time_limit=time_limit).bound
            else:
                self.value = flow_bound(s, time_limit=time_limit).bound
        except Exception:  # a bound is a bonus: never fail a solve for it
            log.exception("LP relaxation failed")

    def result(self, wait: float) -> int | None:
        self._thread.join(timeout=wait)
        return self.value


def _stop_when_set(
    solver: cp_model.CpSolver, stop: threading.Event | None
) -> threading.Event | None:
    """Watch `stop` in a thread and stop the search when it is set (solve() releases the GIL)."""
    if stop is None:
        return None
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if stop.wait(0.05):
                solver.stop_search()
                return

    threading.Thread(target=watch, daemon=True, name="ledokol-stop").start()
    return done


def _version() -> str:
    from importlib.metadata import version

    return version("ortools")
