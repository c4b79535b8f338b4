"""Quarterly re-planning (spec section 6): roll the last plan's horizon forward by what has
elapsed, apply the actuals, freeze what is already communicated, and re-solve from the last
plan as the warm start.

The actuals file (JSON):

    {
      "elapsed": 3,                                   // periods since the last plan's start
      "territories": {"SIM": {"accounts": 131, "prospects": 270}},   // now; missing: as planned
      "left": ["r05"],                                // reps gone
      "unavailable": {"r02": [0, 1]}                  // new leave, in the new horizon's periods
    }

What rolls forward (docs/decisions.md, "Re-planning"): the horizon starts `elapsed` months
later with the same length; accounts and pools are the actuals, or the last plan's projection
where a territory has none; each rep's `current` stint, tenure and training done come from the
last plan's elapsed periods; leave, departures, productivity and locks move with the calendar;
hires the last plan started in the elapsed periods become reps answering for their positions
(`from_position`), with the rest of their ramp, and the hiring budget shrinks by them. The last
plan's remaining periods become the baseline: the first `freeze` periods frozen, every later
change charged `change_cost`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError

from optimizer.plan import OFF, Assignment, Cell, Frozen, Plan
from optimizer.scenario import (
    POSITION_PREFIX,
    InvalidInput,
    Scenario,
    load_scenario,
    read_json,
    readable_errors,
)
from optimizer.simulate import simulate

QUARTER = 3
HIRED_PREFIX = "R-"  # a hire of the last plan becomes rep R-<territory>-<k>

Count = Annotated[int, Field(ge=0)]


class TerritoryNow(Frozen):
    accounts: Count | None = None
    prospects: Count | None = None


class Actuals(Frozen):
    elapsed: Annotated[int, Field(ge=1)] = QUARTER
    territories: dict[str, TerritoryNow] = Field(default_factory=dict)
    left: tuple[str, ...] = ()
    unavailable: dict[str, tuple[Count, ...]] = Field(default_factory=dict)


def load_actuals(source: str | Path | dict[str, Any]) -> Actuals:
    """Read and validate an actuals file; `InvalidInput` names the field."""
    what, data = read_json(source, "actuals")
    try:
        return Actuals.model_validate(data)
    except ValidationError as error:
        raise InvalidInput(f"invalid {what}", readable_errors(error, data)) from None


def _add_months(start: str, months: int) -> str:
    year, month = map(int, start.split("-"))
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def hired_id(position: str) -> str:
    return HIRED_PREFIX + position.removeprefix(POSITION_PREFIX)


@dataclass
class Rolled:
    scenario: Scenario  # the new horizon, with the baseline block
    warm_start: Plan  # the last plan's remaining periods, the new ones continued
    renamed: dict[str, str]  # position of the last plan -> the rep who now answers for it
    gone: dict[str, int]  # reps no longer employed -> their working months the last plan had left


def roll_forward(
    s: Scenario, last: Plan, actuals: Actuals, freeze: int = 0, change_cost: int = 0
) -> Rolled:
    """The next horizon's scenario and warm start; `InvalidInput` names what does not fit."""
    q = actuals.elapsed
    problems = _check(s, actuals)
    if problems:
        raise InvalidInput("invalid actuals", problems)
    ev = simulate(s, last)
    if not ev.feasible:
        raise InvalidInput(
            "the baseline plan breaks the scenario's rules",
            [f"{v.rule} {v.entity} period {v.period}: {v.message}" for v in ev.violations[:10]],
        )
    rows = _rows(s, last)
    data = s.model_dump(mode="json")
    data["horizon"]["start"] = _add_months(s.horizon.start, q)
    flows = {(tp.territory, tp.period): tp for tp in ev.territory_periods}
    # accounts and pool at the start of period q, as the last plan projected them
    end = {t.id: (flows[(t.id, q)].accounts, flows[(t.id, q)].pool) for t in s.territories}
    for t in data["territories"]:
        now = actuals.territories.get(t["id"], TerritoryNow())
        t["accounts"] = now.accounts if now.accounts is not None else end[t["id"]][0]
        t["prospects"] = now.prospects if now.prospects is not None else end[t["id"]][1]
    reps, renamed = [], {}
    for rep in data["reps"]:
        moved = _rep(s, rep, rows.get(rep["id"], []), actuals, q)
        if moved is not None:
            reps.append(moved)
    hired = [h for h in ev.hires if h.start_period < q]
    for h in hired:
        renamed[h.person] = hired_id(h.person)
        reps.append(_hire(s, h.person, h.territory, h.start_period, rows.get(h.person, []), q))
    data["reps"] = reps
    if data.get("hiring") is not None and s.hiring is not None:
        data["hiring"]["max_hires"] = max(0, s.hiring.max_hires - len(hired))
        data["hiring"]["earliest_period"] = max(0, s.hiring.earliest_period - q)
    present = {r["id"] for r in reps}
    data["locks"] = [
        {
            **lock,
            "rep": renamed.get(lock["rep"], lock["rep"]),  # a position filled since: its rep
            "periods": [p - q for p in lock["periods"] if p >= q],
        }
        for lock in data.get("locks", [])
        if lock["rep"] in present or lock["rep"].startswith(POSITION_PREFIX)
        if any(p >= q for p in lock["periods"])
    ]
    positions = {h.person for h in ev.hires}
    kept = [
        a
        for a in last.assignments
        if a.period >= q and (a.person in present or a.person in positions)
    ]
    data["baseline"] = {
        "freeze_periods": freeze,
        "change_cost": change_cost,
        "assignments": [
            {"person": a.person, "period": a.period - q, "role": a.role, "territory": a.territory}
            for a in kept
        ],
        "bonus_levels": list(last.bonus_levels[q:]) if last.bonus_levels else [],
    }
    gone: dict[str, int] = {}
    for a in last.assignments:
        if a.period >= q and a.person in s.rep_by_id and a.person not in present:
            gone[a.person] = gone.get(a.person, 0) + (a.role != "off")
    new = load_scenario(data)
    return Rolled(new, _warm_start(new, last, q, renamed), renamed, gone)


def _check(s: Scenario, actuals: Actuals) -> list[str]:
    problems = []
    if actuals.elapsed >= s.periods:
        problems.append(
            f"elapsed: {actuals.elapsed} periods is not inside the last plan's horizon "
            f"of {s.periods}"
        )
    for t in actuals.territories:
        if t not in s.territory_by_id:
            problems.append(f"territories.{t}: unknown territory '{t}'")
    for r in actuals.left:
        if r not in s.rep_by_id:
            problems.append(f"left: unknown rep '{r}'")
    for r, periods in actuals.unavailable.items():
        if r not in s.rep_by_id:
            problems.append(f"unavailable.{r}: unknown rep '{r}'")
        for p in periods:
            if p >= s.periods:
                problems.append(
                    f"unavailable.{r}: period {p} is outside the horizon 0..{s.periods - 1}"
                )
    return problems


def _rows(s: Scenario, plan: Plan) -> dict[str, list[Cell]]:
    cells: dict[str, list[Cell]] = {}
    for a in plan.assignments:
        cells.setdefault(a.person, [OFF] * s.periods)[a.period] = Cell(a.role, a.territory)
    return cells


def _stint(
    cells: list[Cell], available: list[bool], q: int, before: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The stint in progress at the end of the elapsed periods, counting its available
    periods (and the old `current` when it runs from the start)."""
    last = next((p for p in range(q - 1, -1, -1) if available[p]), None)
    if last is None:
        return before  # away the whole time: the old stint is still the one in progress
    cell = cells[last]
    if not cell.working:
        return None
    run, p = 0, last
    while p >= 0:
        if available[p]:
            if cells[p] != cell:
                break
            run += 1
        p -= 1
    if p < 0 and before is not None and Cell(before["role"], before["territory"]) == cell:
        run += before["periods"]
    return {"territory": cell.territory, "role": cell.role, "periods": run}


def _rep(
    s: Scenario, rep: dict[str, Any], cells: list[Cell], actuals: Actuals, q: int
) -> dict[str, Any] | None:
    if rep["id"] in actuals.left:
        return None
    until = rep.get("active_until")
    if until is not None and until < q:
        return None
    original = s.rep_by_id[rep["id"]]
    available = [s.rep_available(original, p) for p in range(s.periods)]
    cells = cells or [OFF] * s.periods
    out = dict(rep)
    out["current"] = _stint(cells, available, q, rep.get("current"))
    out["tenure_months"] = rep.get("tenure_months", 0) + q
    if not original.trained:
        out["training_done"] = original.training_done + sum(c.role == "trainee" for c in cells[:q])
    out["active_until"] = None if until is None else until - q
    leave = {p - q for p in original.unavailable if p >= q}
    leave |= set(actuals.unavailable.get(rep["id"], ()))
    out["unavailable"] = sorted(p for p in leave if p < s.periods)
    out["productivity_pct"] = list(original.productivity_pct[q:])
    out["from_position"] = None  # his rows in the new baseline are his own
    return out


def _hire(
    s: Scenario, position: str, territory: str, start: int, cells: list[Cell], q: int
) -> dict[str, Any]:
    """A hire of the elapsed periods, now a rep answering for his position."""
    h = s.hiring
    assert h is not None
    cells = cells or [OFF] * s.periods
    available = [p >= start for p in range(s.periods)]
    ramp = [h.ramp_pct[m] for m in range(q - start, len(h.ramp_pct))]
    trainee = sum(c.role == "trainee" for c in cells[:q])
    return {
        "id": hired_id(position),
        "name": f"hired into {position}",
        "home": territory,
        "trained": s.training is None,
        "training_done": trainee,
        "hunter_capacity": h.hunter_capacity,
        "farmer_capacity_pct": h.farmer_capacity_pct,
        "salary": h.salary,
        "tenure_months": q - start,
        "max_distance_km": 0,
        "travel_cost": 0,
        "current": _stint(cells, available, q, None),
        "from_position": position,
        "productivity_pct": ramp,
    }


def _warm_start(new: Scenario, last: Plan, q: int, renamed: dict[str, str]) -> Plan:
    """The last plan's remaining periods, each person's last state carried into the periods
    it did not cover (off where the person is no longer available, bench where he now is)."""
    cells: dict[str, list[Cell | None]] = {}
    for a in last.assignments:
        who = renamed.get(a.person, a.person)
        if a.period >= q and who in new.person_by_id:
            cells.setdefault(who, [None] * new.periods)[a.period - q] = Cell(a.role, a.territory)
    rows = []
    for person in new.persons:
        mine = cells.get(person.id)
        if mine is None:
            if person.is_position:
                continue
            mine = [None] * new.periods
        previous: Cell | None = None
        for p in range(new.periods):
            available = (
                new.rep_available(new.rep_by_id[person.id], p)
                if not person.is_position
                else (mine[p] is not None and mine[p] != OFF) or previous not in (None, OFF)
            )
            cell = mine[p] if mine[p] is not None else previous
            if not available:
                cell = OFF
            elif cell is None or cell == OFF:
                cell = Cell("bench")
            rows.append(
                Assignment(person=person.id, period=p, role=cell.role, territory=cell.territory)
            )
            previous = cell
    levels = list(last.bonus_levels[q:]) if last.bonus_levels else []
    if levels:
        levels += [levels[-1]] * (new.periods - len(levels))
    return Plan(scenario=new.name, assignments=tuple(rows), bonus_levels=tuple(levels))


@dataclass(frozen=True)
class Change:
    person: str
    period: int
    before: str  # the baseline's state, or "-" for a period it did not cover
    after: str
    why: str


def changes(new: Scenario, plan: Plan) -> list[Change]:
    """Every person-period where the plan differs from the baseline, with the reason."""
    b = new.baseline
    assert b is not None
    owner = {r.from_position: r.id for r in new.reps if r.from_position}
    was: dict[tuple[str, int], Cell] = {}
    for a in b.assignments:
        was[(owner.get(a.person, a.person), a.period)] = Cell(a.role, a.territory)
    now = {(a.person, a.period): Cell(a.role, a.territory) for a in plan.assignments}
    out = []
    persons = sorted({p for p, _ in was} | {p for p, _ in now})
    for person in persons:
        for p in range(new.periods):
            before, after = was.get((person, p)), now.get((person, p), OFF)
            if before == after or (before is None and after == OFF):
                continue
            rep = new.rep_by_id.get(person)
            if before is None:
                why = "not in the last plan (a new period, or a position filled now)"
            elif rep is not None and not new.rep_available(rep, p):
                why = "gone" if not new.employed(rep, p) else "now on leave"
            elif rep is not None and before == OFF:
                why = "available again"
            elif p < b.freeze_periods:
                why = "frozen period changed by the actuals"
            else:
                why = f"re-planned (change cost {b.change_cost:,})"
            out.append(Change(person, p, "-" if before is None else str(before), str(after), why))
    return out
