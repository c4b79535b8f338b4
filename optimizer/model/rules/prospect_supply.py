"""Prospect supply (section 3): `pool[t,p] >= min_prospects_per_hunter * hunters[t,p]`."""

from __future__ import annotations

from optimizer.model.core import Build, Term


def add(b: Build) -> list[Term]:
    s = b.scenario
    need = s.policy.min_prospects_per_hunter
    if need <= 0:
        return []
    for t in s.territories:
        tv = b.territories[t.id]
        for p in range(s.periods):
            if isinstance(tv.hunters[p], int) and tv.hunters[p] == 0:
                continue
            g = b.guards(
                ("prospect_supply", t.id, p),
                f"each hunter in {t.label} needs {need} prospects in the pool (period {p})",
            )
            b.model.add(tv.pool[p] >= need * tv.hunters[p]).only_enforce_if(g)
    return []
