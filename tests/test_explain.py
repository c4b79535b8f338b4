"""Infeasible scenarios of several kinds: INFEASIBLE with the conflicting rules named, in the
planner's words, with their entities and periods — never a bare status."""

from __future__ import annotations

from builders import rep_data, scenario, tiny_data
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.explain import precheck
from optimizer.solve import SolveOptions, solve

OPTIONS = SolveOptions(time_limit=20, workers=1)


def explained(d) -> str:
    result = solve(scenario(d), OPTIONS)
    assert result.status == "INFEASIBLE"
    assert result.plan is None
    assert result.explanation
    return result.explanation


def test_coverage_nobody_can_reach():
    """B needs a farmer but lies beyond everyone's radius: caught before any search."""
    d = tiny_data()
    d["territories"][1]["min_farmers"] = 1
    d["defaults"]["max_distance_km"] = 50
    assert precheck(scenario(d))
    text = explained(d)
    assert "B needs 1 farmer(s) in period 0" in text
    assert "nobody can farm it" in text


def test_coverage_needs_training_first():
    """Long-cycle B needs a farmer from period 0; its only rep needs two training periods."""
    d = tiny_data()
    d["territories"][1].update(min_farmers=1, long_cycle=True)
    d["training"] = {"periods": 2, "trainer_capacity": 1}
    d["reps"] = [rep_data("r1", home="B", trained=False)]
    text = explained(d)
    assert "B needs 1 farmer(s) in period 0" in text
    assert "r1 is not trained for long-cycle products (2 training periods, 2 to go)" in text


def test_lock_beyond_the_radius():
    """A lock sends r1 where he cannot go."""
    d = tiny_data()
    d["defaults"]["max_distance_km"] = 50
    d["locks"] = [{"rep": "r1", "periods": [0], "territory": "B", "role": "hunter"}]
    text = explained(d)
    assert "lock 0 makes him hunter in B" in text
    assert "111 km from his home A, beyond his 50 km radius" in text


def test_veterans_overflow_an_office():
    """Two protected veterans in A, room for one."""
    d = tiny_data()
    d["policy"] = {"veterans": {"tenure_months": 10}}
    d["territories"][0]["max_reps"] = 1
    d["reps"] = [
        rep_data(
            "r1", tenure_months=20, current={"territory": "A", "role": "farmer", "periods": 5}
        ),
        rep_data(
            "r2", tenure_months=20, current={"territory": "A", "role": "hunter", "periods": 5}
        ),
    ]
    assert "2 protected veterans keep working in A in period 0, above its max_reps 1" in explained(
        d
    )


def test_two_floors_one_farmer_found_by_search():
    """A and B each need a farmer, one rep: the search names both coverage rules."""
    d = tiny_data()
    d["territories"][0]["min_farmers"] = 1
    d["territories"][1]["min_farmers"] = 1
    assert not precheck(scenario(d))
    text = explained(d)
    assert text.startswith("These rules cannot all hold:")
    assert "A keeps at least 1 farmer(s) in period" in text
    assert "B keeps at least 1 farmer(s) in period" in text


def test_veteran_hunter_exhausts_the_pool():
    """A protected hunter wins 10 a month; 95 prospects per hunter fail from period 1."""
    d = tiny_data()
    d["policy"] = {
        "veterans": {"tenure_months": 10},
        "prospect_supply": {"min_prospects_per_hunter": 95},
    }
    d["reps"] = [
        rep_data(
            "r1",
            hunter_capacity=10,
            tenure_months=20,
            current={"territory": "A", "role": "hunter", "periods": 1},
        )
    ]
    text = explained(d)
    assert "protected veteran r1 keeps hunter in A" in text
    assert "each hunter in A needs 95 prospects in the pool (period 1)" in text


def test_trainer_capacity_against_locks():
    """Two untrained reps locked to long-cycle farming in period 1, one trainer seat."""
    d = tiny_data()
    d["training"] = {"periods": 1, "trainer_capacity": 1}
    for t in d["territories"]:
        t["long_cycle"] = True
    d["reps"] = [rep_data("r1", trained=False), rep_data("r2", home="B", trained=False)]
    d["locks"] = [
        {"rep": "r1", "periods": [1], "role": "farmer", "territory": "A"},
        {"rep": "r2", "periods": [1], "role": "farmer", "territory": "B"},
    ]
    text = explained(d)
    assert "at most 1 trainee(s) in period 0 (trainer_capacity)" in text
    assert "lock 0" in text and "lock 1" in text
    assert text.count("\n- ") <= 5


def test_cli_prints_the_explanation_and_exits_3(tmp_path):
    """`ledokol solve` on an infeasible scenario: exit 3 and the explanation."""
    d = tiny_data()
    d["territories"][0]["min_farmers"] = 1
    d["territories"][1]["min_farmers"] = 1
    path = tmp_path / "s.json"
    import json

    path.write_text(json.dumps(d))
    result = CliRunner().invoke(app, ["solve", str(path), "--time-limit", "10", "--workers", "1"])
    assert result.exit_code == 3
    assert "These rules cannot all hold" in result.output
