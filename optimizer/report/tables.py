"""A plan's tables for the files and pages people read (the plan CSV, the workbook's months,
a job's summary); the numbers are the plan's own territory-months, summed, never simulated
again here."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from optimizer.plan import Plan, TerritoryPeriod
from optimizer.report import roster_order
from optimizer.scenario import Scenario


def assignments_table(s: Scenario, plan: Plan) -> pd.DataFrame:
    """One row per person and month, reps in roster order then the positions: person, name,
    period, month, role, territory (empty when not working)."""
    people = roster_order(s, (a.person for a in plan.assignments))
    order = {x: i for i, x in enumerate(people)}
    rows = sorted(plan.assignments, key=lambda a: (order[a.person], a.period))
    names = {r.id: r.name for r in s.reps}
    return pd.DataFrame(
        {
            "person": [a.person for a in rows],
            "name": [names.get(a.person, "new hire") for a in rows],
            "period": [a.period for a in rows],
            "month": [s.period_label(a.period) for a in rows],
            "role": [a.role for a in rows],
            "territory": [a.territory or "" for a in rows],
        }
    )


MONTHLY = ("won", "revenue", "accounts", "served", "hunters", "farmers")


def monthly(s: Scenario, rows: Iterable[TerritoryPeriod]) -> list[dict[str, int]]:
    """The company month by month: each territory-month's flows summed over the territories
    (`period`, `won`, `revenue`, `accounts` at the start, `served`, `hunters`, `farmers`)."""
    out = [{"period": p, **dict.fromkeys(MONTHLY, 0)} for p in range(s.periods)]
    for r in rows:
        month = out[r.period]
        for name in MONTHLY:
            month[name] += getattr(r, name)
    return out
