"""Every optimum CP-SAT claims on a tiny scenario equals the exhaustive optimum of the simulator.

Tiny means two territories, two or three people, three periods: small enough to try every plan.
Hand-made cases switch on one lever each; hypothesis draws the rest.
"""

from __future__ import annotations

from typing import Any

import pytest
from builders import hiring_data, rep_data, scenario, tiny_data
from exhaustive import exhaustive_optimum, search_size
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from optimizer.deadline import Deadline
from optimizer.model import build_model
from optimizer.scenario import Scenario
from optimizer.search.bound import lp_bound
from optimizer.search.capacity import capacity_bound
from optimizer.search.flow import flow_bound
from optimizer.search.lagrange import lagrange_bound
from optimizer.search.lns import LnsOptions, lns_solve
from optimizer.solve import SolveOptions, solve

ONE_WORKER = SolveOptions(time_limit=60, workers=1, seed=0, strategy="cp-sat")


def economy(d: dict[str, Any]) -> dict[str, Any]:
    """Costs and churn that make choices matter."""
    d["defaults"].update(
        travel_cost=30,
        churn_served_pct=2,
        churn_unserved_pct=20,
        terminal_value_periods=2,
        role_switch_cost=40,
        bench_cost=5,
    )
    d["territories"][0].update(prospects=40, prospect_inflow=2, handover_cost=60)
    d["territories"][1].update(accounts=20, prospects=60, account_value=80, handover_cost=50)
    d["reps"][0]["salary"] = 10
    return d


def check_optimum(s: Scenario) -> str:
    """Solve and compare; returns what happened, for hypothesis' statistics."""
    expected = exhaustive_optimum(s)
    result = solve(s, ONE_WORKER)
    if expected is None:
        assert result.status == "INFEASIBLE"
        assert result.plan is None
        return "infeasible"
    assert result.status == "OPTIMAL", result.summary()
    assert result.score == expected
    lp = lp_bound(build_model(s).model)
    assert lp.bound is not None and lp.bound >= expected, lp  # the LP bound is a true bound
    assert capacity_bound(s) >= expected  # and so are the capacity bound
    flow = flow_bound(s)
    assert flow.bound is not None and flow.bound >= expected, flow  # and the flow LP
    split = lagrange_bound(
        build_model(s), expected, Deadline.after(600), iterations=2, deterministic=True
    )
    assert split.bound is not None and split.bound >= expected, split  # and the Lagrangian
    return "optimal"


def lever_rotation(d):
    d["reps"][0]["current"] = {"territory": "A", "role": "hunter", "periods": 1}
    d["reps"].append(rep_data("r2", home="B", roles=["farmer"]))
    d["policy"] = {
        "rotation": {
            "hunter_stint_min": 1,
            "hunter_stint_max": 2,
            "hunter_cooldown": 2,
            "handover_requires_farmer": True,
        }
    }


def lever_split(d):
    d["reps"][0].update(hunter_capacity=1, farmer_capacity_pct=150)
    d["reps"].append(rep_data("r2", home="B", hunter_capacity=5, farmer_capacity_pct=40))
    d["reps"][0]["current"] = {"territory": "A", "role": "hunter", "periods": 2}
    d["policy"] = {"specialization": {}}


def lever_bonus(d):
    d["reps"].append(rep_data("r2", home="B", roles=["farmer"]))
    d["policy"] = {
        "bonus": {
            "levels": [
                {"name": "none", "per_client": 0, "uplift_pct": 100},
                {"name": "high", "per_client": 90, "uplift_pct": 170},
            ]
        }
    }


def lever_hiring(d):
    d["policy"] = {"hiring": {}}
    d["hiring"] = hiring_data(
        max_hires=1, hire_cost=100, salary=20, ramp_pct=[50], territories=["B"]
    )
    d["training"] = {"periods": 1, "trainer_capacity": 1}
    d["territories"][1]["long_cycle"] = True


def lever_targets(d):
    d["reps"].append(rep_data("r2", home="B"))
    d["policy"] = {
        "targets": {
            "goal_new_clients": 12,
            "goal_revenue": 9000,
            "new_client_shortfall_cost": 150,
            "revenue_shortfall_cost_pct": 30,
            "realism_pct": 90,
        }
    }


def lever_veterans_training(d):
    d["reps"][0].update(
        tenure_months=60, current={"territory": "A", "role": "farmer", "periods": 9}
    )
    d["reps"].append(rep_data("r2", home="B", trained=False))
    d["territories"][1]["long_cycle"] = True
    d["training"] = {"periods": 1, "trainer_capacity": 1}
    d["policy"] = {"veterans": {"tenure_months": 48}}


def lever_coverage_supply(d):
    d["reps"].append(rep_data("r2", home="B", hunter_capacity=4))
    d["territories"][1]["min_farmers"] = 1
    d["territories"][0]["max_reps"] = 1
    d["policy"] = {"prospect_supply": {"min_prospects_per_hunter": 35}}


def lever_locks_baseline(d):
    d["reps"].append(rep_data("r2", home="B"))
    d["locks"] = [{"rep": "r2", "periods": [1], "role": "hunter"}]
    d["baseline"] = {
        "freeze_periods": 1,
        "change_cost": 25,
        "assignments": [
            {"person": "r1", "period": p, "role": "farmer", "territory": "A"} for p in range(3)
        ],
    }


LEVERS = {
    "rotation": lever_rotation,
    "hunter/farmer split": lever_split,
    "bonus": lever_bonus,
    "hiring with training": lever_hiring,
    "targets": lever_targets,
    "veterans and training": lever_veterans_training,
    "coverage and prospect supply": lever_coverage_supply,
    "locks and baseline": lever_locks_baseline,
}


@pytest.mark.parametrize("lever", list(LEVERS), ids=list(LEVERS))
def test_hand_made_optimum_is_exhaustive_optimum(lever):
    """One lever on: CP-SAT's OPTIMAL score equals the best of every plan."""
    d = economy(tiny_data())
    LEVERS[lever](d)
    check_optimum(scenario(d))


def test_infeasible_tiny_scenario_is_infeasible_both_ways():
    """No plan at all: the exhaustive search finds none and the solve says INFEASIBLE."""
    d = economy(tiny_data())
    d["territories"][1]["min_farmers"] = 1
    d["territories"][0]["min_farmers"] = 1
    check_optimum(scenario(d))


@st.composite
def tiny_scenarios(draw: st.DrawFn) -> Scenario:
    d = economy(tiny_data())
    d["horizon"]["periods"] = draw(st.integers(2, 3))
    t0, t1 = d["territories"]
    for t in (t0, t1):
        t.update(
            accounts=draw(st.integers(0, 30)),
            prospects=draw(st.integers(0, 60)),
            win_share_pct=draw(st.integers(0, 30)),
            accounts_per_farmer=draw(st.integers(0, 20)),
            long_cycle=draw(st.booleans()),
            min_farmers=draw(st.sampled_from([0, 0, 0, 1])),
        )
    r1 = d["reps"][0]
    r1.update(
        hunter_capacity=draw(st.integers(0, 6)),
        farmer_capacity_pct=draw(st.integers(0, 150)),
        roles=draw(st.sampled_from([["hunter", "farmer"], ["hunter"], ["farmer"]])),
        trained=draw(st.booleans()),
    )
    if draw(st.booleans()):
        r1["current"] = {
            "territory": draw(st.sampled_from(["A", "B"])),
            "role": draw(st.sampled_from(r1["roles"])),
            "periods": draw(st.integers(0, 3)),
        }
        r1["tenure_months"] = draw(st.sampled_from([0, 60]))
    if draw(st.booleans()):
        r1["unavailable"] = [draw(st.integers(0, d["horizon"]["periods"] - 1))]
    second = draw(st.sampled_from(["rep", "position", "none"]))
    if second == "rep":
        d["reps"].append(
            rep_data(
                "r2",
                home="B",
                hunter_capacity=draw(st.integers(0, 6)),
                farmer_capacity_pct=draw(st.integers(0, 150)),
                trained=draw(st.booleans()),
            )
        )
    policy: dict[str, Any] = {}
    if second == "position":
        policy["hiring"] = {}
        d["hiring"] = hiring_data(
            max_hires=1,
            hire_cost=draw(st.integers(0, 200)),
            salary=draw(st.integers(0, 40)),
            ramp_pct=draw(st.sampled_from([[], [50], [0, 50]])),
            territories=["B"],
            earliest_period=draw(st.integers(0, 1)),
        )
    if draw(st.booleans()):
        d["training"] = {"periods": draw(st.integers(1, 2)), "trainer_capacity": 1}
    if draw(st.booleans()):
        policy["rotation"] = {
            "hunter_stint_min": draw(st.integers(1, 2)),
            "hunter_stint_max": 2,
            "hunter_cooldown": draw(st.integers(0, 2)),
            "farmer_max_tenure": draw(st.sampled_from([None, 2])),
            "handover_requires_farmer": draw(st.booleans()),
        }
    if draw(st.booleans()):
        policy["specialization"] = {}
    if draw(st.booleans()):
        policy["prospect_supply"] = {"min_prospects_per_hunter": draw(st.integers(10, 40))}
    if draw(st.booleans()):
        policy["veterans"] = {"tenure_months": 48}
    if draw(st.booleans()):
        policy["bonus"] = {
            "levels": [
                {"name": "none", "per_client": 0, "uplift_pct": 100},
                {
                    "name": "high",
                    "per_client": draw(st.integers(0, 120)),
                    "uplift_pct": draw(st.integers(100, 200)),
                },
            ]
        }
    if draw(st.booleans()):
        policy["targets"] = {
            "goal_new_clients": draw(st.integers(0, 20)),
            "goal_revenue": draw(st.integers(0, 8000)),
            "new_client_shortfall_cost": draw(st.integers(0, 200)),
            "revenue_shortfall_cost_pct": draw(st.integers(0, 50)),
        }
    d["policy"] = policy
    return scenario(d)


@settings(
    max_examples=72,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(tiny_scenarios())
def test_random_tiny_optimum_is_exhaustive_optimum(s):
    """Random tiny scenarios: OPTIMAL equals the exhaustive optimum, INFEASIBLE has no plan."""
    size = search_size(s)
    assume(size <= 40_000)
    event(check_optimum(s))
    event(f"search size {'<1k' if size < 1000 else '<10k' if size < 10_000 else '<40k'}")


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(tiny_scenarios())
def test_neighbourhood_search_reaches_the_exhaustive_optimum(s):
    """LNS from the warm start ends at the optimum the exhaustive search finds (its
    neighbourhoods grow until one frees everything)."""
    assume(search_size(s) <= 40_000)
    expected = exhaustive_optimum(s)
    assume(expected is not None)
    result = lns_solve(s, LnsOptions(time_limit=60, workers=1, seed=0, stagnation=40))
    assert result.plan is not None
    assert result.score == expected, result.search
    event("searched neighbourhoods" if result.search else "no feasible warm start: whole model")
