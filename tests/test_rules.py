"""Section 3: every hard rule, once broken (right rule, entity, period) and once kept."""

from __future__ import annotations

import pytest
from builders import hiring_data, plan, rep_data, run, scenario, where

from optimizer.plan import Hire
from optimizer.scenario import InvalidInput
from optimizer.simulate import simulate

# ----- states, availability ------------------------------------------------------------------


def test_a_valid_plan_has_no_violations(data):
    """Hunting and farming in reach, nothing else asked: no violations."""
    assert run(data, {"r1": "H:A F:B B"}).violations == ()


def test_missing_row_is_reported_and_read_as_off(data):
    """A rep without a row in period 2: reported, and read as off."""
    ev = simulate(scenario(data), plan({"r1": "F:A F:A"}))
    assert where(ev, "assignment.missing") == [("r1", 2)]
    assert ("r1", 2) in where(ev, "availability")


def test_working_on_leave(data):
    """On leave in period 1 but farming: availability broken in period 1."""
    data["reps"][0]["unavailable"] = [1]
    assert where(run(data, {"r1": "F:A F:A F:A"}), "availability") == [("r1", 1)]
    assert run(data, {"r1": "F:A - F:A"}).violations == ()


def test_working_after_departure(data):
    """Gone after period 0 (active_until 0) but still farming in period 1."""
    data["reps"][0]["active_until"] = 0
    assert where(run(data, {"r1": "F:A F:A -"}), "availability") == [("r1", 1)]
    assert run(data, {"r1": "F:A - -"}).violations == ()


def test_off_while_available(data):
    """Employed and available must work, train or sit on the bench, never be off."""
    assert where(run(data, {"r1": "F:A - B"}), "availability") == [("r1", 1)]


# ----- roles and radius ----------------------------------------------------------------------


def test_role_not_in_roles(data):
    """A farmer-only rep hunting breaks the role rule in that period."""
    data["reps"][0]["roles"] = ["farmer"]
    assert where(run(data, {"r1": "F:A H:A F:A"}), "role") == [("r1", 1)]
    assert run(data, {"r1": "F:A F:A F:A"}).violations == ()


def test_territory_beyond_radius(data):
    """B is 111 km from A: out of a 100 km radius, in a 112 km one."""
    data["defaults"]["max_distance_km"] = 100
    assert where(run(data, {"r1": "F:A H:B F:A"}), "reach") == [("r1", 1)]
    data["defaults"]["max_distance_km"] = 112
    assert run(data, {"r1": "F:A H:B F:A"}).violations == ()


def test_rep_radius_overrides_default(data):
    """A rep's own max_distance_km wins over the default."""
    data["defaults"]["max_distance_km"] = 500
    data["reps"][0]["max_distance_km"] = 50
    assert where(run(data, {"r1": "H:B H:A H:A"}), "reach") == [("r1", 0)]


def test_territory_without_coordinates_is_in_reach(data):
    """No coordinates: in reach whatever the radius."""
    data["defaults"]["max_distance_km"] = 1
    del data["territories"][1]["lat"], data["territories"][1]["lon"]
    assert run(data, {"r1": "H:B H:B H:A"}).violations == ()


# ----- training ------------------------------------------------------------------------------


def training_data(data, periods=2, capacity=1, done=0):
    data["training"] = {"periods": periods, "trainer_capacity": capacity}
    data["territories"][0]["long_cycle"] = True
    data["reps"][0].update(trained=False, training_done=done)
    data["horizon"]["periods"] = 4
    return data


def test_long_cycle_needs_training(data):
    """Untrained, 2 training periods: farming long-cycle A in period 1 after one is too early."""
    training_data(data)
    assert where(run(data, {"r1": "T F:A T F:A"}), "training.long_cycle") == [("r1", 1)]
    assert run(data, {"r1": "T T F:A F:A"}).violations == ()


def test_short_cycle_needs_no_training(data):
    """An untrained rep may work the short-cycle territory B at once."""
    training_data(data)
    assert run(data, {"r1": "F:B F:B T T"}).violations == ()


def test_training_done_before_the_horizon_counts(data):
    """One of two periods done: one trainee period is enough, a second one is not needed."""
    training_data(data, done=1)
    assert run(data, {"r1": "T F:A F:A F:A"}).violations == ()
    assert where(run(data, {"r1": "T T F:A F:A"}), "training.not_needed") == [("r1", 1)]


def test_trained_rep_cannot_be_trainee(data):
    """A trained rep has nothing to learn."""
    assert where(run(data, {"r1": "T F:A F:A"}), "training.not_needed") == [("r1", 0)]


def test_trainer_capacity(data):
    """Capacity 1: two trainees in period 0 break it."""
    training_data(data)
    data["reps"].append(rep_data("r2", trained=False))
    ev = run(data, {"r1": "T T F:A F:A", "r2": "T F:B T F:A"})
    assert where(ev, "training.capacity") == [("training", 0)]


def test_no_training_block_means_everyone_is_trained(data):
    """Without a training block nobody trains and long-cycle territories are open to all."""
    data["territories"][0]["long_cycle"] = True
    data["reps"][0]["trained"] = False
    assert run(data, {"r1": "F:A F:A F:A"}).violations == ()
    assert where(run(data, {"r1": "T F:A F:A"}), "training.not_needed") == [("r1", 0)]


# ----- hiring --------------------------------------------------------------------------------


def with_hiring(data, **fields):
    data["policy"] = {"hiring": {}}
    data["hiring"] = hiring_data(**fields)
    return data


def test_hire_before_earliest_period(data):
    """earliest_period 1: a hire starting in period 0 breaks it."""
    with_hiring(data, earliest_period=1)
    ev = run(data, {"r1": "F:A F:A F:A", "H-B-1": "F:B F:B F:B"})
    assert where(ev, "hiring.earliest") == [("H-B-1", 0)]
    assert run(data, {"r1": "F:A F:A F:A", "H-B-1": "- F:B F:B"}).violations == ()


def test_max_hires(data):
    """max_hires 1: two filled positions break it (whole horizon)."""
    with_hiring(data, max_hires=1)
    ev = run(data, {"r1": "F:A F:A F:A", "H-A-1": "- H:A H:A", "H-B-1": "- - F:B"})
    assert where(ev, "hiring.max_hires") == [("hiring", None)]


def test_max_hires_per_period(data):
    """At most one start per period: two in period 1 break it there."""
    with_hiring(data, max_hires_per_period=1)
    ev = run(data, {"r1": "F:A F:A F:A", "H-A-1": "- H:A H:A", "H-B-1": "- F:B F:B"})
    assert where(ev, "hiring.per_period") == [("hiring", 1)]
    ok = run(data, {"r1": "F:A F:A F:A", "H-A-1": "- H:A H:A", "H-B-1": "- - F:B"})
    assert ok.violations == ()


def test_hire_is_never_off_after_start(data):
    """Hired in period 0, off in period 1: broken; bench is fine."""
    with_hiring(data)
    ev = run(data, {"r1": "F:A F:A F:A", "H-B-1": "F:B - F:B"})
    assert where(ev, "hiring.never_off") == [("H-B-1", 1)]
    assert run(data, {"r1": "F:A F:A F:A", "H-B-1": "F:B B F:B"}).violations == ()


def test_hire_works_only_in_his_territory(data):
    """H-B-1 farming A is out of reach, whatever the radius."""
    with_hiring(data)
    ev = run(data, {"r1": "F:A F:A F:A", "H-B-1": "F:B F:A F:B"})
    assert where(ev, "reach") == [("H-B-1", 1)]


def test_hire_must_train_for_long_cycle(data):
    """Hires are untrained: with 1 training period, a hire farms long-cycle B only after it."""
    with_hiring(data)
    data["training"] = {"periods": 1, "trainer_capacity": 1}
    data["territories"][1]["long_cycle"] = True
    ev = run(data, {"r1": "F:A F:A F:A", "H-B-1": "F:B F:B F:B"})
    assert where(ev, "training.long_cycle") == [("H-B-1", 0), ("H-B-1", 1), ("H-B-1", 2)]
    assert run(data, {"r1": "F:A F:A F:A", "H-B-1": "T F:B F:B"}).violations == ()


def test_hires_list_must_agree_with_rows(data):
    """A hires entry with another start than the rows is a violation; a matching one is not."""
    with_hiring(data)
    s = scenario(data)
    rows = {"r1": "F:A F:A F:A", "H-B-1": "- F:B F:B"}
    wrong = plan(rows, hires=(Hire(person="H-B-1", territory="B", start_period=0),))
    assert where(simulate(s, wrong), "hiring.hires_list") == [("H-B-1", None)]
    right = plan(rows, hires=(Hire(person="H-B-1", territory="B", start_period=1),))
    assert simulate(s, right).violations == ()


def test_unfilled_position_rows_are_ignored(data):
    """Rows of a position that is off throughout do not fill it."""
    with_hiring(data)
    ev = run(data, {"r1": "F:A F:A F:A", "H-B-1": "- - -"})
    assert ev.violations == ()
    assert ev.kpis.hires == 0


def test_position_when_hiring_is_off_is_invalid_input(data):
    """Filling a position with policy.hiring off: there is no such position to fill."""
    data["hiring"] = hiring_data()
    with pytest.raises(InvalidInput, match=r"H-B-1.*policy\.hiring is off"):
        run(data, {"r1": "F:A F:A F:A", "H-B-1": "- F:B F:B"})


# ----- rotation ------------------------------------------------------------------------------


def rotation(data, periods=6, **fields):
    block = {"hunter_stint_min": 2, "hunter_stint_max": 3, "hunter_cooldown": 0}
    block.update(fields)
    data["policy"] = {"rotation": block}
    data["horizon"]["periods"] = periods
    return data


def test_hunter_stint_above_max(data):
    """Four periods hunting A with max 3: broken in the fourth."""
    rotation(data)
    assert where(run(data, {"r1": "H:A H:A H:A H:A F:B F:B"}), "rotation.stint_max") == [("r1", 3)]
    assert run(data, {"r1": "H:A H:A H:A F:B F:B F:B"}).violations == ()


def test_hunter_stint_below_min(data):
    """One period hunting B with min 2, then farming: broken where the stint ends."""
    rotation(data)
    assert where(run(data, {"r1": "F:A H:B F:A F:A F:A F:A"}), "rotation.stint_min") == [("r1", 1)]


def test_short_stint_cut_by_the_horizon_is_allowed(data):
    """A one-period stint in the last period is cut by the end: no minimum."""
    rotation(data)
    assert run(data, {"r1": "F:A F:A F:A F:A F:A H:B"}).violations == ()


def test_short_stint_cut_by_departure_is_allowed(data):
    """Leaving after period 3 cuts the stint that ends there."""
    rotation(data)
    data["reps"][0]["active_until"] = 3
    assert run(data, {"r1": "F:A F:A F:A H:B - -"}).violations == ()


def test_short_stint_cut_by_trailing_leave_is_allowed(data):
    """The last available period ends the run: later leave does not make it a short stint."""
    rotation(data)
    data["reps"][0]["unavailable"] = [4, 5]
    assert run(data, {"r1": "F:A F:A F:A H:B - -"}).violations == ()


def test_leave_neither_breaks_nor_lengthens_a_stint(data):
    """H H (leave) H H is one stint of four available periods: above max 3 in the fourth."""
    rotation(data)
    data["reps"][0]["unavailable"] = [2]
    assert where(run(data, {"r1": "H:A H:A - H:A H:A F:B"}), "rotation.stint_max") == [("r1", 4)]
    data["reps"][0]["unavailable"] = [1]
    assert run(data, {"r1": "H:A - H:A F:B F:B F:B"}).violations == ()


def test_current_stint_counts_toward_max(data):
    """Two periods already hunted A, max 3: continuing for two more breaks it in period 1."""
    rotation(data)
    data["reps"][0]["current"] = {"territory": "A", "role": "hunter", "periods": 2}
    assert where(run(data, {"r1": "H:A H:A F:B F:B F:B F:B"}), "rotation.stint_max") == [("r1", 1)]
    assert run(data, {"r1": "H:A F:B F:B F:B F:B F:B"}).violations == ()


def test_current_stint_counts_toward_min(data):
    """One period already hunted A, min 2: one more period completes the stint."""
    rotation(data)
    data["reps"][0]["current"] = {"territory": "A", "role": "hunter", "periods": 1}
    assert run(data, {"r1": "H:A F:B F:B F:B F:B F:B"}).violations == ()


def test_current_stint_not_continued_is_history_but_cools_down(data):
    """current hunter@A for 1 period, min 2: stopping is fine, but A cools down for 2 periods."""
    rotation(data, hunter_cooldown=2)
    data["reps"][0]["current"] = {"territory": "A", "role": "hunter", "periods": 1}
    assert run(data, {"r1": "F:B F:B H:A H:A F:B F:B"}).violations == ()
    ev = run(data, {"r1": "F:B H:A H:A F:B F:B F:B"})
    assert where(ev, "rotation.cooldown") == [("r1", 1)]


def test_cooldown_after_a_stint(data):
    """Cooldown 2: hunting A again one period after a stint there breaks it; two is fine."""
    rotation(data, periods=7, hunter_cooldown=2)
    ev = run(data, {"r1": "H:A H:A F:B H:A H:A F:B F:B"})
    assert where(ev, "rotation.cooldown") == [("r1", 3)]
    assert run(data, {"r1": "H:A H:A F:B F:B H:A H:A F:B"}).violations == ()


def test_cooldown_counts_available_periods(data):
    """Leave in period 2 does not count toward the cooldown of 2."""
    rotation(data, periods=7, hunter_cooldown=2)
    data["reps"][0]["unavailable"] = [2]
    assert where(run(data, {"r1": "H:A H:A - F:B H:A H:A F:B"}), "rotation.cooldown") == [("r1", 4)]


def test_farmer_max_tenure(data):
    """Tenure 3 with two periods already farmed A: the second period in the horizon breaks it."""
    rotation(data, farmer_max_tenure=3)
    data["reps"][0]["current"] = {"territory": "A", "role": "farmer", "periods": 2}
    ev = run(data, {"r1": "F:A F:A F:B F:B F:B F:A"})
    assert where(ev, "rotation.farmer_tenure") == [("r1", 1)]
    assert run(data, {"r1": "F:A F:B F:B F:B F:A F:A"}).violations == ()


def test_rotation_does_not_bind_hires(data):
    """A hire hunting his territory all horizon is a local rep: no stint maximum."""
    rotation(data)
    with_hiring(data)
    data["policy"]["rotation"] = {"hunter_stint_min": 2, "hunter_stint_max": 3}
    ev = run(data, {"r1": "F:A F:A F:A F:A F:A F:A", "H-B-1": "H:B H:B H:B H:B H:B H:B"})
    assert ev.violations == ()


def test_rotation_off_allows_long_stints(data):
    """With rotation disabled (block present), nothing limits stints."""
    rotation(data)
    data["policy"]["rotation"]["enabled"] = False
    assert run(data, {"r1": "H:A H:A H:A H:A H:A F:B"}).violations == ()


def test_handover_requires_a_farmer(data):
    """Hunted B with no farmer in period 0 breaks it; a farmer with a zero term does not count."""
    rotation(data, periods=2, hunter_stint_min=1, handover_requires_farmer=True)
    data["reps"].append(rep_data("r2", home="B", productivity_pct=[0]))
    ev = run(data, {"r1": "H:B H:B", "r2": "F:B F:B"})
    assert where(ev, "rotation.handover_farmer") == [("B", 0)]


# ----- specialization, prospects, veterans, coverage -----------------------------------------


def test_specialization_one_role(data):
    """Hunter then farmer breaks specialization where the second role starts."""
    data["policy"] = {"specialization": {}}
    assert where(run(data, {"r1": "H:A B F:A"}), "specialization") == [("r1", 2)]
    assert run(data, {"r1": "H:A B H:B"}).violations == ()


def test_prospect_supply(data):
    """50 prospects per hunter: two hunters in A need 100 (ok at start, 97 after won 3)."""
    data["policy"] = {"prospect_supply": {"min_prospects_per_hunter": 50}}
    data["reps"].append(rep_data("r2", hunter_capacity=0))
    ev = run(data, {"r1": "H:A H:A F:B", "r2": "H:A H:A F:B"})
    assert where(ev, "prospect_supply") == [("A", 1)]


def veteran(data, role="farmer", territory="A"):
    data["policy"] = {"veterans": {"tenure_months": 36}}
    data["reps"][0].update(
        tenure_months=36, current={"territory": territory, "role": role, "periods": 20}
    )
    return data


def test_veteran_keeps_territory_and_role(data):
    """A protected veteran moved to B in period 1 breaks protection there."""
    veteran(data)
    assert where(run(data, {"r1": "F:A F:B F:A"}), "veteran") == [("r1", 1)]
    assert run(data, {"r1": "F:A F:A F:A"}).violations == ()


def test_below_veteran_tenure_is_not_protected(data):
    """35 months is not 36: he may move."""
    veteran(data)
    data["reps"][0]["tenure_months"] = 35
    assert run(data, {"r1": "F:A F:B F:A"}).violations == ()


def test_veteran_outranks_radius_training_and_rotation(data):
    """A veteran hunting his far, long-cycle territory for years, untrained: all fine."""
    veteran(data, role="hunter", territory="B")
    data["defaults"]["max_distance_km"] = 10
    data["territories"][1]["long_cycle"] = True
    data["training"] = {"periods": 2, "trainer_capacity": 1}
    data["reps"][0]["trained"] = False
    data["policy"]["rotation"] = {"hunter_stint_min": 1, "hunter_stint_max": 2}
    assert run(data, {"r1": "H:B H:B H:B"}).violations == ()


def test_min_farmers(data):
    """min_farmers 1 in B: nobody farms B in period 1; a zero-term farmer does not count."""
    data["territories"][1]["min_farmers"] = 1
    data["reps"].append(rep_data("r2", home="B", productivity_pct=[100, 100, 0]))
    ev = run(data, {"r1": "F:B F:A F:A", "r2": "H:B H:B F:B"})
    assert where(ev, "coverage.min_farmers") == [("B", 1), ("B", 2)]


def test_max_reps(data):
    """max_reps 1 in A: a hunter and a farmer together break it."""
    data["territories"][0]["max_reps"] = 1
    data["reps"].append(rep_data("r2"))
    assert where(run(data, {"r1": "F:A F:A B", "r2": "H:A B H:A"}), "coverage.max_reps") == [
        ("A", 0)
    ]


# ----- locks, bonus, baseline ----------------------------------------------------------------


def test_lock_territory_and_role(data):
    """Locked hunter@B in periods 1-2: farming B in period 2 breaks the lock there."""
    data["locks"] = [{"rep": "r1", "periods": [1, 2], "territory": "B", "role": "hunter"}]
    assert where(run(data, {"r1": "F:A H:B F:B"}), "lock") == [("r1", 2)]
    assert run(data, {"r1": "F:A H:B H:B"}).violations == ()


def test_lock_role_only(data):
    """A role-only lock leaves the territory free."""
    data["locks"] = [{"rep": "r1", "periods": [0], "role": "bench"}]
    assert run(data, {"r1": "B F:A F:A"}).violations == ()
    assert where(run(data, {"r1": "F:A F:A F:A"}), "lock") == [("r1", 0)]


def test_a_forbid_rules_out_the_named_state_only(data):
    """Forbidden hunter@B in period 1 and farming in period 2: hunting B in 1 or farming
    anywhere in 2 breaks it; anything else keeps it."""
    data["locks"] = [
        {"rep": "r1", "periods": [1], "territory": "B", "role": "hunter", "forbid": True},
        {"rep": "r1", "periods": [2], "role": "farmer", "forbid": True},
    ]
    assert where(run(data, {"r1": "F:A H:B F:B"}), "lock") == [("r1", 1), ("r1", 2)]
    assert where(run(data, {"r1": "H:B F:B H:A"}), "lock") == []
    assert run(data, {"r1": "H:B H:A B"}).violations == ()


def test_a_forbid_on_a_position_does_not_fill_it(data):
    """Unlike a lock, a forbid on H-B-1 leaves it free to stay unfilled."""
    with_hiring(data)
    data["locks"] = [{"rep": "H-B-1", "periods": [1], "territory": "B", "forbid": True}]
    assert run(data, {"r1": "F:A F:A F:A"}).violations == ()
    assert where(run(data, {"r1": "F:A F:A F:A", "H-B-1": "- F:B F:B"}), "lock") == [("H-B-1", 1)]


def test_lock_on_a_position_forces_it_filled(data):
    """A lock on H-B-1 in period 1: leaving it unfilled breaks the lock."""
    with_hiring(data)
    data["locks"] = [{"rep": "H-B-1", "periods": [1], "territory": "B"}]
    assert where(run(data, {"r1": "F:A F:A F:A"}), "lock") == [("H-B-1", 1)]
    assert run(data, {"r1": "F:A F:A F:A", "H-B-1": "- F:B F:B"}).violations == ()


def test_bonus_level_when_bonus_is_off(data):
    """A menu level other than neutral, with the bonus disabled, breaks the bonus rule."""
    data["policy"] = {
        "bonus": {
            "enabled": False,
            "levels": [
                {"name": "none", "per_client": 0, "uplift_pct": 100},
                {"name": "high", "per_client": 10, "uplift_pct": 150},
            ],
        }
    }
    assert where(run(data, {"r1": "H:A H:A H:A"}, ["none", "high", "none"]), "bonus") == [
        ("bonus", 1)
    ]
    assert run(data, {"r1": "H:A H:A H:A"}).violations == ()


def baseline(data, freeze=2):
    data["baseline"] = {
        "freeze_periods": freeze,
        "change_cost": 1,
        "assignments": [
            {"person": "r1", "period": p, "role": "farmer", "territory": "A"} for p in range(3)
        ],
        "bonus_levels": ["none", "none", "none"],
    }
    return data


def test_frozen_periods_equal_the_baseline(data):
    """Freeze 2: a different state in period 1 breaks it; period 2 is free (at change cost)."""
    baseline(data)
    assert where(run(data, {"r1": "F:A H:A H:A"}), "baseline.frozen") == [("r1", 1)]
    ev = run(data, {"r1": "F:A F:A H:A"})
    assert ev.violations == ()
    assert ev.kpis.changes == 1


def test_frozen_bonus_levels(data):
    """A frozen period's bonus level must equal the baseline's."""
    baseline(data)
    data["policy"] = {
        "bonus": {
            "levels": [
                {"name": "none", "per_client": 0, "uplift_pct": 100},
                {"name": "high", "per_client": 10, "uplift_pct": 150},
            ]
        }
    }
    ev = run(data, {"r1": "F:A F:A F:A"}, ["high", "none", "high"])
    assert where(ev, "baseline.frozen") == [("bonus", 0)]


def test_changed_facts_free_a_frozen_period(data):
    """Newly on leave in frozen period 1: off there is no violation and no change."""
    baseline(data)
    data["reps"][0]["unavailable"] = [1]
    ev = run(data, {"r1": "F:A - F:A"})
    assert ev.violations == ()
    assert ev.kpis.changes == 0


def test_rep_answers_for_his_baseline_position(data):
    """r2 was H-B-1 in the baseline: its frozen rows bind him."""
    data["reps"].append(rep_data("r2", home="B", from_position="H-B-1"))
    data["baseline"] = {
        "freeze_periods": 1,
        "change_cost": 3,
        "assignments": [
            {"person": "H-B-1", "period": p, "role": "farmer", "territory": "B"} for p in range(3)
        ],
    }
    ev = run(data, {"r1": "F:A F:A F:A", "r2": "H:B F:B H:B"})
    assert where(ev, "baseline.frozen") == [("r2", 0)]
    assert ev.kpis.changes == 1
