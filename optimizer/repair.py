"""Repair: any plan with violations becomes the nearest feasible plan the time allows.

The greedy's plan, the status quo, a baseline carried forward or a planner's hand-made plan
may break hard rules. Repair frees the person-periods that break them and the people coupled
to them — everyone working or able to farm a town whose floor, office, pool or hand-over rule
is broken; the trainees of an over-full training period; the hires when too many start — and
solves that neighbourhood's sub-model (`optimizer.search.scope`: the rest of the plan is
fixed, the coupling rules reduced by it) for a feasible plan; the search that follows scores
it (`polish` spends the time left on the score instead). When the neighbourhood cannot be
made feasible (CP-SAT proves it), it widens: to everyone who may work in the towns
concerned, then to the whole scenario. If the whole scenario is infeasible, that is the
answer, explained by `optimizer.explain`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from ortools.sat.python import cp_model

from optimizer.deadline import Deadline
from optimizer.model.solution import add_hint, extract_plan, run
from optimizer.plan import OFF, TRAINEE, Cell, Plan, Violation
from optimizer.scenario import Scenario
from optimizer.search.neighbourhood import Neighbourhood, SubModels
from optimizer.search.scope import territory_totals
from optimizer.simulate import Evaluation, simulate
from optimizer.verify import check

log = logging.getLogger(__name__)

TERRITORY_RULES = frozenset(
    {"coverage.min_farmers", "coverage.max_reps", "prospect_supply", "rotation.handover_farmer"}
)
HELPERS = 8  # people, besides those already there, freed to help one broken town-period
LEVELS = ("violations", "towns", "whole")  # how wide a repair neighbourhood is, in order


@dataclass(frozen=True)
class Change:
    """One person-period the repair changed."""

    person: str
    period: int
    before: str
    after: str


@dataclass
class Repaired:
    """What repair made of a plan: a feasible plan (or why not) and what it changed."""

    status: Literal["FEASIBLE", "INFEASIBLE", "UNKNOWN"]
    plan: Plan | None
    evaluation: Evaluation | None
    changes: list[Change] = field(default_factory=list)
    rounds: int = 0
    freed: int = 0  # people freed in the last round
    violations_before: int = 0


def repair(
    s: Scenario,
    plan: Plan,
    deadline: Deadline,
    workers: int = 1,
    seed: int = 0,
    models: SubModels | None = None,
    deterministic_time: float | None = None,
    polish: bool = False,
) -> Repaired:
    """The nearest feasible plan to `plan` within the deadline. `plan` must be readable
    (`simulate` raises `InvalidInput` otherwise); a feasible plan comes back unchanged.
    `deterministic_time` (CP-SAT's work units per round) makes the answer the same whatever
    the machine's load, while the deadline still holds. With `polish`, the time left goes to
    the score: the people repair freed are re-optimized together, from the feasible plan."""
    if deadline.expired():  # nothing can be done in no time: say so at once
        return Repaired("UNKNOWN", None, None)
    models = models or SubModels(s)
    original = plan
    plan = _normalized(s, plan)
    evaluation = simulate(s, plan)
    before = len(simulate(s, original).violations) if plan is not original else 0
    before = before or len(evaluation.violations)
    level, rounds, freed_count, retried = 0, 0, 0, False
    everyone: set[str] = set()
    while not evaluation.feasible:
        if deadline.expired():
            return Repaired("UNKNOWN", None, None, rounds=rounds, violations_before=before)
        rounds += 1
        freed = _to_free(s, models, plan, evaluation.violations, LEVELS[level])
        freed_count = len(freed)
        everyone |= freed
        # the whole scenario frees the bonus levels too: a level's uplift wears pools down,
        # so a scenario may be feasible only under another level
        periods = frozenset(range(s.periods)) if LEVELS[level] == "whole" else frozenset()
        hood = Neighbourhood("repair", frozenset(freed), periods)
        # a round may take half of what is left, the whole when freeing everyone
        share = 1.0 if LEVELS[level] == "whole" else 0.5
        code, found = _solve(
            models, plan, evaluation, hood, deadline.child(share), workers, seed, deterministic_time
        )
        log.info(
            "repair round %d (%s): %d people freed, %s",
            rounds,
            LEVELS[level],
            len(freed),
            code,
        )
        if found is not None:
            plan = found
            evaluation = simulate(s, plan)
            retried = False
            continue
        if code == "INFEASIBLE":
            if LEVELS[level] == "whole":
                return Repaired("INFEASIBLE", None, None, rounds=rounds, violations_before=before)
            level += 1
        elif not retried and LEVELS[level] != "whole":
            retried = True  # out of time on this round: once more, then wider
        else:
            retried = False
            level = min(level + 1, len(LEVELS) - 1)
    if polish and everyone and not deadline.expired():
        step = models.solve(
            plan, evaluation, Neighbourhood("repair", frozenset(everyone)), deadline, workers, seed
        )
        better = step.evaluation is not None and step.evaluation.score > evaluation.score
        if better and step.plan is not None and step.evaluation is not None:
            plan, evaluation = step.plan, step.evaluation
    return Repaired(
        "FEASIBLE",
        plan,
        evaluation,
        changes=changes_between(s, original, plan),
        rounds=rounds,
        freed=freed_count,
        violations_before=before,
    )


def _solve(
    models: SubModels,
    plan: Plan,
    evaluation: Evaluation,
    hood: Neighbourhood,
    deadline: Deadline,
    workers: int,
    seed: int,
    deterministic_time: float | None,
) -> tuple[str, Plan | None]:
    """One repair round: the neighbourhood's sub-model, hinted with the broken plan."""
    scope, built = models.build(plan, territory_totals(evaluation), hood)
    add_hint(built, scope.project(plan))  # a guide only: the plan breaks the model's rules
    # feasibility first, without the objective: the search that follows scores. Measured on
    # an 80-rep awkward scenario (20 people freed): 1.3 s to a plan, against 7.6 s with
    # CP-SAT's defaults and 17.6 s with the objective kept
    built.model.clear_objective()
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = workers
    params.random_seed = seed
    params.linearization_level = 0
    params.cp_model_probing_level = 0
    params.symmetry_level = 0
    if deterministic_time is not None:
        params.max_deterministic_time = deterministic_time
    if workers == 1:
        params.interleave_search = False
    code = run(solver, built, deadline)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ("INFEASIBLE" if code == cp_model.INFEASIBLE else "UNKNOWN"), None
    sub = extract_plan(built, solver)
    check(scope.scenario, sub, solver.value(built.score))
    return "FEASIBLE", scope.merge(plan, sub)


def _normalized(s: Scenario, plan: Plan) -> Plan:
    """Bonus levels the plan may not choose replaced: the frozen baseline level where one
    binds, else the neutral level (a level is global: freeing it frees the whole scenario)."""
    menu = {level.name for level in s.bonus_menu}
    frozen = s.baseline.bonus_levels[: s.baseline.freeze_periods] if s.baseline else ()
    levels = list(plan.bonus_levels[: s.periods])
    levels += [s.neutral_level.name] * (s.periods - len(levels))
    for p, name in enumerate(levels):
        if p < len(frozen) and frozen[p] in menu:
            levels[p] = frozen[p]
        elif name not in menu:
            levels[p] = s.neutral_level.name
    if tuple(levels) == plan.bonus_levels:
        return plan
    return plan.model_copy(update={"bonus_levels": tuple(levels)})


def _to_free(
    s: Scenario,
    models: SubModels,
    plan: Plan,
    violations: tuple[Violation, ...],
    level: str,
) -> set[str]:
    """The people a repair round frees for these violations, at this width."""
    if level == "whole":
        return set(s.person_by_id)
    cells: dict[tuple[str, int], Cell] = {
        (a.person, a.period): Cell(a.role, a.territory) for a in plan.assignments
    }
    working: dict[tuple[str, int], set[str]] = defaultdict(set)
    filled: set[str] = set()
    for (person, p), cell in cells.items():
        if cell.territory is not None:
            working[(cell.territory, p)].add(person)
        if person in s.position_by_id and cell != OFF:
            filled.add(person)
    freed: set[str] = set()
    towns: set[str] = set()
    for v in violations:
        if v.rule in TERRITORY_RULES:
            towns.add(v.entity)
            periods = range(s.periods) if v.period is None else [v.period]
            for p in periods:
                freed |= working[(v.entity, p)]
                if v.rule == "prospect_supply":  # earlier hunters wore the pool down
                    for q in range(p):
                        freed |= {
                            x for x in working[(v.entity, q)] if cells[(x, q)].role == "hunter"
                        }
                freed |= helpers(models, v.entity, p, cells, freed)
        elif v.rule == "training.capacity" and v.period is not None:
            freed |= {x for (x, p), c in cells.items() if p == v.period and c == TRAINEE}
        elif v.rule.startswith("hiring.") and v.entity not in s.person_by_id:
            freed |= filled
        elif v.entity in s.person_by_id:
            freed.add(v.entity)
            if v.rule.startswith("training."):  # the seats he needs are taken by others
                freed |= {x for (x, _p), c in cells.items() if c == TRAINEE}
    freed |= _room(s, models, freed, cells, working, filled)
    if level == "towns":
        for person in list(freed):
            for (x, _p), cell in cells.items():
                if x == person and cell.territory is not None:
                    towns.add(cell.territory)
        for t in towns:
            freed |= models.may_work.get(t, set())
            for p in range(s.periods):
                freed |= working[(t, p)]
    return freed or set(s.person_by_id)


def _room(
    s: Scenario,
    models: SubModels,
    freed: set[str],
    cells: dict[tuple[str, int], Cell],
    working: dict[tuple[str, int], set[str]],
    filled: set[str],
) -> set[str]:
    """Who stands in the way of the freed people: the occupants of an office a lock or a
    frozen period sends one of them to, and for a position the other hires (they share
    `max_hires` and the hires per period)."""
    out: set[str] = set()
    for person in freed:
        if person in s.position_by_id:
            out |= filled
        for p in range(s.periods):
            towns = {c.territory for c in models.domains.of(person, p) if c.territory}
            if len(towns) == 1 and all(c.working for c in models.domains.of(person, p)):
                (town,) = towns
                out |= working[(town, p)]
    return out


def helpers(
    models: SubModels, town: str, p: int, cells: dict[tuple[str, int], Cell], taken: set[str]
) -> set[str]:
    """Up to `HELPERS` people who may farm `town` in period `p`: those based there first,
    then those idle (bench, trainee) in that period, then the rest."""
    s = models.s
    candidates = [x for x in models.may_farm.get((town, p), ()) if x not in taken]

    def rank(x: str) -> tuple[bool, bool, str]:
        cell = cells.get((x, p), OFF)
        return (s.person_by_id[x].home != town, cell.working, x)

    return set(sorted(candidates, key=rank)[:HELPERS])


def changes_between(s: Scenario, before: Plan, after: Plan) -> list[Change]:
    """Every person-period whose state differs between two plans of one scenario."""
    old = {(a.person, a.period): (a.role, a.territory) for a in before.assignments}
    new = {(a.person, a.period): (a.role, a.territory) for a in after.assignments}
    off = (OFF.role, OFF.territory)
    out = []
    for person in s.persons:
        for p in range(s.periods):
            was, now = old.get((person.id, p), off), new.get((person.id, p), off)
            if was != now:
                out.append(Change(person.id, p, str(Cell(*was)), str(Cell(*now))))
    return out
