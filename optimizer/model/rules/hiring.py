"""Open positions (section 3): at most `max_hires` filled, at most `max_hires_per_period`
starting in a period, from `earliest_period` (the start variables begin there). Positions of
one territory that no lock or baseline names are interchangeable: they fill in order."""

from __future__ import annotations

import itertools

from optimizer.model.core import Build, Term
from optimizer.model.variables import total


def add(b: Build) -> list[Term]:
    s, v = b.scenario, b.vars
    h = s.hiring
    if h is None or not s.positions:
        return []
    all_starts = [x for starts in v.start.values() for x in starts.values()]
    g = b.guards(("hiring.max_hires", "hiring", None), f"at most {h.max_hires} hires in all")
    b.model.add(total(all_starts) <= h.max_hires).only_enforce_if(g)
    for p in range(h.earliest_period, s.periods):
        starting = [v.start[pid][p] for pid in v.start if p in v.start[pid]]
        if len(starting) > h.per_period_cap:
            g = b.guards(
                ("hiring.per_period", "hiring", p),
                f"at most {h.per_period_cap} hires start in period {p}",
            )
            b.model.add(total(starting) <= h.per_period_cap).only_enforce_if(g)
    _break_symmetry(b)
    return []


def _break_symmetry(b: Build) -> None:
    """H-T-k fills no later than H-T-(k+1) when neither is named by a lock or the baseline."""
    s, v = b.scenario, b.vars
    named = {lock.rep for lock in s.locks}
    if s.baseline is not None:
        named |= {a.person for a in s.baseline.assignments}
    by_territory: dict[str, list[str]] = {}
    for position in s.positions:
        if position.id not in named:
            by_territory.setdefault(position.territory, []).append(position.id)
    for ids in by_territory.values():
        for first, second in itertools.pairwise(ids):
            a, c = s.person_by_id[first], s.person_by_id[second]
            for p in range(s.periods):
                b.model.add(v.filled(a, p) >= v.filled(c, p))
