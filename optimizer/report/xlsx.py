"""A plan as an Excel workbook: person x period schedule, territories by period, targets, KPIs."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.plan import Plan
from optimizer.report import roster_order
from optimizer.scenario import Scenario

FILL = {
    "hunter": PatternFill("solid", fgColor="F8CBAD"),
    "farmer": PatternFill("solid", fgColor="C6E0B4"),
    "trainee": PatternFill("solid", fgColor="BDD7EE"),
    "bench": PatternFill("solid", fgColor="D9D9D9"),
}
BOLD = Font(bold=True)


def write_xlsx(s: Scenario, plan: Plan, path: Path | str) -> Path:
    """Write the workbook and return its path."""
    out = Path(path)
    workbook(s, plan).save(out)
    return out


def xlsx_bytes(s: Scenario, plan: Plan) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = io.BytesIO()
    workbook(s, plan).save(buffer)
    return buffer.getvalue()


def workbook(s: Scenario, plan: Plan) -> Workbook:
    """Sheets: Schedule (person x period), Territories, Targets, KPIs."""
    wb = Workbook()
    schedule = wb.active
    assert schedule is not None
    schedule.title = "Schedule"
    _schedule(schedule, s, plan)
    _rows(
        wb.create_sheet("Territories"),
        [
            "territory",
            "name",
            "period",
            "month",
            "hunters",
            "farmers",
            "pool",
            "accounts",
            "won",
            "served",
            "churn",
            "margin",
            "revenue",
        ],
        [
            [
                r.territory,
                s.territory_by_id[r.territory].name,
                r.period,
                s.period_label(r.period),
                r.hunters,
                r.farmers,
                r.pool,
                r.accounts,
                r.won,
                r.served,
                r.churn,
                r.margin,
                r.revenue,
            ]
            for r in plan.territory_periods
        ],
    )
    _rows(
        wb.create_sheet("Targets"),
        ["person", "from_period", "to_period", "from_month", "to_month", "new_clients", "revenue"],
        [
            [
                t.person,
                t.from_period,
                t.to_period,
                s.period_label(t.from_period),
                s.period_label(t.to_period),
                t.new_clients,
                t.revenue,
            ]
            for t in plan.targets
        ],
    )
    kpis = plan.kpis.model_dump() if plan.kpis else {}
    realistic = kpis.pop("goals_realistic", {}) or {}
    rows: list[list[object]] = [
        ["status", plan.status],
        ["score", plan.score],
        ["best_bound", plan.best_bound],
        ["gap_pct", plan.gap_pct],
    ]
    rows += [[k, v] for k, v in kpis.items()]
    rows += [[f"goal_realistic_{k}", v] for k, v in realistic.items()]
    rows += [["bonus_level " + s.period_label(p), name] for p, name in enumerate(plan.bonus_levels)]
    rows += [
        ["hire " + h.person, f"{h.territory} from {s.period_label(h.start_period)}"]
        for h in plan.hires
    ]
    _rows(wb.create_sheet("KPIs"), ["kpi", "value"], rows)
    return wb


def _schedule(ws: Worksheet, s: Scenario, plan: Plan) -> None:
    ws.append(["person", "name", *[s.period_label(p) for p in range(s.periods)]])
    for cell in ws[1]:
        cell.font = BOLD
    names = {r.id: r.name for r in s.reps}
    by_person: dict[str, dict[int, tuple[str, str | None]]] = {}
    for a in plan.assignments:
        by_person.setdefault(a.person, {})[a.period] = (a.role, a.territory)
    for person in roster_order(s, by_person):
        cells = by_person[person]
        row = [person, names.get(person, "new hire")]
        for p in range(s.periods):
            role, territory = cells.get(p, ("off", None))
            row.append(f"{role} {territory}" if territory else role)
        ws.append(row)
        for p in range(s.periods):
            role = cells.get(p, ("off", None))[0]
            if role in FILL:
                ws.cell(row=ws.max_row, column=3 + p).fill = FILL[role]
    ws.freeze_panes = "C2"
    for col in range(1, s.periods + 3):
        ws.column_dimensions[get_column_letter(col)].width = 14


def _rows(ws: Worksheet, header: list[str], rows: list[list[object]]) -> None:
    ws.append(header)
    for cell in ws[1]:
        cell.font = BOLD
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    for col in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 14
