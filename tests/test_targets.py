"""Section 5 by hand: personal targets from the plan's own expectations, times realism."""

from __future__ import annotations

from builders import rep_data, run, scenario


def targets_by(ev, person):
    return [
        (t.from_period, t.to_period, t.new_clients, t.revenue)
        for t in ev.targets
        if t.person == person
    ]


def two_by_two(data, realism=90, period="month"):
    """Hunters r1 (term 3) and r2 (term 1) in A, farmers r3 (term 10) and r4 (term 5) in B."""
    data["territories"][0]["win_share_pct"] = 3
    data["territories"][1]["accounts"] = 12
    data["reps"] = [
        rep_data("r1", hunter_capacity=3),
        rep_data("r2", hunter_capacity=1),
        rep_data("r3", home="B", farmer_capacity_pct=100),
        rep_data("r4", home="B", farmer_capacity_pct=50),
    ]
    data["policy"] = {"targets": {"realism_pct": realism, "target_period": period}}
    data["horizon"]["periods"] = 1
    return run(data, {"r1": "H:A", "r2": "H:A", "r3": "F:B", "r4": "F:B"})


def test_hunter_targets_share_won_by_own_term(data):
    """won = 100*3//100 = 3, hc = 4: r1 expects 3*3//4 = 2, r2 3*1//4 = 0; times 90 %: 1 and 0."""
    ev = two_by_two(data)
    assert targets_by(ev, "r1") == [(0, 0, 1, 0)]
    assert targets_by(ev, "r2") == [(0, 0, 0, 0)]


def test_farmer_targets_share_revenue_by_own_term(data):
    """revenue 12*100 = 1200, fc = 15: r3 1200*10//15 = 800, r4 400; times 90 %: 720, 360."""
    ev = two_by_two(data)
    assert targets_by(ev, "r3") == [(0, 0, 0, 720)]
    assert targets_by(ev, "r4") == [(0, 0, 0, 360)]
    assert ev.kpis.targets_revenue == 1080
    assert ev.kpis.targets_new_clients == 1


def test_realism_100_keeps_expectations(data):
    """At 100 % the targets are the expectations themselves: 2, 0, 800, 400."""
    ev = two_by_two(data, realism=100)
    assert [t.new_clients for t in ev.targets] == [2, 0, 0, 0]
    assert [t.revenue for t in ev.targets] == [0, 0, 800, 400]


def test_zero_denominator_expects_nothing(data):
    """A hunter with capacity 0 makes hc = 0: his expectation is 0, not an error."""
    data["reps"][0]["hunter_capacity"] = 0
    ev = run(data, {"r1": "H:A H:A H:A"})
    assert [t.new_clients for t in ev.targets] == [0]


def test_quarter_targets_sum_the_segment_before_realism(data):
    """Quarterly: 3+3+3 = 9 clients over Jan-Mar, times 90 % = 8 (not 3 * (3*90//100) = 6)."""
    data["policy"] = {"targets": {"realism_pct": 90, "target_period": "quarter"}}
    ev = run(data, {"r1": "H:A H:A H:A"})
    assert targets_by(ev, "r1") == [(0, 2, 8, 0)]


def test_targets_only_for_segments_worked(data):
    """Monthly targets: a bench month gets no target row."""
    data["policy"] = {"targets": {"target_period": "month"}}
    ev = run(data, {"r1": "H:A B F:A"})
    assert [t.from_period for t in ev.targets] == [0, 2]


def test_quarters_follow_the_calendar(data):
    """A horizon from February opens with a two-month quarter (Feb-Mar), then Apr-Jun, Jul."""
    data["horizon"] = {"start": "2027-02", "periods": 6}
    assert scenario(data).target_segments == ((0, 1), (2, 4), (5, 5))
    data["horizon"] = {"start": "2027-01", "periods": 12}
    assert scenario(data).target_segments == ((0, 2), (3, 5), (6, 8), (9, 11))


def test_month_segments(data):
    """Monthly targets: one segment per period."""
    data["policy"] = {"targets": {"target_period": "month"}}
    assert scenario(data).target_segments == ((0, 0), (1, 1), (2, 2))


def test_without_targets_block_quarters_at_full_realism(data):
    """No targets block: targets still come with the plan, per quarter at 100 %, no goals."""
    ev = run(data, {"r1": "H:A H:A H:A"})
    assert targets_by(ev, "r1") == [(0, 2, 9, 0)]
    assert ev.kpis.goal_new_clients is None
