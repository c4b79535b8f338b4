"""Random but meaningful scenarios of any size on real towns: the benchmark instances.

Market sizes follow population; a quarter of the territories sell long-cycle products; the
team mixes veterans, trained reps and recent hires still ramping up. The mobility radius is
chosen from the towns' spacing so that a rep reaches about eight territories. Every lever is
on. The same arguments always give the same scenario.
"""

from __future__ import annotations

import random
import statistics
from typing import Any

from optimizer.cities import City, region, short_codes
from optimizer.scenario import Scenario, great_circle_km, load_scenario

REACH = 8  # territories a rep should reach, on average, within the radius
VETERAN_MONTHS = 48
STINT_MAX = 4


def generate(
    reps: int, territories: int, periods: int = 12, seed: int = 0, name: str | None = None
) -> Scenario:
    """A validated scenario; see `generate_data` for the raw JSON-ready dict."""
    return load_scenario(generate_data(reps, territories, periods, seed, name))


def generate_data(
    reps: int, territories: int, periods: int = 12, seed: int = 0, name: str | None = None
) -> dict[str, Any]:
    if reps < 1 or territories < 1:
        raise ValueError("need at least one rep and one territory")
    if not 1 <= periods <= 36:
        raise ValueError("periods must be within 1..36")
    rng = random.Random(seed)
    towns = region(territories, seed)
    codes = short_codes([t.name for t in towns])
    terr = [_territory(rng, code, town) for code, town in zip(codes, towns, strict=True)]
    long_cycle = {t["id"] for t in terr if t["long_cycle"]}

    weights = [t.population for t in towns]
    homes = rng.choices(codes, weights=weights, k=reps)
    team = [_rep(rng, i, home, periods, home in long_cycle) for i, home in enumerate(homes, 1)]
    _set_coverage(terr, team)

    radius = _radius(towns)
    revenue = sum(t["accounts"] * t["account_revenue"] for t in terr)
    hunting = sum(r["hunter_capacity"] for r in team if "hunter" in r["roles"])
    typical_value = statistics.median_low(t["account_value"] for t in terr)
    scenario = {
        "name": name or f"generated-r{reps}-t{territories}-p{periods}-s{seed}",
        "currency": "RUB",
        "horizon": {"start": "2027-01", "periods": periods},
        "defaults": {
            "travel_cost": 35_000,
            "max_distance_km": radius,
            "churn_served_pct": 1,
            "churn_unserved_pct": 8,
            "terminal_value_periods": 6,
            "role_switch_cost": 50_000,
            "bench_cost": 0,
        },
        "territories": terr,
        "reps": team,
        "hiring": {
            "max_hires": max(1, reps // 10),
            "max_hires_per_period": max(1, reps // 40),
            "earliest_period": min(1, periods - 1),
            "hire_cost": 200_000,
            "salary": 90_000,
            "hunter_capacity": 3,
            "farmer_capacity_pct": 80,
            "ramp_pct": [0, 50, 75],
            "territories": None,
            "positions_per_territory": 1,
        },
        "training": {"periods": 3, "trainer_capacity": max(1, reps // 15)},
        "policy": {
            "rotation": {
                "enabled": True,
                "hunter_stint_min": 2,
                "hunter_stint_max": STINT_MAX,
                "hunter_cooldown": 2,
                "farmer_max_tenure": None,
                "handover_requires_farmer": True,
            },
            "specialization": {"enabled": False},
            "prospect_supply": {"min_prospects_per_hunter": 30},
            "bonus": {
                "enabled": True,
                "levels": [
                    {"name": "none", "per_client": 0, "uplift_pct": 100},
                    {"name": "standard", "per_client": typical_value, "uplift_pct": 120},
                    {"name": "high", "per_client": 3 * typical_value, "uplift_pct": 140},
                ],
            },
            "hiring": {"enabled": True},
            "veterans": {"enabled": True, "tenure_months": VETERAN_MONTHS},
            "targets": {
                "goal_new_clients": hunting * periods // 3,
                "goal_revenue": revenue * periods * 9 // 10,
                "new_client_shortfall_cost": 3 * typical_value,
                "revenue_shortfall_cost_pct": 10,
                "realism_pct": 90,
                "target_period": "quarter",
            },
        },
        "locks": [],
        "baseline": None,
    }
    return scenario


def _territory(rng: random.Random, code: str, town: City) -> dict[str, Any]:
    accounts = max(4, min(3000, town.population // 3000))
    value = rng.randrange(5_000, 12_001, 500)
    long_cycle = rng.random() < 0.25
    return {
        "id": code,
        "name": town.name,
        "lat": town.lat,
        "lon": town.lon,
        "long_cycle": long_cycle,
        "accounts": accounts,
        "account_value": value * (2 if long_cycle else 1),
        "account_revenue": value * (2 if long_cycle else 1) * 3,
        "prospects": accounts * rng.randint(15, 35) // 10,
        "prospect_inflow": max(1, accounts // 25),
        "win_share_pct": rng.randint(2, 6) if long_cycle else rng.randint(3, 9),
        "accounts_per_farmer": rng.randrange(40, 81, 5),
        "min_farmers": 0,
        "max_reps": None,
        "handover_cost": value * rng.randint(10, 20),
    }


def _rep(rng: random.Random, i: int, home: str, periods: int, home_long: bool) -> dict[str, Any]:
    tenure = rng.choice([2, 6, 12, 24, 36, 60, 96])
    roles = rng.choices([["hunter", "farmer"], ["farmer"], ["hunter"]], weights=[6, 3, 1])[0]
    role = "hunter" if roles == ["hunter"] or (len(roles) == 2 and rng.random() < 0.3) else "farmer"
    if tenure >= VETERAN_MONTHS and role == "hunter":
        # Veterans farm their book (the founding story); a protected hunter could exhaust a
        # small town's pool and make the scenario infeasible.
        tenure = 36
    recent = tenure < 12
    trained = not recent or rng.random() < 0.3
    leave = sorted(rng.sample(range(periods), k=min(periods, rng.choice([0, 0, 0, 1, 2]))))
    departs = rng.random() < 0.05 and periods > 2
    rep: dict[str, Any] = {
        "id": f"r{i:0{max(2, len(str(i)))}d}",
        "name": f"Rep {i}",
        "home": home,
        "roles": roles,
        "trained": trained,
        "hunter_capacity": rng.randint(2, 6),
        "farmer_capacity_pct": rng.randrange(70, 121, 10),
        "salary": rng.randrange(80_000, 150_001, 5_000),
        "tenure_months": tenure,
        "current": {
            "territory": home,
            "role": role,
            "periods": rng.randint(1, min(STINT_MAX if role == "hunter" else 24, tenure)),
        },
        "training_done": rng.randint(0, 2) if not trained else 0,
        "unavailable": leave,
        "active_until": rng.randint(periods // 2, periods - 1) if departs else None,
        "productivity_pct": [50, 75][:periods] if tenure <= 2 else [],
    }
    if not trained and home_long:
        rep["current"] = None  # an untrained rep cannot hold a long-cycle post already
    return rep


def _set_coverage(territories: list[dict[str, Any]], team: list[dict[str, Any]]) -> None:
    """A coverage floor where two trained farmers live, and office room for everyone based there."""
    based: dict[str, int] = {}
    farmers: dict[str, int] = {}
    for r in team:
        based[r["home"]] = based.get(r["home"], 0) + 1
        steady = not r["unavailable"] and r["active_until"] is None
        if "farmer" in r["roles"] and r["trained"] and steady:
            farmers[r["home"]] = farmers.get(r["home"], 0) + 1
    for t in territories:
        t["min_farmers"] = 1 if farmers.get(t["id"], 0) >= 2 else 0
        t["max_reps"] = based.get(t["id"], 0) + 3


def _radius(towns: list[City]) -> float | None:
    """Median distance to the REACH-th nearest town, rounded up to 10 km."""
    if len(towns) <= REACH:
        return None
    sample = towns[:: max(1, len(towns) // 200)]
    kth = []
    for a in sample:
        distances = sorted(great_circle_km(a.lat, a.lon, b.lat, b.lon) for b in towns)
        kth.append(distances[REACH])
    return float(-(-statistics.median(kth) // 10) * 10)
