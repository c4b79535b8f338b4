"""Small builders shared by the tests: a tiny scenario as a dict, and plans in a short notation."""

from __future__ import annotations

import copy
from typing import Any

from optimizer.plan import Assignment, Hire, Plan
from optimizer.scenario import Scenario, load_scenario
from optimizer.simulate import Evaluation, simulate

# Two territories 111 km apart (one degree of latitude), one rep at A; nothing churns, nothing
# flows in, every cost is zero unless a test sets it.
TINY: dict[str, Any] = {
    "name": "tiny",
    "horizon": {"start": "2027-01", "periods": 3},
    "defaults": {
        "travel_cost": 0,
        "max_distance_km": None,
        "churn_served_pct": 0,
        "churn_unserved_pct": 0,
        "terminal_value_periods": 0,
        "role_switch_cost": 0,
    },
    "territories": [
        {
            "id": "A",
            "lat": 45.0,
            "lon": 34.0,
            "accounts": 10,
            "account_value": 100,
            "prospects": 100,
            "prospect_inflow": 0,
            "win_share_pct": 10,
            "accounts_per_farmer": 10,
            "handover_cost": 0,
        },
        {
            "id": "B",
            "lat": 46.0,
            "lon": 34.0,
            "accounts": 10,
            "account_value": 100,
            "prospects": 100,
            "prospect_inflow": 0,
            "win_share_pct": 10,
            "accounts_per_farmer": 10,
            "handover_cost": 0,
        },
    ],
    "reps": [
        {
            "id": "r1",
            "home": "A",
            "hunter_capacity": 3,
            "farmer_capacity_pct": 100,
            "salary": 0,
        }
    ],
}


def tiny_data() -> dict[str, Any]:
    """A fresh, mutable copy of the tiny scenario."""
    return copy.deepcopy(TINY)


def two_locked_into_one_office() -> dict[str, Any]:
    """The tiny scenario with two reps both locked into A's office of one in period 0: no
    plan keeps the rules."""
    data = tiny_data()
    data["reps"].append(rep_data("r2"))
    data["territories"][0]["max_reps"] = 1
    data["locks"] = [
        {"rep": "r1", "periods": [0], "territory": "A"},
        {"rep": "r2", "periods": [0], "territory": "A"},
    ]
    return data


def rep_data(rid: str, home: str = "A", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": rid,
        "home": home,
        "hunter_capacity": 3,
        "farmer_capacity_pct": 100,
        "salary": 0,
    }
    base.update(fields)
    return base


def scenario(data: dict[str, Any]) -> Scenario:
    return load_scenario(data)


def hiring_data(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "max_hires": 2,
        "hire_cost": 0,
        "salary": 0,
        "hunter_capacity": 2,
        "farmer_capacity_pct": 100,
    }
    base.update(fields)
    return base


def cells(spec: str) -> list[tuple[str, str | None]]:
    """`"F:A H:B T B -"` -> farmer@A, hunter@B, trainee, bench, off."""
    names = {"H": "hunter", "F": "farmer", "T": "trainee", "B": "bench", "-": "off"}
    out: list[tuple[str, str | None]] = []
    for token in spec.split():
        role, _, territory = token.partition(":")
        out.append((names[role], territory or None))
    return out


def plan(
    rows: dict[str, str], levels: list[str] | None = None, hires: tuple[Hire, ...] = ()
) -> Plan:
    """A plan from one notation string per person (see `cells`)."""
    assignments = [
        Assignment(person=person, period=p, role=role, territory=territory)  # type: ignore[arg-type]
        for person, spec in rows.items()
        for p, (role, territory) in enumerate(cells(spec))
    ]
    return Plan(assignments=tuple(assignments), bonus_levels=tuple(levels or ()), hires=hires)


def run(data: dict[str, Any], rows: dict[str, str], levels: list[str] | None = None) -> Evaluation:
    """Validate the scenario, then simulate the plan."""
    return simulate(scenario(data), plan(rows, levels))


def rules_of(ev: Evaluation) -> set[str]:
    return {v.rule for v in ev.violations}


def where(ev: Evaluation, rule: str) -> list[tuple[str, int | None]]:
    """(entity, period) of each violation of one rule."""
    return [(v.entity, v.period) for v in ev.violations if v.rule == rule]
