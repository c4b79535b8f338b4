"""Locks (section 3): a lock fixes territory and/or role in its periods; on a position it
forces the position filled by then. A forbid (`forbid: true`) rules the named state out."""

from __future__ import annotations

from optimizer.model.core import Build, Term


def add(b: Build) -> list[Term]:
    s, v = b.scenario, b.vars
    for i, lock in enumerate(s.locks):
        verb = "may not work as" if lock.forbid else "works as"
        g = b.guards(
            ("lock", lock.rep, i),
            f"lock {i}: {lock.rep} {verb} {lock.words} in period(s) "
            f"{', '.join(map(str, lock.periods))}",
        )
        for p in lock.periods:
            matching = [lit for cell, lit in v.options(lock.rep, p).items() if lock.fits(cell)]
            b.model.add(sum(matching) == (0 if lock.forbid else 1)).only_enforce_if(g)
    return []
