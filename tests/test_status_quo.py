"""The do-nothing plan: current posts kept, training first where needed, no hires, 0 bonus."""

from __future__ import annotations

from builders import hiring_data, rep_data, scenario

from optimizer.simulate import simulate
from optimizer.status_quo import status_quo_plan, zero_bonus_level


def states(plan, person):
    return [(a.role, a.territory) for a in plan.assignments if a.person == person]


def test_everyone_keeps_current_post(data):
    """A hunter of B keeps hunting B; a rep without a stint farms home."""
    data["reps"] = [
        rep_data("r1", current={"territory": "B", "role": "hunter", "periods": 2}),
        rep_data("r2"),
        rep_data("r3", roles=["hunter"]),
    ]
    p = status_quo_plan(scenario(data))
    assert states(p, "r1") == [("hunter", "B")] * 3
    assert states(p, "r2") == [("farmer", "A")] * 3
    assert states(p, "r3") == [("hunter", "A")] * 3


def test_leave_and_departure_are_off(data):
    """Unavailable and departed periods are off."""
    data["reps"][0].update(unavailable=[1], active_until=1)
    assert [r for r, _ in states(status_quo_plan(scenario(data)), "r1")] == ["farmer", "off", "off"]


def test_untrained_reps_train_first_within_trainer_capacity(data):
    """Long-cycle A, 2 training periods, capacity 1: r1 trains in 0-1, r2 waits then trains."""
    data["horizon"]["periods"] = 5
    data["territories"][0]["long_cycle"] = True
    data["training"] = {"periods": 2, "trainer_capacity": 1}
    data["reps"] = [rep_data("r1", trained=False), rep_data("r2", trained=False, training_done=1)]
    p = status_quo_plan(scenario(data))
    assert [r for r, _ in states(p, "r1")] == ["trainee", "trainee", "farmer", "farmer", "farmer"]
    assert [r for r, _ in states(p, "r2")] == ["bench", "bench", "trainee", "farmer", "farmer"]
    assert simulate(scenario(data), p).violations == ()


def test_no_hires_and_zero_bonus(data):
    """Positions stay unfilled; the 0-bonus level of the menu runs every period."""
    data["hiring"] = hiring_data()
    data["policy"] = {
        "hiring": {},
        "bonus": {
            "levels": [
                {"name": "high", "per_client": 10, "uplift_pct": 150},
                {"name": "base", "per_client": 0, "uplift_pct": 100},
            ]
        },
    }
    s = scenario(data)
    p = status_quo_plan(s)
    assert {a.person for a in p.assignments} == {"r1"}
    assert p.bonus_levels == ("base", "base", "base")
    assert simulate(s, p).kpis.hires == 0


def test_zero_bonus_without_a_free_level_is_the_cheapest(data):
    """A menu with no 0-bonus level: the status quo runs the cheapest one."""
    data["policy"] = {
        "bonus": {
            "levels": [
                {"name": "b", "per_client": 20, "uplift_pct": 150},
                {"name": "a", "per_client": 10, "uplift_pct": 120},
            ]
        }
    }
    assert zero_bonus_level(scenario(data)).name == "a"
