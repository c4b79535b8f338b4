"""A plan as an Excel workbook: person x period schedule, territories by period, targets, KPIs."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.plan import Plan, Target
from optimizer.report import roster_order
from optimizer.report.console import COMPARED
from optimizer.report.tables import monthly
from optimizer.scenario import Scenario
from optimizer.simulate import Evaluation, simulate
from optimizer.status_quo import status_quo_plan

FILL = {
    "hunter": PatternFill("solid", fgColor="F8CBAD"),
    "farmer": PatternFill("solid", fgColor="C6E0B4"),
    "trainee": PatternFill("solid", fgColor="BDD7EE"),
    "bench": PatternFill("solid", fgColor="D9D9D9"),
}
BOLD = Font(bold=True)


def write_xlsx(
    s: Scenario, plan: Plan, path: Path | str, status_quo: Evaluation | None = None
) -> Path:
    """Write the workbook and return its path."""
    out = Path(path)
    workbook(s, plan, status_quo).save(out)
    return out


def xlsx_bytes(s: Scenario, plan: Plan) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    workbook(s, plan).save(buffer)
    return buffer.getvalue()


def workbook(s: Scenario, plan: Plan, status_quo: Evaluation | None = None) -> Workbook:
    """Sheets: Summary (the KPIs in words beside the status quo's), Schedule (person x month,
    editable and read back by `evaluate`), Bonus (the level of each month, read back too),
    Monthly (the company's months beside the status quo's), Territories, Targets (per person
    by name and target period)."""
    quo = status_quo or simulate(s, status_quo_plan(s))
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "Summary"
    _summary(summary, s, plan, quo)
    _schedule(wb.create_sheet("Schedule"), s, plan)
    levels = s.level_by_name
    _frame_sheet(
        wb.create_sheet("Bonus"),
        pd.DataFrame(
            {
                "month": [s.period_label(p) for p in range(len(plan.bonus_levels))],
                "level": list(plan.bonus_levels),
                f"per client ({s.currency})": [
                    levels[n].per_client if n in levels else None for n in plan.bonus_levels
                ],
                "uplift (%)": [
                    levels[n].uplift_pct if n in levels else None for n in plan.bonus_levels
                ],
            }
        ),
    )
    _frame_sheet(wb.create_sheet("Monthly"), _monthly(s, plan, quo))
    _frame_sheet(wb.create_sheet("Territories"), _territories(s, plan))
    _frame_sheet(wb.create_sheet("Targets"), _targets(s, plan))
    return wb


MONEY = "#,##0;[Red]-#,##0"
SUMMARY_ROWS: tuple[tuple[str, str], ...] = (
    *COMPARED,
    ("hires", "hires"),
    ("targets_new_clients", "targets: new clients"),
    ("targets_revenue", "targets: revenue"),
)


def _summary(ws: Worksheet, s: Scenario, plan: Plan, quo: Evaluation) -> None:
    cur = s.currency
    head = [
        ("scenario", s.name),
        ("months", f"{s.period_label(0)} .. {s.period_label(s.periods - 1)}"),
        ("status", plan.status),
        (f"score ({cur})", plan.score),
        (f"best bound ({cur})", plan.best_bound),
        ("gap (%)", None if plan.gap_pct is None else round(plan.gap_pct, 2)),
        ("solve time (s)", plan.solve_seconds),
    ]
    for label, value in head:
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).font = BOLD
        if (isinstance(value, int) and "score" in label) or "bound" in label:
            ws.cell(row=ws.max_row, column=2).number_format = MONEY
    ws.append([])
    ws.append(["", "plan", "status quo", "difference"])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    k = plan.kpis
    for field, label in SUMMARY_ROWS:
        mine = None if k is None else getattr(k, field)
        theirs = getattr(quo.kpis, field)
        diff = None if mine is None else mine - theirs
        ws.append([label, mine, theirs, diff])
        for col in (2, 3, 4):
            ws.cell(row=ws.max_row, column=col).number_format = MONEY
    if k is not None:
        for goal, label, realistic in (
            (k.goal_new_clients, "goal: new clients", k.goals_realistic.new_clients),
            (k.goal_revenue, "goal: revenue", k.goals_realistic.revenue),
        ):
            if goal is not None:
                ws.append([label, goal, None, "realistic" if realistic else "not realistic"])
                ws.cell(row=ws.max_row, column=2).number_format = MONEY
    if plan.hires:
        ws.append([])
        ws.append(["hires"])
        ws.cell(row=ws.max_row, column=1).font = BOLD
        for h in plan.hires:
            name = s.territory_by_id[h.territory].name or h.territory
            ws.append([h.person, f"{name}, from {s.period_label(h.start_period)}"])
    ws.column_dimensions["A"].width = 26
    for letter in "BCD":
        ws.column_dimensions[letter].width = 18


def _monthly(s: Scenario, plan: Plan, quo: Evaluation) -> pd.DataFrame:
    """The company month by month, beside the status quo's: flows, then each month's costs
    (empty for a plan written without its simulated months)."""
    mine, theirs = monthly(s, plan.territory_periods), monthly(s, quo.territory_periods)
    cur = s.currency
    frame = pd.DataFrame(
        {
            "month": [s.period_label(m["period"]) for m in mine],
            "bonus level": [_level(plan, m["period"]) for m in mine],
            "hunters": [m["hunters"] for m in mine],
            "farmers": [m["farmers"] for m in mine],
            "accounts at start": [m["accounts"] for m in mine],
            "served": [m["served"] for m in mine],
            "new clients": [m["won"] for m in mine],
            f"revenue ({cur})": [m["revenue"] for m in mine],
            "status quo: new clients": [m["won"] for m in theirs],
            f"status quo: revenue ({cur})": [m["revenue"] for m in theirs],
        }
    )
    if len(plan.months) == len(frame):
        costs = pd.DataFrame([m.model_dump() for m in plan.months])
        for column, label in COST_LABELS.items():
            frame[f"{label} ({cur})"] = costs[column]
        frame[f"costs ({cur})"] = [m.costs for m in plan.months]
        frame[f"status quo: costs ({cur})"] = [m.costs for m in quo.months]
    return frame


COST_LABELS = {
    "salaries": "salaries",
    "hiring_cost": "hiring",
    "travel": "travel",
    "bonus_cost": "bonus",
    "handover": "hand-over",
    "switches": "role switches",
    "bench": "bench",
}


def _level(plan: Plan, period: int) -> str | None:
    return plan.bonus_levels[period] if period < len(plan.bonus_levels) else None


def _territories(s: Scenario, plan: Plan) -> pd.DataFrame:
    cur = s.currency
    rows = plan.territory_periods
    return pd.DataFrame(
        {
            "territory": [r.territory for r in rows],
            "name": [s.territory_by_id[r.territory].name for r in rows],
            "month": [s.period_label(r.period) for r in rows],
            "hunters": [r.hunters for r in rows],
            "farmers": [r.farmers for r in rows],
            "prospects at start": [r.pool for r in rows],
            "accounts at start": [r.accounts for r in rows],
            "new clients": [r.won for r in rows],
            "served": [r.served for r in rows],
            "churned": [r.churn for r in rows],
            f"margin ({cur})": [r.margin for r in rows],
            f"revenue ({cur})": [r.revenue for r in rows],
        }
    )


def _targets(s: Scenario, plan: Plan) -> pd.DataFrame:
    names = {r.id: r.name for r in s.reps}
    quarter = s.policy.active_targets.target_period == "quarter"

    def period(t: Target) -> str:
        first = s.period_label(t.from_period)
        if not quarter:
            return first
        year, month = (int(x) for x in first.split("-"))
        return f"{year} Q{(month - 1) // 3 + 1}"

    order = {x: i for i, x in enumerate(roster_order(s, (t.person for t in plan.targets)))}
    targets = sorted(plan.targets, key=lambda t: (order[t.person], t.from_period))
    frame = pd.DataFrame(
        {
            "person": [t.person for t in targets],
            "name": [names.get(t.person, "new hire") for t in targets],
            "period": [period(t) for t in targets],
            "from": [s.period_label(t.from_period) for t in targets],
            "to": [s.period_label(t.to_period) for t in targets],
            "new clients": [t.new_clients for t in targets],
            f"revenue ({s.currency})": [t.revenue for t in targets],
        }
    )
    if plan.attainment is not None:  # section 8: the chance of reaching each target
        frame["chance: new clients"] = [t.p_new_clients for t in targets]
        frame["chance: revenue"] = [t.p_revenue for t in targets]
        frame["chance: both"] = [t.p_both for t in targets]
    return frame


def _frame_sheet(ws: Worksheet, frame: pd.DataFrame) -> None:
    """A table from pandas: bold header, money and counts with thousands separators."""
    ws.append([str(c) for c in frame.columns])
    for values in frame.itertuples(index=False):
        ws.append([_plain(v) for v in values])
    for cell in ws[1]:
        cell.font = BOLD
    for j, column in enumerate(frame.columns, 1):
        if frame[column].dtype.kind in "iuf":
            shown = "0%" if str(column).startswith("chance") else "#,##0"
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = shown
        ws.column_dimensions[get_column_letter(j)].width = max(12, len(str(column)) + 2)
    ws.freeze_panes = "A2"


def _plain(value: object) -> object:
    """A cell's value: numpy's integers as int, a missing value as an empty cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value) if isinstance(value, np.integer) else value


def _schedule(ws: Worksheet, s: Scenario, plan: Plan) -> None:
    ws.append(["person", "name", *[s.period_label(p) for p in range(s.periods)]])
    for cell in ws[1]:
        cell.font = BOLD
    names = {r.id: r.name for r in s.reps}
    by_person: dict[str, dict[int, tuple[str, str | None]]] = {}
    for a in plan.assignments:
        by_person.setdefault(a.person, {})[a.period] = (a.role, a.territory)
    for line, person in enumerate(roster_order(s, by_person), 2):  # not ws.max_row: O(cells)
        cells = by_person[person]
        row = [person, names.get(person, "new hire")]
        for p in range(s.periods):
            role, territory = cells.get(p, ("off", None))
            row.append(f"{role} {territory}" if territory else role)
        ws.append(row)
        for p in range(s.periods):
            role = cells.get(p, ("off", None))[0]
            if role in FILL:
                ws.cell(row=line, column=3 + p).fill = FILL[role]
    ws.freeze_panes = "C2"
    for col in range(1, s.periods + 3):
        ws.column_dimensions[get_column_letter(col)].width = 14
