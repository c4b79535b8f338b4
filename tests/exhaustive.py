"""Exhaustive search over every plan of a tiny scenario, judged by the simulator alone.

Independent of the CP-SAT model and of its domains: every person may take every state
(`off`, `bench`, `trainee`, `hunter@t`, `farmer@t`) in every period. Rules that concern one
person only prune his sequences first; the cross product of the survivors, with every choice
of bonus levels, is then simulated in full.
"""

from __future__ import annotations

import itertools

from optimizer.plan import BENCH, OFF, TRAINEE, Assignment, Cell, Plan
from optimizer.scenario import Person, Scenario
from optimizer.simulate import simulate

PERSON_RULES = {
    "assignment.missing",
    "availability",
    "role",
    "reach",
    "training.not_needed",
    "training.long_cycle",
    "hiring.never_off",
    "hiring.earliest",
    "rotation.stint_max",
    "rotation.stint_min",
    "rotation.cooldown",
    "rotation.farmer_tenure",
    "specialization",
    "veteran",
    "lock",
    "baseline.frozen",
}


def universe(s: Scenario) -> list[Cell]:
    cells = [OFF, BENCH, TRAINEE]
    for t in s.territories:
        cells += [Cell("hunter", t.id), Cell("farmer", t.id)]
    return cells


def _plan(rows: dict[str, tuple[Cell, ...]], levels: tuple[str, ...]) -> Plan:
    assignments = tuple(
        Assignment.model_construct(person=person, period=p, role=c.role, territory=c.territory)
        for person, cells in rows.items()
        for p, c in enumerate(cells)
    )
    return Plan.model_construct(
        scenario="", status="UNKNOWN", assignments=assignments, bonus_levels=levels, hires=()
    )


def person_sequences(s: Scenario, person: Person) -> list[tuple[Cell, ...]]:
    """Every state sequence of one person that breaks none of his own rules."""
    neutral = tuple(s.bonus_menu[0].name for _ in range(s.periods))
    keep = []
    for seq in itertools.product(universe(s), repeat=s.periods):
        if person.is_position and all(c == OFF for c in seq):
            keep.append(seq)  # never filled
            continue
        ev = simulate(s, _plan({person.id: seq}, neutral))
        if not any(v.entity == person.id and v.rule in PERSON_RULES for v in ev.violations):
            keep.append(seq)
    return keep


def search_size(s: Scenario) -> int:
    """How many full plans the search would simulate (to keep tests quick)."""
    total = len(s.bonus_menu) ** s.periods
    for person in s.persons:
        total *= len(person_sequences(s, person))
    return total


def exhaustive_optimum(s: Scenario) -> int | None:
    """The best score of a plan without violations, or None when no plan has none."""
    persons = list(s.persons)
    options = [person_sequences(s, p) for p in persons]
    best: int | None = None
    for levels in itertools.product([lvl.name for lvl in s.bonus_menu], repeat=s.periods):
        for combo in itertools.product(*options):
            rows = {
                p.id: seq
                for p, seq in zip(persons, combo, strict=True)
                if not (p.is_position and all(c == OFF for c in seq))
            }
            ev = simulate(s, _plan(rows, levels))
            if ev.feasible and (best is None or ev.score > best):
                best = ev.score
    return best
