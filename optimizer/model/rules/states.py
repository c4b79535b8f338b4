"""Exactly one state per person and period (section 3); a filled position is never off."""

from __future__ import annotations

from optimizer.model.core import Build, Term


def add(b: Build) -> list[Term]:
    s, v = b.scenario, b.vars
    for person in s.persons:
        if person.is_position:
            starts = list(v.start[person.id].values())
            if starts:
                b.model.add_at_most_one(starts)
            for p in range(s.periods):
                cells = list(v.options(person.id, p).values())
                # sum of cells == filled: a filled position works, trains or sits on the bench
                b.model.add(sum(cells) == v.filled(person, p))
            continue
        for p in range(s.periods):
            options = b.vars.domains.of(person.id, p)
            if options == ():
                b.model.add_linear_constraint(0, 1, 1)  # nothing allowed: locks, baseline
                continue
            lits = [x for x in v.options(person.id, p).values() if not isinstance(x, int)]
            if len(lits) > 1:
                b.model.add_exactly_one(lits)
    return []
