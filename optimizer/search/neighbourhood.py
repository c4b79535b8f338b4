"""Neighbourhoods and their sub-models: the unit of work of repair and of the search.

A neighbourhood frees some people (every period of theirs) or some periods (everyone in them,
with the bonus level); everything else keeps the incumbent's cells. `SubModels` builds the exact
model of the part of the scenario one neighbourhood can change (`optimizer.search.scope`) and
re-optimizes it, hinted with the incumbent, within a deadline.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from optimizer.deadline import Deadline
from optimizer.domains import Domains, build_domains
from optimizer.model import Built, build_model
from optimizer.model.solution import add_hint, extract_plan, run
from optimizer.plan import Plan
from optimizer.scenario import Scenario
from optimizer.search.scope import Scope, pinned, scope_of, territory_totals
from optimizer.simulate import Evaluation, simulate
from optimizer.verify import SolveBug, check


@dataclass(frozen=True)
class Neighbourhood:
    """What is freed: every period of `persons`, and every person in `periods` (with the bonus
    level of those periods), and any single person-periods in `cells`."""

    kind: str
    persons: frozenset[str]
    periods: frozenset[int] = frozenset()
    both: bool = False  # free only the persons' cells inside the periods
    cells: frozenset[tuple[str, int]] = frozenset()  # single person-periods freed besides

    def frees(self, person: str, period: int) -> bool:
        if (person, period) in self.cells:
            return True
        if self.both:
            return person in self.persons and period in self.periods
        return person in self.persons or period in self.periods

    def frees_level(self, period: int) -> bool:
        return not self.both and period in self.periods


class SubModels:
    """Builds, for each neighbourhood, the exact model of the part of the scenario it can
    change (`optimizer.search.scope`): the fixed cells are constants, the territories no freed
    person can reach are left out, the coupling rules keep what the rest uses. A sub-model is
    a small fraction of the whole (L: ~10-50k variables of 269k) and builds in well under a
    second whatever the size of the scenario."""

    def __init__(self, s: Scenario) -> None:
        self.s = s
        self.domains = build_domains(s)
        self.check_seconds = 0.0  # the longest whole-plan check of a step so far
        # territory -> who may work there; (territory, period) -> who may farm it then
        self.may_work: dict[str, set[str]] = defaultdict(set)
        self.may_farm: dict[tuple[str, int], list[str]] = defaultdict(list)
        for (person, p), cells in self.domains.cells.items():
            for cell in cells:
                if cell.territory is not None:
                    self.may_work[cell.territory].add(person)
                    if cell.role == "farmer":
                        self.may_farm[(cell.territory, p)].append(person)

    def build(
        self,
        plan: Plan,
        totals: dict[str, tuple[int, int]],
        hood: Neighbourhood,
        whole: bool = False,
        domains: Domains | None = None,
    ) -> tuple[Scope, Built]:
        """The neighbourhood's sub-model (`totals`: each territory's won and revenue in
        `plan`); `whole` keeps every territory and person (the same optimum, a larger model:
        the tests compare the two); `domains` narrower than the scenario's, if given."""
        domains = self.domains if domains is None else domains
        if whole:
            scope = Scope(scenario=self.s, freed=frozenset(self.s.person_by_id), whole=True)
        else:
            frees_level = bool(hood.periods) and not hood.both
            scope = scope_of(self.s, domains, plan, totals, hood.frees, frees_level)
        built = build_model(scope.scenario, domains=pinned(scope, domains, plan, hood.frees))
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
        deadline: Deadline,
        workers: int,
        seed: int,
    ) -> Step:
        """Re-optimize one neighbourhood of `plan`, hinted completely with it. `evaluation` is
        the plan's, or just its score and territory totals (a remote worker's view): then the
        plan found is returned unchecked on the whole scenario, with its gain, for the caller
        to check. Otherwise the plan is checked twice by the simulator: on the sub-scenario
        against the model's objective, and whole, where it must move the score by as much as
        it moved the sub-scenario's (any disagreement raises `SolveBug`)."""
        if isinstance(evaluation, Evaluation):
            score, totals = evaluation.score, territory_totals(evaluation)
        else:
            score, totals = evaluation
        scope, built = self.build(plan, totals, hood)
        local = scope.project(plan)
        half = deadline.left() / 2  # at most half for completing the hint, half to search
        if not add_hint(built, local, deadline.child(at_most=half)):
            return Step(cp_model.UNKNOWN)
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.num_workers = workers
        params.random_seed = seed
        # measured on M (80 reps): probing and symmetry detection cost a sub-solve most of its
        # time and find nothing in a mostly fixed model
        params.cp_model_probing_level = 0
        params.symmetry_level = 0
        if workers == 1:
            params.interleave_search = False
        code = run(solver, built, deadline.child(at_most=half))
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
        started = time.monotonic()
        whole = simulate(self.s, candidate)
        # what the last check of a step takes: the search ends its steps that much earlier
        self.check_seconds = max(self.check_seconds, time.monotonic() - started)
        if not whole.feasible or whole.score - score != gain:
            raise SolveBug(
                f"a {hood.kind} neighbourhood's plan moved the sub-scenario by {gain} but the "
                f"whole scenario by {whole.score - score} ({len(whole.violations)} violations)"
            )
        return Step(code, candidate, whole, gain)


@dataclass
class Step:
    """What one neighbourhood's sub-solve came back with."""

    code: cp_model.CpSolverStatus
    plan: Plan | None = None
    evaluation: Evaluation | None = None  # the whole plan's (None: not checked yet)
    gain: int | None = None  # how much better than the incumbent
