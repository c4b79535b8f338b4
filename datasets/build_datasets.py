"""Writes the shipped datasets (`python datasets/build_datasets.py`); datasets/README.md tells
their stories. A test checks that the JSON files equal what this script writes, so edit here.

Town coordinates: the Crimean table is the founding dataset's own (centre coordinates and
populations from public gazetteers); other towns come from GeoNames via `optimizer.cities`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from optimizer.cities import find  # noqa: E402

CRIMEA = {  # id: (name, lat, lon, population)
    "SIM": ("Simferopol", 44.952, 34.102, 340_000),
    "SEV": ("Sevastopol", 44.616, 33.525, 450_000),
    "KER": ("Kerch", 45.357, 36.468, 150_000),
    "EVP": ("Yevpatoria", 45.190, 33.368, 105_000),
    "YAL": ("Yalta", 44.495, 34.166, 78_000),
    "FEO": ("Feodosia", 45.032, 35.382, 68_000),
    "DZH": ("Dzhankoy", 45.709, 34.389, 38_000),
    "ALU": ("Alushta", 44.677, 34.410, 30_000),
    "BAK": ("Bakhchysarai", 44.754, 33.860, 27_000),
    "KRP": ("Krasnoperekopsk", 45.953, 33.797, 25_000),
    "SAK": ("Saki", 45.134, 33.600, 23_000),
    "ARM": ("Armyansk", 46.106, 33.690, 21_000),
    "SUD": ("Sudak", 44.851, 34.975, 17_000),
    "BIL": ("Bilohirsk", 45.054, 34.601, 16_000),
}


def territory(tid: str, name: str, lat: float, lon: float, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": tid, "name": name, "lat": lat, "lon": lon}
    base.update(fields)
    return base


def town(tid: str, name: str, country: str = "RU", **fields: Any) -> dict[str, Any]:
    city = find(name, country)
    return territory(tid, city.name, city.lat, city.lon, **fields)


def rep(rid: str, name: str, home: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": rid, "name": name, "home": home}
    base.update(fields)
    return base


def stint(territory_id: str, role: str, periods: int) -> dict[str, Any]:
    return {"territory": territory_id, "role": role, "periods": periods}


def crimea() -> dict[str, Any]:
    """The flagship: a Crimean B2B distributor, every lever on (see README)."""

    def t(tid: str, **f: Any) -> dict[str, Any]:
        name, lat, lon, _population = CRIMEA[tid]
        return territory(tid, name, lat, lon, **f)

    # Market sizes follow population (about one account per 3,000 people, fewer but richer in
    # the long-cycle industrial and port towns).
    territories = [
        t(
            "SIM",
            accounts=110,
            account_value=9000,
            account_revenue=30000,
            prospects=280,
            prospect_inflow=6,
            win_share_pct=4,
            accounts_per_farmer=55,
            min_farmers=1,
            max_reps=5,
            handover_cost=150000,
        ),
        t(
            "SEV",
            long_cycle=True,
            accounts=90,
            account_value=18000,
            account_revenue=55000,
            prospects=240,
            prospect_inflow=5,
            win_share_pct=3,
            accounts_per_farmer=45,
            min_farmers=1,
            max_reps=5,
            handover_cost=300000,
        ),
        t(
            "KER",
            long_cycle=True,
            accounts=35,
            account_value=16000,
            account_revenue=50000,
            prospects=110,
            prospect_inflow=3,
            win_share_pct=3,
            accounts_per_farmer=45,
            min_farmers=1,
            max_reps=3,
            handover_cost=250000,
        ),
        t(
            "EVP",
            accounts=40,
            account_value=8000,
            account_revenue=26000,
            prospects=120,
            prospect_inflow=3,
            win_share_pct=5,
            accounts_per_farmer=60,
            min_farmers=1,
            max_reps=3,
            handover_cost=120000,
        ),
        t(
            "YAL",
            accounts=45,
            account_value=10000,
            account_revenue=32000,
            prospects=140,
            prospect_inflow=4,
            win_share_pct=5,
            accounts_per_farmer=60,
            min_farmers=1,
            max_reps=3,
            handover_cost=150000,
        ),
        t(
            "FEO",
            accounts=25,
            account_value=8000,
            account_revenue=26000,
            prospects=80,
            prospect_inflow=2,
            win_share_pct=5,
            accounts_per_farmer=60,
            max_reps=3,
            handover_cost=100000,
        ),
        t(
            "DZH",
            accounts=12,
            account_value=7000,
            account_revenue=22000,
            prospects=40,
            prospect_inflow=1,
            win_share_pct=5,
            accounts_per_farmer=60,
            max_reps=2,
            handover_cost=80000,
        ),
        t(
            "ALU",
            accounts=15,
            account_value=9000,
            account_revenue=30000,
            prospects=50,
            prospect_inflow=2,
            win_share_pct=6,
            accounts_per_farmer=60,
            max_reps=2,
            handover_cost=100000,
        ),
        t(
            "BAK",
            accounts=9,
            account_value=7000,
            account_revenue=22000,
            prospects=30,
            prospect_inflow=1,
            win_share_pct=5,
            accounts_per_farmer=60,
            max_reps=2,
            handover_cost=70000,
        ),
        t(
            "KRP",
            long_cycle=True,
            accounts=6,
            account_value=25000,
            account_revenue=80000,
            prospects=20,
            prospect_inflow=1,
            win_share_pct=4,
            accounts_per_farmer=40,
            max_reps=2,
            handover_cost=200000,
        ),
        t(
            "SAK",
            accounts=8,
            account_value=7000,
            account_revenue=22000,
            prospects=28,
            prospect_inflow=1,
            win_share_pct=5,
            accounts_per_farmer=60,
            max_reps=2,
            handover_cost=70000,
        ),
        t(
            "ARM",
            long_cycle=True,
            accounts=5,
            account_value=30000,
            account_revenue=90000,
            prospects=18,
            prospect_inflow=1,
            win_share_pct=4,
            accounts_per_farmer=40,
            max_reps=2,
            handover_cost=200000,
        ),
        t(
            "SUD",
            accounts=7,
            account_value=9000,
            account_revenue=28000,
            prospects=25,
            prospect_inflow=1,
            win_share_pct=6,
            accounts_per_farmer=60,
            max_reps=2,
            handover_cost=70000,
        ),
        t(
            "BIL",
            accounts=5,
            account_value=6000,
            account_revenue=20000,
            prospects=20,
            prospect_inflow=1,
            win_share_pct=5,
            accounts_per_farmer=60,
            max_reps=2,
            handover_cost=60000,
        ),
    ]
    reps = [
        rep(
            "r01",
            "Anna Koval",
            "SIM",
            roles=["farmer"],
            hunter_capacity=2,
            farmer_capacity_pct=110,
            salary=140000,
            tenure_months=84,
            current=stint("SIM", "farmer", 40),
            unavailable=[7],
        ),
        rep(
            "r02",
            "Bogdan Lysenko",
            "SIM",
            hunter_capacity=6,
            farmer_capacity_pct=90,
            salary=120000,
            tenure_months=30,
            current=stint("SIM", "hunter", 2),
        ),
        rep(
            "r03",
            "Vera Osipova",
            "SIM",
            trained=False,
            hunter_capacity=4,
            farmer_capacity_pct=90,
            salary=95000,
            tenure_months=8,
            current=stint("SIM", "farmer", 6),
            productivity_pct=[80, 90],
        ),
        rep(
            "r04",
            "Grigory Tkach",
            "SEV",
            roles=["farmer"],
            hunter_capacity=2,
            farmer_capacity_pct=120,
            salary=150000,
            tenure_months=120,
            current=stint("SEV", "farmer", 60),
            unavailable=[6],
        ),
        rep(
            "r05",
            "Darya Melnik",
            "SEV",
            hunter_capacity=5,
            farmer_capacity_pct=100,
            salary=125000,
            tenure_months=24,
            current=stint("SEV", "hunter", 3),
        ),
        rep(
            "r06",
            "Egor Bondar",
            "SEV",
            trained=False,
            hunter_capacity=4,
            farmer_capacity_pct=90,
            salary=90000,
            tenure_months=4,
            productivity_pct=[50, 75],
        ),
        rep(
            "r07",
            "Zhanna Kravets",
            "KER",
            roles=["farmer"],
            hunter_capacity=2,
            farmer_capacity_pct=110,
            salary=135000,
            tenure_months=72,
            current=stint("KER", "farmer", 50),
        ),
        rep(
            "r08",
            "Ilya Sokol",
            "FEO",
            hunter_capacity=4,
            farmer_capacity_pct=100,
            salary=115000,
            tenure_months=36,
            current=stint("FEO", "farmer", 20),
        ),
        rep(
            "r09",
            "Kira Shevchuk",
            "EVP",
            roles=["farmer"],
            hunter_capacity=2,
            farmer_capacity_pct=100,
            salary=130000,
            tenure_months=60,
            current=stint("EVP", "farmer", 45),
            active_until=8,
        ),
        rep(
            "r10",
            "Lev Moroz",
            "EVP",
            roles=["hunter"],
            hunter_capacity=6,
            farmer_capacity_pct=60,
            salary=110000,
            tenure_months=18,
            current=stint("EVP", "hunter", 2),
        ),
        rep(
            "r11",
            "Maria Rudenko",
            "YAL",
            roles=["farmer"],
            hunter_capacity=2,
            farmer_capacity_pct=110,
            salary=140000,
            tenure_months=96,
            current=stint("YAL", "farmer", 70),
            unavailable=[8],
        ),
        rep(
            "r12",
            "Nikita Savchenko",
            "YAL",
            trained=False,
            hunter_capacity=5,
            farmer_capacity_pct=80,
            salary=95000,
            tenure_months=10,
            current=stint("ALU", "hunter", 1),
            productivity_pct=[80, 90],
        ),
        rep(
            "r13",
            "Oksana Pavlenko",
            "DZH",
            hunter_capacity=3,
            farmer_capacity_pct=100,
            salary=110000,
            tenure_months=40,
            current=stint("DZH", "farmer", 30),
            unavailable=[7],
        ),
        rep(
            "r14",
            "Pavel Zaitsev",
            "SIM",
            trained=False,
            hunter_capacity=4,
            farmer_capacity_pct=80,
            salary=90000,
            tenure_months=2,
            productivity_pct=[50, 75],
        ),
    ]
    return {
        "name": "crimea-2027",
        "currency": "RUB",
        "horizon": {"start": "2027-01", "periods": 12},
        "defaults": {
            "travel_cost": 40000,
            "max_distance_km": 120,
            "churn_served_pct": 1,
            "churn_unserved_pct": 8,
            "terminal_value_periods": 6,
            "role_switch_cost": 50000,
            "bench_cost": 0,
        },
        "territories": territories,
        "reps": reps,
        "hiring": {
            "max_hires": 3,
            "max_hires_per_period": 1,
            "earliest_period": 1,
            "hire_cost": 250000,
            "salary": 90000,
            "hunter_capacity": 3,
            "farmer_capacity_pct": 80,
            "ramp_pct": [0, 50, 75],
            "territories": ["KER", "EVP", "FEO", "ALU", "KRP", "ARM", "SUD"],
            "positions_per_territory": 1,
        },
        "training": {"periods": 3, "trainer_capacity": 2},
        "policy": {
            "rotation": {
                "enabled": True,
                "hunter_stint_min": 2,
                "hunter_stint_max": 3,
                "hunter_cooldown": 2,
                "farmer_max_tenure": None,
                "handover_requires_farmer": True,
            },
            "specialization": {"enabled": True},
            "prospect_supply": {"min_prospects_per_hunter": 30},
            "bonus": {
                "enabled": True,
                "levels": [
                    {"name": "none", "per_client": 0, "uplift_pct": 100},
                    {"name": "high", "per_client": 30000, "uplift_pct": 140},
                ],
            },
            "hiring": {"enabled": True},
            "veterans": {"enabled": True, "tenure_months": 48},
            "targets": {
                "goal_new_clients": 150,
                "goal_revenue": 165_000_000,
                "new_client_shortfall_cost": 100000,
                "revenue_shortfall_cost_pct": 10,
                "realism_pct": 90,
                "target_period": "quarter",
            },
        },
        "locks": [{"rep": "r02", "periods": [0], "territory": "SIM", "role": "hunter"}],
        "baseline": None,
    }


def common(
    name: str,
    territories: list[dict[str, Any]],
    reps: list[dict[str, Any]],
    policy: dict[str, Any],
    **extra: Any,
) -> dict[str, Any]:
    scenario: dict[str, Any] = {
        "name": name,
        "currency": "RUB",
        "horizon": {"start": "2027-01", "periods": 12},
        "defaults": {
            "travel_cost": 30000,
            "max_distance_km": 250,
            "churn_served_pct": 1,
            "churn_unserved_pct": 8,
            "terminal_value_periods": 6,
            "role_switch_cost": 50000,
            "bench_cost": 0,
        },
        "territories": territories,
        "reps": reps,
        "policy": policy,
    }
    scenario.update(extra)
    return scenario


def rotation_distributor() -> dict[str, Any]:
    """Kuban drinks distributor: small towns whose prospect pools one hunter exhausts fast."""
    small = {
        "account_value": 6000,
        "account_revenue": 20000,
        "prospect_inflow": 1,
        "win_share_pct": 12,
        "accounts_per_farmer": 60,
        "min_farmers": 1,
        "handover_cost": 80000,
    }
    territories = [
        town("KRD", "Krasnodar", accounts=60, prospects=60, **small),
        town("NVR", "Novorossiysk", accounts=40, prospects=45, **small),
        town("ANA", "Anapa", accounts=20, prospects=40, **small),
        town("GEL", "Gelendzhik", accounts=20, prospects=40, **small),
        town("SLV", "Slavyansk-na-Kubani", accounts=20, prospects=35, **small),
        town("KRO", "Kropotkin", accounts=25, prospects=40, **small),
    ]
    farmers = [
        rep(
            f"f{i}",
            f"Farmer {tid}",
            tid,
            roles=["farmer"],
            hunter_capacity=1,
            farmer_capacity_pct=100,
            salary=100000,
            tenure_months=60,
            current=stint(tid, "farmer", 30),
        )
        for i, tid in enumerate(["KRD", "NVR", "ANA", "GEL", "SLV", "KRO"], 1)
    ]
    hunters = [
        rep(
            "h1",
            "Icebreaker 1",
            "KRD",
            roles=["hunter"],
            hunter_capacity=6,
            farmer_capacity_pct=50,
            salary=110000,
            tenure_months=20,
            current=stint("KRD", "hunter", 2),
        ),
        rep(
            "h2",
            "Icebreaker 2",
            "NVR",
            roles=["hunter"],
            hunter_capacity=6,
            farmer_capacity_pct=50,
            salary=110000,
            tenure_months=14,
            current=stint("NVR", "hunter", 1),
        ),
    ]
    policy = {
        "rotation": {
            "enabled": True,
            "hunter_stint_min": 2,
            "hunter_stint_max": 3,
            "hunter_cooldown": 3,
            "handover_requires_farmer": True,
        },
        "prospect_supply": {"min_prospects_per_hunter": 20},
        "veterans": {"enabled": True, "tenure_months": 48},
    }
    return common("kuban-rotation", territories, farmers + hunters, policy)


def long_cycle_equipment() -> dict[str, Any]:
    """Ural medical equipment: long sales cycles, uncovered cities, hires who must train."""
    big = {
        "long_cycle": True,
        "account_value": 40000,
        "account_revenue": 120000,
        "prospect_inflow": 2,
        "win_share_pct": 3,
        "accounts_per_farmer": 25,
        "handover_cost": 500000,
    }
    territories = [
        town("EKB", "Yekaterinburg", accounts=40, prospects=120, min_farmers=1, **big),
        town("CHE", "Chelyabinsk", accounts=30, prospects=100, min_farmers=1, **big),
        town("TYU", "Tyumen", accounts=4, prospects=90, **big),
        town("PER", "Perm", accounts=6, prospects=110, **big),
        town("MAG", "Magnitogorsk", accounts=3, prospects=60, **big),
    ]
    reps = [
        rep(
            "v1",
            "Veteran Yekaterinburg",
            "EKB",
            roles=["farmer"],
            hunter_capacity=1,
            farmer_capacity_pct=120,
            salary=180000,
            tenure_months=110,
            current=stint("EKB", "farmer", 80),
        ),
        rep(
            "v2",
            "Veteran Chelyabinsk",
            "CHE",
            roles=["farmer"],
            hunter_capacity=1,
            farmer_capacity_pct=120,
            salary=180000,
            tenure_months=90,
            current=stint("CHE", "farmer", 60),
        ),
        rep(
            "e1",
            "Engineer Yekaterinburg",
            "EKB",
            hunter_capacity=2,
            farmer_capacity_pct=100,
            salary=150000,
            tenure_months=30,
            current=stint("EKB", "hunter", 2),
        ),
        rep(
            "n1",
            "New rep Chelyabinsk",
            "CHE",
            trained=False,
            training_done=1,
            hunter_capacity=2,
            farmer_capacity_pct=90,
            salary=110000,
            tenure_months=3,
            productivity_pct=[60, 80],
        ),
    ]
    policy = {
        "hiring": {"enabled": True},
        "veterans": {"enabled": True, "tenure_months": 60},
        "prospect_supply": {"min_prospects_per_hunter": 20},
    }
    hiring = {
        "max_hires": 3,
        "max_hires_per_period": 1,
        "earliest_period": 0,
        "hire_cost": 300000,
        "salary": 120000,
        "hunter_capacity": 2,
        "farmer_capacity_pct": 90,
        "ramp_pct": [50, 75],
        "territories": ["TYU", "PER", "MAG"],
        "positions_per_territory": 1,
    }
    return common(
        "ural-long-cycle",
        territories,
        reps,
        policy,
        hiring=hiring,
        training={"periods": 4, "trainer_capacity": 2},
    )


def saturated_bonus() -> dict[str, Any]:
    """St Petersburg business internet: a divided market where each win is hard and valuable."""
    divided = {
        "account_value": 7000,
        "account_revenue": 15000,
        "prospect_inflow": 10,
        "win_share_pct": 10,
        "accounts_per_farmer": 120,
        "handover_cost": 100000,
    }
    territories = [
        town("SPB", "Saint Petersburg", accounts=400, prospects=600, min_farmers=2, **divided),
        town("KOL", "Kolpino", accounts=40, prospects=90, **divided),
        town("GAT", "Gatchina", accounts=30, prospects=80, **divided),
        town("VYB", "Vyborg", accounts=25, prospects=60, **divided),
    ]
    reps = [
        rep(
            f"s{i}",
            f"Account manager {i}",
            "SPB",
            roles=["farmer"],
            hunter_capacity=1,
            farmer_capacity_pct=100,
            salary=110000,
            tenure_months=50,
            current=stint("SPB", "farmer", 24),
        )
        for i in range(1, 5)
    ] + [
        rep(
            "h1",
            "Closer 1",
            "SPB",
            roles=["hunter"],
            hunter_capacity=2,
            farmer_capacity_pct=50,
            salary=120000,
            tenure_months=20,
            current=stint("SPB", "hunter", 5),
        ),
        rep(
            "h2",
            "Closer 2",
            "SPB",
            roles=["hunter"],
            hunter_capacity=2,
            farmer_capacity_pct=50,
            salary=120000,
            tenure_months=12,
            current=stint("SPB", "hunter", 3),
        ),
        rep(
            "h3",
            "Closer 3",
            "GAT",
            roles=["hunter"],
            hunter_capacity=2,
            farmer_capacity_pct=50,
            salary=115000,
            tenure_months=8,
            current=stint("GAT", "hunter", 3),
        ),
    ]
    policy = {
        "bonus": {
            "enabled": True,
            "levels": [
                {"name": "none", "per_client": 0, "uplift_pct": 100},
                {"name": "standard", "per_client": 15000, "uplift_pct": 125},
                {"name": "high", "per_client": 40000, "uplift_pct": 160},
            ],
        },
        "prospect_supply": {"min_prospects_per_hunter": 20},
    }
    return common("neva-bonus", territories, reps, policy)


def uncertain_bonus() -> dict[str, Any]:
    """Novosibirsk courier service: a bonus that pays on the expected course, not in real
    months (spec section 8)."""
    market = {
        "account_value": 7000,
        "account_revenue": 14000,
        "prospect_inflow": 10,
        "win_share_pct": 10,
        "accounts_per_farmer": 150,
        "handover_cost": 100000,
    }
    territories = [town("NSK", "Novosibirsk", accounts=200, prospects=100, min_farmers=1, **market)]
    reps = [
        rep(
            f"f{i}",
            f"Account manager {i}",
            "NSK",
            roles=["farmer"],
            hunter_capacity=1,
            farmer_capacity_pct=100,
            salary=100000,
            tenure_months=50,
            current=stint("NSK", "farmer", 24),
        )
        for i in (1, 2)
    ] + [
        rep(
            f"h{i}",
            f"Courier sales {i}",
            "NSK",
            roles=["hunter"],
            hunter_capacity=2,
            farmer_capacity_pct=50,
            salary=100000,
            tenure_months=10,
            current=stint("NSK", "hunter", 6),
        )
        for i in (1, 2)
    ]
    policy = {
        "bonus": {
            "enabled": True,
            "levels": [
                {"name": "none", "per_client": 0, "uplift_pct": 100},
                {"name": "push", "per_client": 12000, "uplift_pct": 125},
            ],
        },
    }
    return common("ob-courier", territories, reps, policy, uncertainty={"samples": 2000})


def hunter_farmer_split() -> dict[str, Any]:
    """Volga packaging: everybody does everything today; some are born hunters, some farmers."""
    mid = {
        "account_value": 8000,
        "account_revenue": 25000,
        "prospect_inflow": 4,
        "win_share_pct": 5,
        "accounts_per_farmer": 50,
        "min_farmers": 1,
        "handover_cost": 120000,
    }
    territories = [
        town("KZN", "Kazan", accounts=90, prospects=300, **mid),
        town("NNV", "Nizhniy Novgorod", accounts=90, prospects=300, **mid),
        town("SAM", "Samara", accounts=80, prospects=260, **mid),
        town("ULY", "Ulyanovsk", accounts=45, prospects=150, **mid),
    ]
    # Today every town has one hunter and one farmer, each in the other's natural role.
    people = [
        ("p1", "KZN", 7, 60, "farmer"),
        ("p2", "KZN", 2, 130, "hunter"),
        ("p3", "NNV", 6, 70, "farmer"),
        ("p4", "NNV", 1, 130, "hunter"),
        ("p5", "SAM", 7, 60, "farmer"),
        ("p6", "SAM", 2, 120, "hunter"),
        ("p7", "ULY", 5, 70, "farmer"),
        ("p8", "ULY", 2, 120, "hunter"),
    ]
    reps = [
        rep(
            pid,
            f"Rep {pid[1:]}",
            home,
            hunter_capacity=hcap,
            farmer_capacity_pct=fcap,
            salary=110000,
            tenure_months=30,
            current=stint(home, role, 4),
        )
        for pid, home, hcap, fcap, role in people
    ]
    policy = {
        "specialization": {"enabled": True},
        "prospect_supply": {"min_prospects_per_hunter": 40},
    }
    scenario = common("volga-split", territories, reps, policy)
    scenario["defaults"]["max_distance_km"] = 400
    scenario["defaults"]["role_switch_cost"] = 80000
    return scenario


def unrealistic_goals() -> dict[str, Any]:
    """Siberian office supplies: head office wants growth the market and team cannot give."""
    mid = {
        "account_value": 5000,
        "account_revenue": 18000,
        "prospect_inflow": 3,
        "win_share_pct": 4,
        "accounts_per_farmer": 60,
        "min_farmers": 1,
        "handover_cost": 60000,
    }
    territories = [
        town("NSK", "Novosibirsk", accounts=150, prospects=300, **mid),
        town("BRN", "Barnaul", accounts=60, prospects=120, **mid),
        town("KEM", "Kemerovo", accounts=55, prospects=110, **mid),
        town("NKZ", "Novokuznetsk", accounts=50, prospects=100, **mid),
        town("TOM", "Tomsk", accounts=55, prospects=110, **mid),
    ]
    reps = [
        rep(
            "a1",
            "Rep Novosibirsk 1",
            "NSK",
            hunter_capacity=4,
            farmer_capacity_pct=100,
            salary=90000,
            tenure_months=40,
            current=stint("NSK", "farmer", 20),
        ),
        rep(
            "a2",
            "Rep Novosibirsk 2",
            "NSK",
            hunter_capacity=5,
            farmer_capacity_pct=100,
            salary=90000,
            tenure_months=26,
            current=stint("NSK", "farmer", 12),
        ),
        rep(
            "a3",
            "Rep Novosibirsk 3",
            "NSK",
            hunter_capacity=5,
            farmer_capacity_pct=90,
            salary=85000,
            tenure_months=14,
            current=stint("NSK", "hunter", 3),
        ),
        rep(
            "b1",
            "Rep Barnaul",
            "BRN",
            hunter_capacity=4,
            farmer_capacity_pct=100,
            salary=80000,
            tenure_months=30,
            current=stint("BRN", "farmer", 18),
        ),
        rep(
            "k1",
            "Rep Kemerovo",
            "KEM",
            hunter_capacity=4,
            farmer_capacity_pct=100,
            salary=80000,
            tenure_months=22,
            current=stint("KEM", "farmer", 10),
        ),
        rep(
            "k2",
            "Rep Novokuznetsk",
            "NKZ",
            hunter_capacity=4,
            farmer_capacity_pct=100,
            salary=80000,
            tenure_months=18,
            current=stint("NKZ", "farmer", 9),
        ),
        rep(
            "t1",
            "Rep Tomsk",
            "TOM",
            hunter_capacity=4,
            farmer_capacity_pct=100,
            salary=80000,
            tenure_months=35,
            current=stint("TOM", "farmer", 16),
        ),
    ]
    policy = {
        "targets": {
            "goal_new_clients": 300,
            "goal_revenue": 120_000_000,
            "new_client_shortfall_cost": 20000,
            "revenue_shortfall_cost_pct": 5,
            "realism_pct": 90,
            "target_period": "quarter",
        },
        "prospect_supply": {"min_prospects_per_hunter": 20},
    }
    return common("siberia-goals", territories, reps, policy)


DATASETS = {
    "crimea": crimea,
    "rotation_distributor": rotation_distributor,
    "long_cycle_equipment": long_cycle_equipment,
    "saturated_bonus": saturated_bonus,
    "hunter_farmer_split": hunter_farmer_split,
    "unrealistic_goals": unrealistic_goals,
    "uncertain_bonus": uncertain_bonus,
}


# Regional scenarios for `ledokol batch` (datasets/regions/): generator instances, seeds fixed.
REGIONS = {f"region-{k:02d}": (10 + 2 * k, 4 + k, 10 + k) for k in range(1, 7)}


def region_data(name: str) -> dict[str, Any]:
    from optimizer.generate import generate_data

    reps, territories, seed = REGIONS[name]
    return generate_data(reps, territories, 12, seed, name=name)


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def main() -> None:
    for name, build in DATASETS.items():
        path = HERE / f"{name}.json"
        path.write_text(render(build()), encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent)}")
    (HERE / "regions").mkdir(exist_ok=True)
    for name in REGIONS:
        path = HERE / "regions" / f"{name}.json"
        path.write_text(render(region_data(name)), encoding="utf-8")
        print(f"wrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
