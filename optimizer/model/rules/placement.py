"""Roles and mobility radius (section 3). In normal mode the domains never create a cell that
breaks them; in explain mode those cells exist and these guarded constraints forbid them."""

from __future__ import annotations

from optimizer.model.core import Build, Term


def add(b: Build) -> list[Term]:
    s, v = b.scenario, b.vars
    if not v.domains.explain:
        return []
    for person in s.persons:
        own = person.current.territory if person.veteran and person.current else None
        radius = "anywhere" if person.radius_km is None else f"within {person.radius_km:g} km"
        for p in range(s.periods):
            for cell, lit in v.options(person.id, p).items():
                if not cell.working or isinstance(lit, int):
                    continue
                if cell.role not in person.roles:
                    g = b.guards(
                        ("roles", person.id, None),
                        f"{person.id} works only as {' or '.join(sorted(person.roles))} (roles)",
                    )
                    b.model.add(lit == 0).only_enforce_if(g)
                if cell.territory != own and not s.in_reach(person, str(cell.territory)):
                    g = b.guards(
                        ("reach", person.id, None),
                        f"{person.id} works only {radius} of {person.home} (mobility radius)",
                    )
                    b.model.add(lit == 0).only_enforce_if(g)
    return []
