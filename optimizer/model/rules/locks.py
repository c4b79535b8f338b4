"""Locks (section 3): a lock fixes territory and/or role in its periods; on a position it
forces the position filled by then."""

from __future__ import annotations

from optimizer.model.core import Build, Term


def add(b: Build) -> list[Term]:
    s, v = b.scenario, b.vars
    for i, lock in enumerate(s.locks):
        wanted = " ".join(x for x in (lock.role, lock.territory and f"in {lock.territory}") if x)
        g = b.guards(
            ("lock", lock.rep, i),
            f"lock {i}: {lock.rep} works as {wanted} in period(s) "
            f"{', '.join(map(str, lock.periods))}",
        )
        for p in lock.periods:
            matching = [
                lit
                for cell, lit in v.options(lock.rep, p).items()
                if (lock.role is None or cell.role == lock.role)
                and (lock.territory is None or cell.territory == lock.territory)
            ]
            b.model.add(sum(matching) == 1).only_enforce_if(g)
    return []
