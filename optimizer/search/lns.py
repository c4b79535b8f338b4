"""Large-neighbourhood search over the exact CP-SAT model.

Start from the checked warm start (the better of the greedy plan and the status quo). Then,
again and again, free a neighbourhood — a region of nearby territories and the people working
or based there; a time window; the hunters and farmers of one prospect pool; a random group —
fix every other decision to the incumbent (a sub-model: the fixed cells are constants, so only
the neighbourhood and the territories it can touch are variables; see `SubModels`), and let
CP-SAT re-optimize the neighbourhood under a short limit, completely hinted with the
incumbent. A result becomes the incumbent only when the simulator finds it free of
violations and scores it as the model does (an improvement, or an equal plan, which moves the
search along a plateau). Each kind's neighbourhood grows when CP-SAT proves it holds nothing
better and shrinks when it cannot finish in time. The coupling rules (company goals,
`max_hires`, hires per period, trainer capacity, the bonus level) hold by construction: every
sub-solve is the whole model with part of it fixed.

The bound reported is the tighter of the LP relaxation's (HiGHS, computed beside the search
up to ~100k variables) and the capacity bound (`optimizer.search.capacity`, any size): a true
gap.
"""

from __future__ import annotations

import logging
import math
import os
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from optimizer.domains import build_domains
from optimizer.model import Built, build_model
from optimizer.plan import Plan, SolverInfo
from optimizer.scenario import Scenario
from optimizer.search.bound import LP_MAX_VARIABLES, LpBound, lp_bound_of, snapshot
from optimizer.search.capacity import capacity_bound
from optimizer.search.flow import FLOW_MAX_COLUMNS, flow_bound, flow_columns
from optimizer.search.scope import Scope, pinned, scope_of, territory_totals
from optimizer.simulate import Evaluation, simulate
from optimizer.solve import (
    Progress,
    SolveOptions,
    SolveResult,
    _result,
    _version,
    _warm_start,
    check,
    extract_plan,
    relative_gap_pct,
)

log = logging.getLogger(__name__)

KINDS = ("region", "window", "pool", "random")


@dataclass(frozen=True)
class Neighbourhood:
    """What is freed: every period of `persons`, and every person in `periods` (with the bonus
    level of those periods)."""

    kind: str
    persons: frozenset[str]
    periods: frozenset[int] = frozenset()
    both: bool = False  # free only the persons' cells inside the periods

    def frees(self, person: str, period: int) -> bool:
        if self.both:
            return person in self.persons and period in self.periods
        return person in self.persons or period in self.periods

    def frees_level(self, period: int) -> bool:
        return not self.both and period in self.periods


@dataclass
class LnsStats:
    iterations: int = 0
    improvements: int = 0
    tried: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    improved: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    size: dict[str, float] = field(default_factory=dict)
    sub_time_limit: float = 1.0

    def line(self) -> str:
        kinds = ", ".join(
            f"{k} {self.improved[k]}/{self.tried[k]} (size {self.size.get(k, 0):.0f})"
            for k in KINDS
            if self.tried[k]
        )
        return f"{self.iterations} neighbourhoods, {self.improvements} improvements: {kinds}"


@dataclass
class LnsOptions:
    """How to search. `workers` are CP-SAT's per sub-solve (default: every CPU)."""

    time_limit: float = 60.0
    workers: int | None = None
    seed: int = 0
    gap_pct: float | None = None
    sub_time_limit: float = 1.0  # first limit per neighbourhood; adapted as the search goes
    max_sub_time_limit: float = 30.0
    stagnation: int | None = None  # neighbourhoods without improvement before giving up
    lp_bound: bool = True
    progress: Callable[[Progress], None] | None = None
    stats: Callable[[LnsStats], None] | None = None
    stop: threading.Event | None = None
    hint: Plan | None = None
    # side by side: "local" (a process pool) or "ray"; None solves one neighbourhood at a time
    executor: str | None = None
    processes: int | None = None  # parallel sub-solves (default: CPUs / workers)
    address: str | None = None  # a Ray cluster; None starts a local instance
    known_bound: int | None = None  # a bound proven before (e.g. by a CP-SAT phase)


class _Search:
    def __init__(self, s: Scenario, options: LnsOptions, started: float) -> None:
        self.s = s
        self.options = options
        self.started = started
        self.rng = random.Random(options.seed)
        self.models = SubModels(s)
        self.may_work: dict[str, set[str]] = defaultdict(set)
        for (person, _p), cells in self.models.domains.cells.items():
            for cell in cells:
                if cell.territory is not None:
                    self.may_work[cell.territory].add(person)
        self.persons = [p.id for p in s.persons]
        self.near: dict[str, list[str]] = {}  # seed -> territories by distance, when asked
        self.based: dict[str, set[str]] = defaultdict(set)  # territory -> people based there
        for person in s.persons:
            self.based[person.home].add(person.id)
        n = len(self.persons)
        self.stats = LnsStats(sub_time_limit=options.sub_time_limit)
        start_size = max(2.0, min(n, 8.0))
        self.stats.size = dict.fromkeys(KINDS, start_size)
        self.stats.size["window"] = max(1.0, s.periods / 4)

    # -- neighbourhoods -----------------------------------------------------------------------

    def _nearest(self, tid: str) -> list[str]:
        s = self.s
        here = s.territory_by_id[tid]

        def km(other: str) -> float:
            t = s.territory_by_id[other]
            if here.lat is None or t.lat is None or here.lon is None or t.lon is None:
                return math.inf
            dlat = math.radians(t.lat - here.lat)
            dlon = math.radians(t.lon - here.lon) * math.cos(math.radians((t.lat + here.lat) / 2))
            return 6371.0 * math.hypot(dlat, dlon)

        return sorted((t.id for t in s.territories), key=lambda o: (o != tid, km(o), o))

    def neighbourhood(self, kind: str, plan: Plan) -> Neighbourhood:
        size = max(1, round(self.stats.size[kind]))
        works: dict[str, set[str]] = defaultdict(set)
        for a in plan.assignments:
            if a.territory is not None:
                works[a.territory].add(a.person)
        rng = self.rng
        if kind == "window":
            width = min(self.s.periods, size)
            first = rng.randrange(0, self.s.periods - width + 1)
            periods = frozenset(range(first, first + width))
            if len(self.persons) <= 40:
                return Neighbourhood(kind, frozenset(), periods)
            # large scenarios: a window over a region, not over everyone
            region = self._region(self._seed(works), 40, works)
            return Neighbourhood(kind, frozenset(region), periods, both=True)
        if kind == "region":
            return Neighbourhood(kind, frozenset(self._region(self._seed(works), size, works)))
        if kind == "pool":
            t = self._seed(works)
            chosen = set(works[t])
            others = sorted(self.may_work[t] - chosen)
            rng.shuffle(others)
            chosen.update(others[: max(0, size - len(chosen))])
            return Neighbourhood(kind, frozenset(chosen))
        return Neighbourhood(
            kind, frozenset(rng.sample(self.persons, min(size, len(self.persons))))
        )

    def batch(self, plan: Plan, count: int, first: int) -> list[Neighbourhood]:
        """Up to `count` neighbourhoods of people (no windows) that free no one twice."""
        chosen: list[Neighbourhood] = []
        taken: set[str] = set()
        kinds = [k for k in KINDS if k != "window"]
        for attempt in range(count * 10):
            if len(chosen) == count:
                break
            hood = self.neighbourhood(kinds[(first + attempt) % len(kinds)], plan)
            if hood.persons and not hood.persons & taken:
                chosen.append(hood)
                taken |= hood.persons
        return chosen

    def _seed(self, works: dict[str, set[str]]) -> str:
        active = sorted(t for t, people in works.items() if people)
        pool = active or [t.id for t in self.s.territories]
        return self.rng.choice(pool)

    def _region(self, seed: str, size: int, works: dict[str, set[str]]) -> set[str]:
        chosen: set[str] = set()
        if seed not in self.near:
            self.near[seed] = self._nearest(seed)
        for t in self.near[seed]:
            chosen |= works.get(t, set())
            chosen |= self.based.get(t, set())
            if len(chosen) >= size:
                break
        return chosen


class SubModels:
    """Builds, for each neighbourhood, the exact model of the part of the scenario it can
    change (`optimizer.search.scope`): the fixed cells are constants, the territories no freed
    person can reach are left out, the coupling rules keep what the rest uses. A sub-model is
    a small fraction of the whole (L: ~10-50k variables of 269k) and builds in well under a
    second whatever the size of the scenario."""

    def __init__(self, s: Scenario) -> None:
        self.s = s
        self.domains = build_domains(s)

    def build(
        self,
        plan: Plan,
        totals: dict[str, tuple[int, int]],
        hood: Neighbourhood,
        whole: bool = False,
    ) -> tuple[Scope, Built]:
        """The neighbourhood's sub-model (`totals`: each territory's won and revenue in
        `plan`); `whole` keeps every territory and person (the same optimum, a larger model:
        the tests compare the two)."""
        if whole:
            scope = Scope(scenario=self.s, freed=frozenset(self.s.person_by_id), whole=True)
        else:
            frees_level = bool(hood.periods) and not hood.both
            scope = scope_of(self.s, self.domains, plan, totals, hood.frees, frees_level)
        built = build_model(scope.scenario, domains=pinned(scope, self.domains, plan, hood.frees))
        scope.restrict(built)
        proto = built.model.proto
        v = built.build.vars
        for (person, p), cells in v.cells.items():
            # a position's cell is a literal even with one option (it is 0 when unfilled):
            # a pinned one is filled
            if len(cells) == 1 and not hood.frees(person, p):
                (lit,) = cells.values()
                if not isinstance(lit, int):
                    domain = proto.variables[lit.Index()].domain
                    domain[0] = 1
                    domain[1] = 1
        for p, levels in v.level.items():
            if hood.frees_level(p):
                continue
            for name, lit in levels.items():
                if not isinstance(lit, int):
                    value = int(p < len(plan.bonus_levels) and plan.bonus_levels[p] == name)
                    domain = proto.variables[lit.Index()].domain
                    domain[0] = value
                    domain[1] = value
        return scope, built

    def solve(
        self,
        plan: Plan,
        evaluation: Evaluation | tuple[int, dict[str, tuple[int, int]]],
        hood: Neighbourhood,
        time_limit: float,
        workers: int,
        seed: int,
        stop: threading.Event | None = None,
    ) -> Step:
        """Re-optimize one neighbourhood of `plan`, hinted completely with it. `evaluation` is
        the plan's, or just its score and territory totals (a remote worker's view): then the
        plan found is returned unchecked on the whole scenario, with its gain, for the caller
        to check. Otherwise the plan is checked twice by the simulator: on the sub-scenario
        against the model's objective, and whole, where it must move the score by as much as
        it moved the sub-scenario's (any disagreement raises `SolveBug`)."""
        from optimizer.solve import SolveBug, add_hint

        if isinstance(evaluation, Evaluation):
            score, totals = evaluation.score, territory_totals(evaluation)
        else:
            score, totals = evaluation
        scope, built = self.build(plan, totals, hood)
        local = scope.project(plan)
        if not add_hint(built, local, complete=True, seconds=time_limit, stop=stop):
            return Step(cp_model.UNKNOWN)
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = time_limit  # the search's own, building aside
        params.num_workers = workers
        params.random_seed = seed
        # measured on M (80 reps): probing and symmetry detection cost a sub-solve most of its
        # time and find nothing in a mostly fixed model
        params.cp_model_probing_level = 0
        params.symmetry_level = 0
        if workers == 1:
            params.interleave_search = False
        stopper = _watch_stop(solver, stop)
        code = solver.solve(built.model)
        if stopper is not None:
            stopper.set()
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Step(code)
        found = check(scope.scenario, extract_plan(built, solver), solver.value(built.score))
        if scope.whole:
            return Step(code, extract_plan(built, solver), found, found.score - score)
        before = simulate(scope.scenario, local).score
        if found.score < before or (
            found.score == before and not isinstance(evaluation, Evaluation)
        ):
            return Step(code)  # nothing better here: the whole plan need not be simulated
        # an equal score is kept in process: a plateau move that lets the next step go further
        candidate = scope.merge(plan, extract_plan(built, solver))
        gain = found.score - before
        if not isinstance(evaluation, Evaluation):
            return Step(code, candidate, None, gain)
        whole = simulate(self.s, candidate)
        if not whole.feasible or whole.score - score != gain:
            raise SolveBug(
                f"a {hood.kind} neighbourhood's plan moved the sub-scenario by {gain} but the "
                f"whole scenario by {whole.score - score} ({len(whole.violations)} violations)"
            )
        return Step(code, candidate, whole, gain)


@dataclass
class Step:
    """What one neighbourhood's sub-solve came back with."""

    code: int
    plan: Plan | None = None
    evaluation: Evaluation | None = None  # the whole plan's (None: not checked yet)
    gain: int | None = None  # how much better than the incumbent


def lns_solve(s: Scenario, options: LnsOptions | None = None) -> SolveResult:
    """Improve the checked warm start neighbourhood by neighbourhood until time, gap,
    stagnation or stop."""
    options = options or LnsOptions()
    started = time.monotonic()
    workers = options.workers or os.cpu_count() or 1
    info = SolverInfo(name="cp-sat-lns", version=_version(), workers=workers, seed=options.seed)
    warm, warm_eval = _warm_start(
        s, SolveOptions(hint=options.hint, greedy_hint=options.hint is None)
    )
    if warm is None or warm_eval is None or not warm_eval.feasible:
        from optimizer.solve import solve

        log.info("no feasible warm start: solving the whole model instead")
        left = max(0.1, options.time_limit - (time.monotonic() - started))
        return solve(
            s,
            SolveOptions(
                time_limit=left,
                workers=options.workers,
                seed=options.seed,
                gap_pct=options.gap_pct,
                progress=options.progress,
                stop=options.stop,
                strategy="cp-sat",  # never back into the neighbourhood search
            ),
        )
    search = _Search(s, options, started)
    bound_box: dict[str, LpBound] = {}
    bound_thread = None
    cells = sum(len(options_) for options_ in search.models.domains.cells.values())
    if options.lp_bound:
        # the model's own LP where it solves (the whole model is ~1.1 x its cells), else the
        # flow LP: both beside the search
        frozen = snapshot(build_model(s).model) if cells <= LP_MAX_VARIABLES else None
        domains = search.models.domains

        def compute_bound() -> None:
            limit = max(1.0, options.time_limit * 0.9)
            try:
                if frozen is not None:
                    bound_box["lp"] = lp_bound_of(frozen, time_limit=limit)
                elif flow_columns(s, domains) <= FLOW_MAX_COLUMNS:
                    bound_box["lp"] = flow_bound(s, domains, time_limit=limit)
            except Exception:  # a bound is a bonus: never fail the search for it
                log.exception("LP relaxation failed")

        bound_thread = threading.Thread(target=compute_bound, name="ledokol-lp-bound", daemon=True)
        bound_thread.start()

    plan, evaluation = warm, warm_eval
    since_improvement = 0
    stagnation = options.stagnation or max(60, 6 * len(KINDS))
    kind_cycle = 0

    capacity = capacity_bound(s, search.models.domains)

    def bound() -> int | None:
        lp = bound_box.get("lp")
        known = [options.known_bound, capacity, None if lp is None else lp.bound]
        return min(b for b in known if b is not None)

    def report(current: Evaluation | None = None) -> None:
        shown = current or evaluation
        if options.progress is not None:
            b = bound()
            options.progress(
                Progress(
                    elapsed=time.monotonic() - started,
                    score=shown.score,
                    bound=b,
                    gap_pct=None if b is None else relative_gap_pct(shown.score, b),
                    solutions=search.stats.improvements,
                )
            )
        if options.stats is not None:
            options.stats(search.stats)

    report()
    if options.executor is not None:
        plan, evaluation = _parallel(s, search, options, plan, evaluation, started, report, bound)
        info = info.model_copy(update={"name": f"cp-sat-lns-{options.executor}"})
    while options.executor is None:
        left = options.time_limit - (time.monotonic() - started)
        if left <= 0.05 or (options.stop is not None and options.stop.is_set()):
            break
        b = bound()
        if (
            options.gap_pct is not None
            and b is not None
            and relative_gap_pct(evaluation.score, b) <= options.gap_pct
        ):
            break
        if since_improvement >= stagnation:
            log.info("LNS: no improvement in %d neighbourhoods; stopping", since_improvement)
            break
        kind = KINDS[kind_cycle % len(KINDS)]
        kind_cycle += 1
        hood = search.neighbourhood(kind, plan)
        if not hood.persons and not hood.periods:
            continue
        t_sub = time.monotonic()
        step = search.models.solve(
            plan,
            evaluation,
            hood,
            min(left, search.stats.sub_time_limit),
            workers,
            options.seed + search.stats.iterations,
            options.stop,
        )
        code = step.code
        log.debug("LNS %s: %s in %.2f s", kind, code, time.monotonic() - t_sub)
        search.stats.iterations += 1
        search.stats.tried[kind] += 1
        improved = False
        if step.evaluation is not None and step.evaluation.score >= evaluation.score:
            assert step.plan is not None
            improved = step.evaluation.score > evaluation.score
            plan, evaluation = step.plan, step.evaluation
        size = search.stats.size
        if improved:
            search.stats.improvements += 1
            search.stats.improved[kind] += 1
            since_improvement = 0
        else:
            since_improvement += 1
            if code == cp_model.OPTIMAL:
                size[kind] = min(size[kind] * 1.25 + 1, _limit(s, kind))
            elif code in (cp_model.FEASIBLE, cp_model.UNKNOWN):
                size[kind] = max(1.0, size[kind] * 0.8)
        if code == cp_model.UNKNOWN:  # not even the hint came back: give sub-solves more time
            search.stats.sub_time_limit = min(
                options.max_sub_time_limit, search.stats.sub_time_limit * 2
            )
        report()

    if bound_thread is not None:
        bound_thread.join(timeout=max(0.0, options.time_limit - (time.monotonic() - started)))
    seconds = time.monotonic() - started
    b = bound()
    if b is not None and b < evaluation.score:
        raise AssertionError(f"bound {b} below a checked plan's score {evaluation.score}")
    gap = None if b is None else relative_gap_pct(evaluation.score, b)
    status = "OPTIMAL" if gap is not None and gap == 0 else "FEASIBLE"
    log.info("LNS: %s", search.stats.line())
    result = _result(s, status, plan, evaluation, b, gap, seconds, info, None, warm_eval)
    result.search = search.stats.line()
    return result


def _parallel(
    s: Scenario,
    search: _Search,
    options: LnsOptions,
    plan: Plan,
    evaluation: Evaluation,
    started: float,
    report: Callable[[Evaluation], None],
    bound: Callable[[], int | None],
) -> tuple[Plan, Evaluation]:
    """Batches of disjoint neighbourhoods on an executor; results combined, always checked."""
    from optimizer.search.parallel import make_executor

    processes = options.processes or max(1, (os.cpu_count() or 1) // (options.workers or 1))
    executor = make_executor(
        options.executor or "local",
        s.model_dump_json(),
        processes,
        cpus=options.workers or 1,
        address=options.address,
    )
    stats = search.stats
    since_improvement = 0
    stagnation = options.stagnation or max(60, 6 * len(KINDS))
    try:
        while True:
            left = options.time_limit - (time.monotonic() - started)
            if left <= 0.05 or (options.stop is not None and options.stop.is_set()):
                break
            b = bound()
            close = b is not None and relative_gap_pct(evaluation.score, b) <= (
                options.gap_pct if options.gap_pct is not None else -1.0
            )
            if close or since_improvement >= stagnation:
                break
            hoods = search.batch(plan, processes, stats.iterations)
            if not hoods:
                break
            seconds = min(left, stats.sub_time_limit)
            plan_json, totals = plan.model_dump_json(), territory_totals(evaluation)
            answers = executor.run(
                [
                    (plan_json, evaluation.score, totals, hood, seconds, options.workers or 1, seed)
                    for seed, hood in enumerate(hoods, start=options.seed + stats.iterations)
                ]
            )
            found: list[tuple[Neighbourhood, Plan, int]] = []
            for hood, (code, rows_json, gain) in zip(hoods, answers, strict=True):
                stats.iterations += 1
                stats.tried[hood.kind] += 1
                size = stats.size
                if code == cp_model.OPTIMAL:
                    size[hood.kind] = min(size[hood.kind] * 1.25 + 1, _limit(s, hood.kind))
                else:
                    size[hood.kind] = max(1.0, size[hood.kind] * 0.8)
                if code == cp_model.UNKNOWN:
                    stats.sub_time_limit = min(options.max_sub_time_limit, stats.sub_time_limit * 2)
                if rows_json is not None and gain > 0:
                    found.append((hood, Plan.model_validate_json(rows_json), gain))
            best = _accept(s, plan, evaluation, found)
            if best is None:
                since_improvement += len(hoods)
            else:
                plan, evaluation, kind = best
                stats.improvements += 1
                stats.improved[kind] += 1
                since_improvement = 0
            report(evaluation)
    finally:
        executor.close()
    return plan, evaluation


def _accept(
    s: Scenario, plan: Plan, evaluation: Evaluation, found: list[tuple[Neighbourhood, Plan, int]]
) -> tuple[Plan, Evaluation, str] | None:
    """The incumbent with every neighbourhood's better rows, when the simulator confirms the
    sum of their gains; otherwise the best single one it confirms. A single neighbourhood's
    plan that the simulator scores other than its gain says is a bug, raised."""
    from optimizer.search.parallel import combine
    from optimizer.simulate import simulate
    from optimizer.solve import SolveBug

    if not found:
        return None
    found = sorted(found, key=lambda f: -f[2])
    if len(found) >= 2:
        merged = combine(plan, [(hood, rows) for hood, rows, _ in found])
        checked = simulate(s, merged)
        # neighbourhoods may compete for a coupling capacity (hires, trainers, a goal)
        if checked.feasible and checked.score > evaluation.score + found[0][2]:
            return merged, checked, found[0][0].kind
    hood, rows, gain = found[0]
    single = combine(plan, [(hood, rows)])
    checked = simulate(s, single)
    if not checked.feasible or checked.score != evaluation.score + gain:
        raise SolveBug(
            f"a {hood.kind} neighbourhood's plan should gain {gain}, the simulator says "
            f"{checked.score - evaluation.score} ({len(checked.violations)} violations)"
        )
    return single, checked, hood.kind


def _limit(s: Scenario, kind: str) -> float:
    return float(s.periods if kind == "window" else len(s.persons))


def _watch_stop(solver: cp_model.CpSolver, stop: threading.Event | None) -> threading.Event | None:
    from optimizer.solve import _stop_when_set

    return _stop_when_set(solver, stop)
