"""Veterans (section 3): a protected veteran keeps his current territory and role in every
available period. Normal-mode domains give him no other cell; explain mode guards it."""

from __future__ import annotations

from optimizer.model.core import Build, Term
from optimizer.plan import Cell


def add(b: Build) -> list[Term]:
    s, v = b.scenario, b.vars
    for person in s.persons:
        if not person.veteran or person.current is None:
            continue
        keep = Cell(person.current.role, person.current.territory)
        g = b.guards(
            ("veteran", person.id, None),
            f"protected veteran {person.id} keeps {keep.role} in {keep.territory}",
        )
        for p in range(s.periods):
            if v.options(person.id, p) and not isinstance(v.lit(person.id, p, keep), int):
                b.model.add(v.lit(person.id, p, keep) == 1).only_enforce_if(g)
            elif v.options(person.id, p) and v.lit(person.id, p, keep) == 0:
                b.model.add_linear_constraint(0, 1, 1).only_enforce_if(g)
    return []
