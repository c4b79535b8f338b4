"""Awkward cases for the tests: mutations of a scenario that keep a known plan feasible.

Each mutation makes a hard part harder — a lock on a rep, against his `current` stint or on a
position, a forbid of another territory or role, an office exactly as full as the plan needs,
a floor exactly as high, one trainer seat, leave inside a hunter stint, a veteran whose post
lies outside his radius, a frozen baseline — but only as far as the known plan still keeps
every rule, so every case has an answer: a feasible plan exists. `mutate` applies a few of
them, chosen by a random generator
(hypothesis's `randoms()` in the tests).
"""

from __future__ import annotations

import copy
import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from optimizer.plan import Cell, Plan
from optimizer.scenario import load_scenario
from optimizer.simulate import simulate

Data = dict[str, Any]


def _cells(plan: Plan) -> dict[str, dict[int, Cell]]:
    out: dict[str, dict[int, Cell]] = defaultdict(dict)
    for a in plan.assignments:
        out[a.person][a.period] = Cell(a.role, a.territory)
    return out


def _working_month(
    data: Data, cells: dict[str, dict[int, Cell]], rng: random.Random
) -> tuple[str, int, Cell] | None:
    """A rep's month of work in the plan, at random (None when no rep works)."""
    reps = {r["id"] for r in data["reps"]}
    working = [
        (x, p, c) for x, row in cells.items() if x in reps for p, c in row.items() if c.working
    ]
    return rng.choice(working) if working else None


def lock_rep(data: Data, plan: Plan, rng: random.Random) -> Plan:
    """A rep locked to the cell he has in one or two periods (territory, role or both)."""
    cells = _cells(plan)
    if (picked := _working_month(data, cells, rng)) is None:
        return plan
    person, p, cell = picked
    periods = [q for q in (p, p + 1) if cells[person].get(q) == cell]
    fields = rng.choice([("territory", "role"), ("territory",), ("role",)])
    lock: dict[str, Any] = {"rep": person, "periods": periods}
    if "territory" in fields:
        lock["territory"] = cell.territory
    if "role" in fields:
        lock["role"] = cell.role
    data.setdefault("locks", []).append(lock)
    return plan


def forbid_elsewhere(data: Data, plan: Plan, rng: random.Random) -> Plan:
    """A rep forbidden, in a month he works, another territory or the other working role."""
    if (picked := _working_month(data, _cells(plan), rng)) is None:
        return plan
    person, p, cell = picked
    others = [t["id"] for t in data["territories"] if t["id"] != cell.territory]
    forbid: dict[str, Any] = {"rep": person, "periods": [p], "forbid": True}
    if others and rng.random() < 0.5:
        forbid["territory"] = rng.choice(others)
    else:
        forbid["role"] = "farmer" if cell.role == "hunter" else "hunter"
    data.setdefault("locks", []).append(forbid)
    return plan


def lock_against_current(data: Data, plan: Plan, rng: random.Random) -> Plan:
    """A rep whose `current` stint is elsewhere, locked to his plan's first cell."""
    cells = _cells(plan)
    options = []
    for rep in data["reps"]:
        c = rep.get("current")
        first = cells[rep["id"]].get(0)
        if c and first is not None and first.working and first != Cell(c["role"], c["territory"]):
            options.append((rep["id"], first))
    if options:
        person, cell = rng.choice(options)
        lock = {"rep": person, "periods": [0], "territory": cell.territory, "role": cell.role}
        data.setdefault("locks", []).append(lock)
    return plan


def lock_position(data: Data, plan: Plan, rng: random.Random) -> Plan:
    """A filled position locked to its role in a working period: it must be filled by then."""
    cells = _cells(plan)
    filled = [
        (x, p, c)
        for x, row in cells.items()
        if x.startswith("H-")
        for p, c in row.items()
        if c.working
    ]
    if filled:
        person, p, cell = rng.choice(filled)
        data.setdefault("locks", []).append({"rep": person, "periods": [p], "role": cell.role})
    return plan


def tight_office(data: Data, plan: Plan, rng: random.Random) -> Plan:
    """A territory's office exactly as large as the plan's busiest period there."""
    busy: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for a in plan.assignments:
        if a.territory is not None:
            busy[a.territory][a.period] += 1
    t = rng.choice(data["territories"])
    t["max_reps"] = max(busy[t["id"]].values(), default=0)
    return plan


def tight_floor(data: Data, plan: Plan, rng: random.Random) -> Plan:
    """A territory's `min_farmers` exactly as high as the plan's thinnest period there."""
    from optimizer.simulate.dynamics import run_dynamics
    from optimizer.simulate.schedule import read_plan

    t = rng.choice(data["territories"])
    counted = run_dynamics(read_plan(load_scenario(data), plan)).territories[t["id"]]
    t["min_farmers"] = min(counted.farmers_counted, default=0)
    return plan


def one_seat(data: Data, plan: Plan, rng: random.Random) -> Plan:
    """Trainer capacity exactly what the plan uses (at least one seat)."""
    if not data.get("training"):
        return plan
    per: dict[int, int] = defaultdict(int)
    for a in plan.assignments:
        if a.role == "trainee":
            per[a.period] += 1
    data["training"]["trainer_capacity"] = max(1, max(per.values(), default=0))
    return plan


def leave_in_stint(data: Data, plan: Plan, rng: random.Random) -> Plan:
    """Leave in the middle of a hunter stint long enough to lose a period (the plan's cell
    becomes off; a leave neither breaks nor lengthens a stint)."""
    rotation = (data.get("policy") or {}).get("rotation") or {}
    low = rotation.get("hunter_stint_min", 0) if rotation.get("enabled", True) else 0
    cells = _cells(plan)
    reps = {r["id"]: r for r in data["reps"]}
    options = []
    for person, row in cells.items():
        if person not in reps:
            continue
        periods = sorted(row)
        for i in range(1, len(periods) - 1):
            p = periods[i]
            run = [q for q in periods if row[q] == row[p]]
            inner = row[periods[i - 1]] == row[p] == row[periods[i + 1]]
            if row[p].role == "hunter" and inner and len(run) - 1 >= max(low, 2):
                options.append((person, p))
    if not options:
        return plan
    person, p = rng.choice(options)
    rep = reps[person]
    rep["unavailable"] = sorted({*rep.get("unavailable", []), p})
    rows = tuple(
        a.model_copy(update={"role": "off", "territory": None})
        if (a.person, a.period) == (person, p)
        else a
        for a in plan.assignments
    )
    return plan.model_copy(update={"assignments": rows})


def veteran_out_of_radius(data: Data, plan: Plan, rng: random.Random) -> Plan:
    """A rep who holds one post all horizon becomes a protected veteran there, his radius
    shrunk so that a post away from home lies outside it."""
    cells = _cells(plan)
    options = []
    for rep in data["reps"]:
        row = cells[rep["id"]]
        held = {c for c in row.values() if c.role != "off"}
        if len(held) == 1 and next(iter(held)).working and rep["id"] in cells:
            options.append((rep, next(iter(held))))
    policy = data.setdefault("policy", {})
    if not options:
        return plan
    rep, cell = rng.choice(options)
    veterans = policy.get("veterans")
    tenure = max((r.get("tenure_months", 0) for r in data["reps"]), default=0) + 1
    if not veterans or not veterans.get("enabled", True):
        # no one else becomes protected: the threshold lies above every other tenure
        policy["veterans"] = {"enabled": True, "tenure_months": tenure}
    else:
        tenure = max(tenure, veterans["tenure_months"])
    rep["tenure_months"] = tenure
    rep["current"] = {"territory": cell.territory, "role": cell.role, "periods": 1}
    rep["max_distance_km"] = 0.001
    if cell.role not in rep.get("roles", ["hunter", "farmer"]):
        rep["roles"] = [*rep.get("roles", []), cell.role]
    return plan


def frozen_baseline(data: Data, plan: Plan, rng: random.Random) -> Plan:
    """The plan itself as last quarter's, its first months frozen, changes charged."""
    if data.get("baseline"):
        return plan
    periods = data["horizon"]["periods"]
    data["baseline"] = {
        "freeze_periods": rng.randint(1, max(1, periods // 3)),
        "change_cost": rng.choice([1_000, 50_000]),
        "assignments": [a.model_dump(mode="json") for a in plan.assignments],
        "bonus_levels": list(plan.bonus_levels),
    }
    return plan


MUTATIONS: tuple[Callable[[Data, Plan, random.Random], Plan], ...] = (
    lock_rep,
    forbid_elsewhere,
    lock_against_current,
    lock_position,
    tight_office,
    tight_floor,
    one_seat,
    leave_in_stint,
    veteran_out_of_radius,
    frozen_baseline,
)


def mutate(data: Data, plan: Plan, rng: random.Random, count: int = 3) -> tuple[Data, Plan]:
    """A copy of the scenario with `count` mutations, and the plan that still keeps every
    rule of it (checked: a mutation that broke it would be a bug of this module)."""
    data = copy.deepcopy(data)
    plan = plan.model_copy(update={"scenario": data["name"]})
    for mutation in rng.sample(MUTATIONS, k=min(count, len(MUTATIONS))):
        plan = mutation(data, plan, rng)
    ev = simulate(load_scenario(data), plan)
    assert ev.feasible, f"mutations {count} broke the known plan: {ev.violations[:3]}"
    return data, plan
