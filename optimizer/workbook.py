"""A scenario as a spreadsheet, both ways: `write_template` makes the workbook a planner fills
(one sheet per part of the scenario, units in the headers, drop-down lists for ids, roles and
yes/no), `read_workbook` reads one back into the scenario's JSON form, and every problem
`load_workbook_scenario` finds names its sheet, row and column (`reps!C7: unknown territory
'KRR'`). pandas reads the sheets; the values become exactly the JSON a scenario file holds, so
validation, the simulator and the solver never see the spreadsheet. The format is in
docs/workbook.md.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from optimizer.plan import Assignment, Plan, State
from optimizer.scenario import InvalidInput, Scenario, load_scenario

XLSX_SUFFIXES = (".xlsx", ".xlsm")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
BOLD = Font(bold=True)
HEAD = PatternFill("solid", fgColor="DDEBF7")
ROWS = 500  # drop-down lists and references reach this many rows


# -- what each sheet holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a table sheet (or one setting of a settings sheet): the field it fills,
    the unit in its header, what kind of value, what it means."""

    field: str  # a path inside the row's object: "home", "current.territory"
    unit: str = ""  # shown in the header: "salary (RUB / month)"
    kind: str = "int"  # int, number, text, bool, roles, ints, texts, period, periods, choice
    meaning: str = ""
    choices: tuple[str, ...] = ()  # a drop-down list (kind "choice")
    ids: str = ""  # a drop-down of the ids of this sheet ("territories")

    def header(self, currency: str) -> str:
        unit = self.unit.replace("CUR", currency)
        return f"{self.name} ({unit})" if unit else self.name

    @property
    def name(self) -> str:
        return self.field.replace(".", "_")


TERRITORIES = (
    Column("id", kind="text", meaning="unique; reps, locks and plans name it"),
    Column("name", kind="text"),
    Column("lat", "degrees", "number", "latitude; empty: in everyone's reach"),
    Column("lon", "degrees", "number"),
    Column("long_cycle", "yes/no", "bool", "only trained people may work here"),
    Column("accounts", "clients", meaning="active clients at the start"),
    Column("account_value", "CUR / month", meaning="margin of one served account"),
    Column("account_revenue", "CUR / month", meaning="revenue of one served account"),
    Column("prospects", "prospects", meaning="the pool at the start"),
    Column("prospect_inflow", "prospects / month"),
    Column("win_share_pct", "%", meaning="at most this share of the pool is won a month"),
    Column("accounts_per_farmer", "accounts", meaning="served by one farmer at 100 %"),
    Column("min_farmers", "farmers", meaning="coverage floor every month"),
    Column("max_reps", "people", meaning="office room; empty: no limit"),
    Column("handover_cost", "CUR", meaning="each time a farmer leaves the territory"),
)
REPS = (
    Column("id", kind="text", meaning="unique; not starting with H-"),
    Column("name", kind="text"),
    Column("home", kind="text", ids="territories"),
    Column("roles", "both/hunter/farmer", "roles"),
    Column("trained", "yes/no", "bool", "trained for long-cycle products"),
    Column("hunter_capacity", "clients / month", meaning="as hunter, at 100 %"),
    Column("farmer_capacity_pct", "%", meaning="times the territory's accounts_per_farmer"),
    Column("salary", "CUR / month"),
    Column("tenure_months", "months"),
    Column("max_distance_km", "km", "number", "own radius; empty: the default"),
    Column("travel_cost", "CUR / month", meaning="own; empty: the default"),
    Column("current.territory", kind="text", ids="territories", meaning="the stint in progress"),
    Column("current.role", kind="choice", choices=("hunter", "farmer")),
    Column("current.periods", "months", meaning="already worked in it"),
    Column("training_done", "months"),
    Column("from_position", kind="text", meaning="re-planning: the position he was hired into"),
    Column("unavailable", "months", "periods", meaning="on leave: 2027-07, 2027-08"),
    Column("active_until", "month", "period", meaning="last month employed"),
    Column("productivity_pct", "% per month", "ints", meaning="from the first month: 50, 75"),
)
LEVELS = (
    Column("name", kind="text"),
    Column("per_client", "CUR", meaning="paid per client won in a month it runs"),
    Column("uplift_pct", "%", meaning="hunters' capacity under it; 100: none"),
)
LOCKS = (
    Column("rep", kind="text", meaning="a rep id or a position id (H-<territory>-<k>)"),
    Column("periods", "months", "periods", meaning="2027-03, 2027-04"),
    Column("territory", kind="text", ids="territories"),
    Column("role", kind="choice", choices=("hunter", "farmer", "trainee", "bench")),
    Column("forbid", "yes/no", "bool", "yes: the rep may NOT be there; empty: a lock"),
)
SCENARIO = (
    Column("name", kind="text", meaning="the scenario's id"),
    Column("currency", kind="text"),
    Column("horizon.start", "YYYY-MM", "text", "the first month"),
    Column("horizon.periods", "months", meaning="1..36"),
    Column("defaults.travel_cost", "CUR / month", meaning="a month worked away from home"),
    Column("defaults.max_distance_km", "km", "number", "mobility radius; empty: anywhere"),
    Column("defaults.churn_served_pct", "% / month"),
    Column("defaults.churn_unserved_pct", "% / month"),
    Column("defaults.terminal_value_periods", "months", meaning="accounts left are worth"),
    Column("defaults.role_switch_cost", "CUR", meaning="each hunter <-> farmer switch"),
    Column("defaults.bench_cost", "CUR / month"),
)
HIRING = (
    Column("max_hires", "people"),
    Column("max_hires_per_period", "people / month", meaning="empty: max_hires"),
    Column("earliest_period", "month", "period"),
    Column("hire_cost", "CUR", meaning="once per hire"),
    Column("salary", "CUR / month"),
    Column("hunter_capacity", "clients / month"),
    Column("farmer_capacity_pct", "%"),
    Column("ramp_pct", "% per month", "ints", meaning="1st, 2nd, ... month: 0, 50, 75"),
    Column("territories", "ids", "texts", "where positions open; empty: all; none: nowhere"),
    Column("positions_per_territory", "positions"),
)
TRAINING = (
    Column("periods", "months", meaning="before long-cycle work"),
    Column("trainer_capacity", "trainees / month"),
)
LEVERS = (
    Column("rotation.enabled", "yes/no", "bool", "the rotation lever"),
    Column("rotation.hunter_stint_min", "months"),
    Column("rotation.hunter_stint_max", "months"),
    Column("rotation.hunter_cooldown", "months"),
    Column("rotation.farmer_max_tenure", "months", meaning="empty: no limit"),
    Column("rotation.handover_requires_farmer", "yes/no", "bool"),
    Column("specialization.enabled", "yes/no", "bool", "one working role each"),
    Column("prospect_supply.min_prospects_per_hunter", "prospects", meaning="empty: off"),
    Column("bonus.enabled", "yes/no", "bool", "the levels on the bonus levels sheet"),
    Column("hiring.enabled", "yes/no", "bool", "fill positions of the hiring sheet"),
    Column("veterans.enabled", "yes/no", "bool", "veterans keep their stint"),
    Column("veterans.tenure_months", "months"),
)
GOALS = (
    Column("goal_new_clients", "clients", meaning="empty: no goal"),
    Column("goal_revenue", "CUR"),
    Column("new_client_shortfall_cost", "CUR / client"),
    Column("revenue_shortfall_cost_pct", "%"),
    Column("realism_pct", "%", meaning="targets are this share of the expectation"),
    Column("target_period", kind="choice", choices=("month", "quarter")),
    Column("attainment_pct", "%", meaning="set each target at this chance; empty: by realism"),
)
UNCERTAINTY = (
    Column("hunter_cv_pct", "%", meaning="spread of a hunter's month (docs/uncertainty.md)"),
    Column("farmer_cv_pct", "%", meaning="spread of a farmer's service capacity in a month"),
    Column("revenue_cv_pct", "%", meaning="spread of what a town's accounts spend in a month"),
    Column("churn_cv_pct", "%", meaning="spread of a town's churn in a month"),
    Column("samples", "courses", meaning="sampled courses of the plan, 1..100000"),
    Column("seed", kind="int", meaning="the same seed, the same figures"),
)
TABLES = {"territories": TERRITORIES, "reps": REPS, "bonus levels": LEVELS, "locks": LOCKS}
SETTINGS = {
    "scenario": SCENARIO,
    "hiring": HIRING,
    "training": TRAINING,
    "levers": LEVERS,
    "goals": GOALS,
    "uncertainty": UNCERTAINTY,
}
NOTES = """How to fill this workbook (docs/workbook.md has every column):
- One row per territory, rep, bonus level and lock; the settings sheets have one value per row.
- Units are in the headers. Money is whole CUR; percents are whole numbers (8 means 8 %).
- Months are written 2027-03 (or as an index from 0, the first month of the horizon).
- Lists go in one cell, separated by commas: 2027-07, 2027-08.
- An empty cell takes the default; an empty sheet switches its part off.
- ledokol validate THIS.xlsx names every problem by sheet and cell (reps!C7).
"""


# -- reading -------------------------------------------------------------------------------------


def is_workbook(source: object) -> bool:
    return isinstance(source, str | Path) and Path(source).suffix.lower() in XLSX_SUFFIXES


def load_workbook_scenario(source: str | Path | bytes) -> Scenario:
    """The scenario of a workbook; `InvalidInput` names each problem by sheet and cell."""
    data, cells, problems = read_workbook(source)
    try:
        scenario = load_scenario(data)
    except InvalidInput as error:
        problems = problems + [_locate(p, cells) for p in error.problems]
    if problems:  # what the sheets say wrong and what validation finds, all at once
        raise InvalidInput(f"invalid scenario workbook {_label(source)}", problems)
    return scenario


def read_workbook(
    source: str | Path | bytes,
) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """The scenario's JSON form, for every path in it the cell it came from, and the problems
    of the sheets themselves (an unknown column or setting, a yes/no cell that says neither)."""
    sheets = _sheets(source)
    reader = _Reader({name.strip().lower(): frame for name, frame in sheets.items()})
    data = reader.scenario()
    if any(p.startswith("the workbook has no sheet") for p in reader.problems):
        raise InvalidInput(f"invalid scenario workbook {_label(source)}", reader.problems)
    return data, reader.cells, reader.problems


class _Reader:
    def __init__(self, sheets: dict[str, pd.DataFrame]) -> None:
        self.sheets = sheets
        self.cells: dict[str, str] = {}
        self.problems: list[str] = []
        self.start: str | None = None

    def scenario(self) -> dict[str, Any]:
        for required in ("scenario", "territories"):
            if required not in self.sheets:
                self.problems.append(f"the workbook has no sheet '{required}'")
        if self.problems:
            return {}
        self.start = self._start()
        data: dict[str, Any] = self.settings("scenario", "", SCENARIO)
        data["territories"] = self.table("territories", "territories", TERRITORIES)
        data["reps"] = self.table("reps", "reps", REPS)
        hiring = self.settings("hiring", "hiring", HIRING)
        if hiring:
            data["hiring"] = hiring
        training = self.settings("training", "training", TRAINING)
        if training:
            data["training"] = training
        policy = self.settings("levers", "policy", LEVERS)
        levels = self.table("bonus levels", "policy.bonus.levels", LEVELS)
        if levels:
            policy.setdefault("bonus", {})["levels"] = levels
        goals = self.settings("goals", "policy.targets", GOALS)
        if goals:
            policy["targets"] = goals
        data["policy"] = policy  # a lever with values but no yes/no is on, as in JSON
        locks = self.table("locks", "locks", LOCKS)
        if locks:
            data["locks"] = locks
        uncertainty = self.settings("uncertainty", "uncertainty", UNCERTAINTY)
        if uncertainty:
            data["uncertainty"] = uncertainty
        return data

    def _start(self) -> str | None:
        """The horizon's first month, which months elsewhere are read against."""
        frame = self.sheets["scenario"]
        for i in range(1, len(frame)):
            if str(_cell(frame, i, 0)).strip() == "horizon_start":
                value = _month_text(_cell(frame, i, 1))
                if isinstance(value, str) and MONTH.match(value):
                    return value
        return None

    def settings(self, sheet: str, prefix: str, columns: tuple[Column, ...]) -> dict[str, Any]:
        """A sheet of `setting | value` rows as nested fields under `prefix`."""
        frame = self.sheets.get(sheet)
        out: dict[str, Any] = {}
        if frame is None:
            return out
        by_name = {c.name: c for c in columns}
        for i in range(1, len(frame)):  # row 1 is the header
            name, value = _cell(frame, i, 0), _cell(frame, i, 1)
            if name is None:
                continue
            column = by_name.get(str(name).strip())
            where = f"{sheet}!B{i + 1}"
            if column is None:
                self.problems.append(f"{sheet}!A{i + 1}: unknown setting '{name}'")
                continue
            path = f"{prefix}.{column.field}" if prefix else column.field
            self.cells[path] = where
            converted = self.value(value, column, where)
            if converted is not None:
                _put(out, column.field.split("."), converted)
        return out

    def table(self, sheet: str, prefix: str, columns: tuple[Column, ...]) -> list[dict[str, Any]]:
        """A sheet with a header row and one object per row."""
        frame = self.sheets.get(sheet)
        if frame is None or len(frame) == 0:
            return []
        by_name = {c.name: c for c in columns}
        header: list[tuple[int, Column]] = []
        for j in range(frame.shape[1]):
            title = _cell(frame, 0, j)
            if title is None:
                continue
            name = re.sub(r"\s*\(.*\)\s*$", "", str(title)).strip()
            column = by_name.get(name)
            if column is None:
                self.problems.append(
                    f"{sheet}!{get_column_letter(j + 1)}1: unknown column '{title}'"
                )
                continue
            header.append((j, column))
        rows: list[dict[str, Any]] = []
        for i in range(1, len(frame)):
            if all(_cell(frame, i, j) is None for j, _ in header):
                continue  # an empty row
            named = [
                _cell(frame, i, j) for j, c in header if c.field in ("id", "name")
            ]  # validation names a listed object by its id (or name), else by its index
            key = str(named[0]).strip() if named and named[0] is not None else None
            entities = [f"{prefix}[{len(rows)}]", *([f"{prefix}[{key}]"] if key else [])]
            row: dict[str, Any] = {}
            for entity in entities:
                self.cells[entity] = f"{sheet}!A{i + 1}"
            for j, column in header:
                where = f"{sheet}!{get_column_letter(j + 1)}{i + 1}"
                for entity in entities:
                    self.cells[f"{entity}.{column.field}"] = where
                value = self.value(_cell(frame, i, j), column, where)
                if value is not None:
                    _put(row, column.field.split("."), value)
            rows.append(row)
        return rows

    def value(self, raw: Any, column: Column, where: str) -> Any:
        """A cell as the JSON value of its field; None for an empty cell (the default)."""
        if raw is None:
            return None
        kind = column.kind
        text = str(raw).strip()
        if kind in ("text", "choice"):
            return _integral(raw) if isinstance(raw, float) else text
        if kind == "bool":
            if isinstance(raw, bool):
                return raw
            word = text.lower()
            if word in ("yes", "y", "true", "1", "on"):
                return True
            if word in ("no", "n", "false", "0", "off"):
                return False
            self.problems.append(f"{where}: expected yes or no, got '{text}'")
            return None
        if kind == "roles":
            word = text.lower().replace(" ", "")
            if word in ("both", "hunter,farmer", "farmer,hunter", "hunter+farmer"):
                return ["hunter", "farmer"]
            return [part for part in word.split(",") if part]
        if kind in ("ints", "texts", "periods"):
            parts = (
                [p.strip() for p in text.split(",") if p.strip()] if isinstance(raw, str) else [raw]
            )
            if kind == "texts":
                if [p.lower() for p in parts] == ["none"]:
                    return []
                return [str(_integral(p) if isinstance(p, float) else p) for p in parts]
            if kind == "periods":
                return [self.period(p) for p in parts]
            return [_number(p) for p in parts]
        if kind == "period":
            return self.period(raw)
        return _number(raw)

    def period(self, raw: Any) -> Any:
        """A month: `2027-03` (against the horizon's start) or an index from 0."""
        raw = _month_text(raw)
        if isinstance(raw, str) and MONTH.match(raw) and self.start is not None:
            year, month = (int(x) for x in raw.split("-"))
            y0, m0 = (int(x) for x in self.start.split("-"))
            return (year - y0) * 12 + (month - m0)
        return _number(raw)


def _month_text(value: Any) -> Any:
    """A month cell as `YYYY-MM` text: a spreadsheet program may turn `2027-03` into a date;
    text is stripped; anything else is left for the caller to read."""
    if hasattr(value, "year") and hasattr(value, "month"):
        return f"{value.year:04d}-{value.month:02d}"
    return value.strip() if isinstance(value, str) else value


def _sheets(source: str | Path | bytes) -> dict[str, pd.DataFrame]:
    """Every sheet as a frame of raw cells (no header row taken, no types guessed)."""
    try:
        return pd.read_excel(
            io.BytesIO(source) if isinstance(source, bytes) else source,
            sheet_name=None,
            header=None,
            dtype=object,
        )
    except (OSError, ValueError, KeyError) as error:  # not a workbook, or a broken one
        label = _label(source)
        problem = f"{label}: not an Excel workbook ({error})"
        raise InvalidInput(f"cannot read {label}", [problem]) from None


def _cell(frame: pd.DataFrame, i: int, j: int) -> Any:
    if j >= frame.shape[1]:
        return None
    value = frame.iat[i, j]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _integral(value: float) -> Any:
    return int(value) if value.is_integer() else value


def _number(raw: Any) -> Any:
    """A number cell: whole numbers as int (Excel keeps them as floats), text that reads as a
    number as that number; anything else as it is, for validation to name."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return _integral(raw)
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return _integral(float(text))
    except ValueError:
        return str(raw).strip()


def _put(target: dict[str, Any], steps: list[str], value: Any) -> None:
    for step in steps[:-1]:
        target = target.setdefault(step, {})
    target[steps[-1]] = value


def _locate(problem: str, cells: dict[str, str]) -> str:
    """`reps[r07].home: unknown territory 'KRR'` as `reps!C7: unknown territory 'KRR'`."""
    path, sep, message = problem.partition(": ")
    if not sep:
        return problem
    best = ""
    for known in cells:
        if (path == known or path.startswith((known + ".", known + "["))) and len(known) > len(
            best
        ):
            best = known
    if not best:
        return problem
    rest = path[len(best) :].lstrip(".")
    item = re.fullmatch(r"\[(\d+)\]", rest)
    if item:  # one value of a list in the cell
        rest = f"value {int(item.group(1)) + 1}"
    return f"{cells[best]}: {rest + ': ' if rest else ''}{message}"


def _label(source: object) -> str:
    return Path(source).name if isinstance(source, str | Path) else "workbook"


# -- writing -------------------------------------------------------------------------------------


def write_template(path: str | Path, s: Scenario | None = None) -> Path:
    """The workbook of `s` (or of a small example), ready to edit and read back."""
    out = Path(path)
    template_workbook(s or example_scenario()).save(out)
    return out


def template_workbook(s: Scenario) -> Workbook:
    data = s.model_dump(mode="json", exclude={"baseline"})
    label = s.period_label
    policy = data.get("policy") or {}
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    cur = s.currency
    _settings_sheet(wb, "scenario", SCENARIO, data, cur, label)
    _table_sheet(wb, "territories", TERRITORIES, data["territories"], cur, label)
    _table_sheet(wb, "reps", REPS, data["reps"], cur, label)
    _settings_sheet(wb, "hiring", HIRING, data.get("hiring") or {}, cur, label)
    _settings_sheet(wb, "training", TRAINING, data.get("training") or {}, cur, label)
    _settings_sheet(wb, "levers", LEVERS, policy, cur, label)
    levels = (policy.get("bonus") or {}).get("levels") or []
    _table_sheet(wb, "bonus levels", LEVELS, levels, cur, label)
    _settings_sheet(wb, "goals", GOALS, policy.get("targets") or {}, cur, label)
    _table_sheet(wb, "locks", LOCKS, data.get("locks") or [], cur, label)
    _settings_sheet(wb, "uncertainty", UNCERTAINTY, data.get("uncertainty") or {}, cur, label)
    notes = wb.create_sheet("notes")
    for line in NOTES.replace("CUR", cur).splitlines():
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return wb


def template_bytes(s: Scenario | None = None) -> bytes:
    buffer = io.BytesIO()
    template_workbook(s or example_scenario()).save(buffer)
    return buffer.getvalue()


def _shown(value: Any, column: Column, label: Callable[[int], str]) -> Any:
    """A JSON value as its cell shows it."""
    if value is None:
        return None
    kind = column.kind
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "roles":
        return "both" if sorted(value) == ["farmer", "hunter"] else ", ".join(value)
    if kind == "period":
        return label(value)
    if kind == "periods":
        return ", ".join(label(p) for p in value)
    if kind == "ints":
        return ", ".join(str(v) for v in value) if value else None
    if kind == "texts":
        return ", ".join(value) if value else "none"
    return value


def _get(data: dict[str, Any], field: str) -> Any:
    node: Any = data
    for step in field.split("."):
        if not isinstance(node, dict) or step not in node:
            return None
        node = node[step]
    return node


def _table_sheet(
    wb: Workbook,
    name: str,
    columns: tuple[Column, ...],
    rows: Iterable[dict[str, Any]],
    currency: str,
    label: Callable[[int], str],
) -> None:
    frame = pd.DataFrame(
        [[_shown(_get(r, c.field), c, label) for c in columns] for r in rows],
        columns=[c.header(currency) for c in columns],
    )
    ws = wb.create_sheet(name)
    ws.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in values])
    _style(ws, len(columns))
    for j, column in enumerate(columns, 1):
        _drop_down(ws, column, get_column_letter(j))
        if column.meaning:
            from openpyxl.comments import Comment

            ws.cell(row=1, column=j).comment = Comment(column.meaning, "ledokol")


def _settings_sheet(
    wb: Workbook,
    name: str,
    columns: tuple[Column, ...],
    data: dict[str, Any],
    currency: str,
    label: Callable[[int], str],
) -> None:
    ws = wb.create_sheet(name)
    ws.append(["setting", "value", "unit", "meaning"])
    for i, column in enumerate(columns, 2):
        value = _shown(_get(data, column.field), column, label)
        if column.kind == "texts" and _get(data, column.field) is None:
            value = None  # hiring territories: empty is all
        ws.append([column.name, value, column.unit.replace("CUR", currency), column.meaning])
        _drop_down(ws, column, "B", first=i, last=i)
    _style(ws, 4)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["D"].width = 60


def _drop_down(
    ws: Worksheet, column: Column, letter: str, first: int = 2, last: int = ROWS
) -> None:
    formula = None
    if column.kind == "bool":
        formula = '"yes,no"'
    elif column.kind == "roles":
        formula = '"both,hunter,farmer"'
    elif column.kind == "choice":
        formula = '"' + ",".join(column.choices) + '"'
    elif column.ids:
        formula = f"'{column.ids}'!$A$2:$A${ROWS}"
    if formula is None:
        return
    rule = DataValidation(type="list", formula1=formula, allow_blank=True)
    rule.add(f"{letter}{first}:{letter}{last}")
    ws.add_data_validation(rule)


def _style(ws: Worksheet, width: int) -> None:
    for cell in ws[1]:
        cell.font = BOLD
        cell.fill = HEAD
    ws.freeze_panes = "A2"
    for j in range(1, width + 1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(12, len(str(ws.cell(row=1, column=j).value)) + 2)


def example_scenario() -> Scenario:
    """A small team to start from: two towns, three reps, a bonus menu, a goal."""
    return load_scenario(
        {
            "name": "my-team",
            "currency": "RUB",
            "horizon": {"start": "2027-01", "periods": 12},
            "defaults": {
                "travel_cost": 40000,
                "max_distance_km": 400,
                "churn_served_pct": 1,
                "churn_unserved_pct": 8,
                "terminal_value_periods": 6,
                "role_switch_cost": 50000,
            },
            "territories": [
                {
                    "id": "SIM",
                    "name": "Simferopol",
                    "lat": 44.95,
                    "lon": 34.1,
                    "accounts": 120,
                    "account_value": 9000,
                    "account_revenue": 30000,
                    "prospects": 300,
                    "prospect_inflow": 6,
                    "win_share_pct": 4,
                    "accounts_per_farmer": 60,
                    "min_farmers": 1,
                    "handover_cost": 150000,
                },
                {
                    "id": "YAL",
                    "name": "Yalta",
                    "lat": 44.5,
                    "lon": 34.17,
                    "accounts": 60,
                    "account_value": 11000,
                    "account_revenue": 35000,
                    "prospects": 400,
                    "prospect_inflow": 8,
                    "win_share_pct": 5,
                    "accounts_per_farmer": 60,
                    "handover_cost": 150000,
                },
            ],
            "reps": [
                {
                    "id": "r01",
                    "name": "Anna",
                    "home": "SIM",
                    "hunter_capacity": 5,
                    "farmer_capacity_pct": 100,
                    "salary": 120000,
                    "tenure_months": 40,
                    "current": {"territory": "SIM", "role": "farmer", "periods": 18},
                },
                {
                    "id": "r02",
                    "name": "Boris",
                    "home": "SIM",
                    "hunter_capacity": 6,
                    "farmer_capacity_pct": 90,
                    "salary": 110000,
                    "unavailable": [7],
                },
                {
                    "id": "r03",
                    "name": "Vera",
                    "home": "YAL",
                    "hunter_capacity": 4,
                    "farmer_capacity_pct": 100,
                    "salary": 100000,
                },
            ],
            "policy": {
                "rotation": {"hunter_stint_min": 2, "hunter_stint_max": 3, "hunter_cooldown": 2},
                "bonus": {
                    "levels": [
                        {"name": "none", "per_client": 0, "uplift_pct": 100},
                        {"name": "high", "per_client": 30000, "uplift_pct": 140},
                    ]
                },
                "targets": {
                    "goal_new_clients": 40,
                    "new_client_shortfall_cost": 100000,
                    "realism_pct": 90,
                },
            },
        }
    )


def load_any_scenario(source: str | Path) -> Scenario:
    """A scenario file, JSON or a workbook, by its suffix."""
    return load_workbook_scenario(source) if is_workbook(source) else load_scenario(source)


# -- a plan's workbook, read back -------------------------------------------------------------


def read_plan_workbook(s: Scenario, source: str | Path | bytes) -> Plan:
    """The plan of a plan workbook (`solve --xlsx`, the service's plan.xlsx) as edited in a
    spreadsheet program: its `Schedule` sheet (`hunter SIM`, `farmer YAL`, `trainee`, `bench`,
    `off` per person and month) and the bonus level of each month (`Bonus` sheet). Each
    problem names its cell (`Schedule!D5: unknown role 'hunted'`)."""
    label = _label(source)
    sheets = _sheets(source)
    schedule = sheets.get("Schedule")
    if schedule is None:
        raise InvalidInput(f"invalid plan workbook {label}", ["no sheet 'Schedule'"])
    months = {s.period_label(p): p for p in range(s.periods)}
    problems: list[str] = []
    columns: dict[int, int] = {}  # sheet column -> period
    for j in range(2, schedule.shape[1]):
        title = _cell(schedule, 0, j)
        if title is None:
            continue
        month = str(_month_text(title))
        if month not in months:
            problems.append(
                f"Schedule!{get_column_letter(j + 1)}1: '{title}' is not a month of "
                f"the horizon {s.period_label(0)}..{s.period_label(s.periods - 1)}"
            )
            continue
        columns[j] = months[month]
    rows: list[Assignment] = []
    for i in range(1, len(schedule)):
        person = _cell(schedule, i, 0)
        if person is None:
            continue
        person = str(_integral(person) if isinstance(person, float) else person).strip()
        for j, p in columns.items():
            where = f"Schedule!{get_column_letter(j + 1)}{i + 1}"
            text = str(_cell(schedule, i, j) or "off").strip()
            word, _, territory = text.partition(" ")
            role = STATES.get(word.lower())
            if role is None:
                problems.append(
                    f"{where}: unknown state '{text}' (hunter T, farmer T, trainee, bench or off)"
                )
                continue
            where_to = territory.strip() or None
            if (role in ("hunter", "farmer")) != (where_to is not None):
                problems.append(
                    f"{where}: '{text}': a hunter or farmer names a territory, nothing else does"
                )
                continue
            rows.append(Assignment(person=person, period=p, role=role, territory=where_to))
    levels = _plan_levels(sheets.get("Bonus"), months, problems)
    if problems:
        raise InvalidInput(f"invalid plan workbook {label}", problems)
    return Plan(scenario=s.name, assignments=tuple(rows), bonus_levels=tuple(levels))


STATES: dict[str, State] = {
    "hunter": "hunter",
    "farmer": "farmer",
    "trainee": "trainee",
    "bench": "bench",
    "off": "off",
}


def _plan_levels(
    bonus: pd.DataFrame | None, months: dict[str, int], problems: list[str]
) -> list[str]:
    """The bonus level of each month: the `Bonus` sheet's `month | level` rows."""
    if bonus is None:
        return []
    found: dict[int, str] = {}
    for i in range(1, len(bonus)):
        month, level = _cell(bonus, i, 0), _cell(bonus, i, 1)
        if month is None:
            continue
        label = str(_month_text(month))
        if label not in months:
            problems.append(f"Bonus!A{i + 1}: '{label}' is not a month of the horizon")
            continue
        found[months[label]] = "" if level is None else str(level).strip()
    if not found:
        return []
    missing = [m for m, p in months.items() if p not in found]
    if missing:
        problems.append(f"Bonus: no level for {', '.join(missing)}")
        return []
    return [found[p] for p in range(len(months))]


def load_any_plan(s: Scenario, source: str | Path) -> Plan | None:
    """A plan workbook's plan, or None for a file that is not a workbook (read it as JSON)."""
    return read_plan_workbook(s, source) if is_workbook(source) else None
