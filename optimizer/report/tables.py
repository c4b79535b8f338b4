"""A plan's tables as pandas frames, for the files people open in a spreadsheet program (the
plan CSV); the numbers are the plan's own, never recomputed here."""

from __future__ import annotations

import pandas as pd

from optimizer.plan import Plan
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
