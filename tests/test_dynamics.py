"""Section 4 by hand: each formula on a case small enough to compute on paper."""

from __future__ import annotations

from typing import Any

from builders import hiring_data, plan, rep_data, run, scenario

from optimizer.simulate import simulate


def tp(ev: Any, territory: str, period: int) -> Any:
    return next(r for r in ev.territory_periods if r.territory == territory and r.period == period)


def test_won_capped_by_hunter_capacity(data):
    """won = hc when capacity is below the pool share: 3 < 100 * 10 // 100."""
    ev = run(data, {"r1": "H:A H:A H:A"})
    assert [tp(ev, "A", p).won for p in range(3)] == [3, 3, 3]
    assert [tp(ev, "A", p).pool for p in range(3)] == [100, 97, 94]
    assert ev.kpis.new_clients == 9


def test_won_capped_by_pool_share(data):
    """won = pool * win_share // 100 when capacity is larger: 100*10//100=10, then 90*10//100=9."""
    data["reps"][0]["hunter_capacity"] = 30
    ev = run(data, {"r1": "H:A H:A H:A"})
    assert [tp(ev, "A", p).won for p in range(3)] == [10, 9, 8]
    assert [tp(ev, "A", p).accounts for p in range(3)] == [10, 20, 29]


def test_prospect_inflow_refills_the_pool(data):
    """pool[p+1] = pool - won + inflow: 100 - 3 + 5 = 102."""
    data["territories"][0]["prospect_inflow"] = 5
    ev = run(data, {"r1": "H:A H:A H:A"})
    assert [tp(ev, "A", p).pool for p in range(3)] == [100, 102, 104]


def test_each_hunter_term_is_floored_before_summing(data):
    """Two hunters at 50 %: 3*50//100 = 1 each, so hc = 2 (not 3*100//100 = 3)."""
    data["reps"] = [
        rep_data("r1", productivity_pct=[50, 50, 50]),
        rep_data("r2", productivity_pct=[50, 50, 50]),
    ]
    ev = run(data, {"r1": "H:A H:A H:A", "r2": "H:A H:A H:A"})
    assert tp(ev, "A", 0).won == 2


def test_bonus_uplift_is_floored_and_costs_per_client(data):
    """hcu = 3 * 150 // 100 = 4; bonus cost = 4 clients * 1000 in the bonus period only."""
    data["policy"] = {
        "bonus": {
            "levels": [
                {"name": "none", "per_client": 0, "uplift_pct": 100},
                {"name": "high", "per_client": 1000, "uplift_pct": 150},
            ]
        }
    }
    ev = run(data, {"r1": "H:A H:A H:A"}, ["high", "none", "none"])
    assert [tp(ev, "A", p).won for p in range(3)] == [4, 3, 3]
    assert ev.kpis.bonus_cost == 4 * 1000


def test_served_unserved_and_fractional_churn_carry(data):
    """25 accounts, fc = 10: served 10, unserved 15.

    p0: lost = 10*1 + 15*8 + 0 = 130 -> churn 1, carry 30; acc 24
    p1: lost = 10*1 + 14*8 + 30 = 152 -> churn 1, carry 52; acc 23
    p2: lost = 10*1 + 13*8 + 52 = 166 -> churn 1, carry 66; acc 22
    """
    data["defaults"].update(churn_served_pct=1, churn_unserved_pct=8)
    data["territories"][0]["accounts"] = 25
    ev = run(data, {"r1": "F:A F:A F:A"})
    rows = [tp(ev, "A", p) for p in range(3)]
    assert [r.served for r in rows] == [10, 10, 10]
    assert [r.churn for r in rows] == [1, 1, 1]
    assert [r.accounts for r in rows] == [25, 24, 23]
    assert ev.kpis.margin_total == 3 * 10 * 100


def test_churn_floor_of_unserved_territory(data):
    """B has nobody: 10 * 8 = 80 -> churn 0, carry 80; 80 + 80 = 160 -> 1, carry 60;
    9 * 8 + 60 = 132 -> 1."""
    data["defaults"]["churn_unserved_pct"] = 8
    ev = run(data, {"r1": "F:A F:A F:A"})
    assert [tp(ev, "B", p).churn for p in range(3)] == [0, 1, 1]
    assert [tp(ev, "B", p).accounts for p in range(3)] == [10, 10, 9]


def test_farmer_term_and_margin_revenue(data):
    """fc = 45 * 110 * 90 // 10000 = 44; served = min(50, 44); margin 44*100, revenue 44*300."""
    data["territories"][0].update(accounts=50, accounts_per_farmer=45, account_revenue=300)
    data["reps"][0].update(farmer_capacity_pct=110, productivity_pct=[90])
    ev = run(data, {"r1": "F:A F:A F:A"})
    assert tp(ev, "A", 0).served == 44
    assert tp(ev, "A", 0).margin == 4400
    assert tp(ev, "A", 0).revenue == 44 * 300
    assert tp(ev, "A", 1).served == 49  # 100 % again: 45 * 110 * 100 // 10000


def test_account_revenue_defaults_to_value(data):
    """Without account_revenue, revenue = served * account_value."""
    ev = run(data, {"r1": "F:A F:A F:A"})
    assert ev.kpis.revenue_total == ev.kpis.margin_total == 3 * 10 * 100


def test_terminal_value(data):
    """terminal = acc[T] * value * periods: A ends with 10 + 3*3 = 19 accounts, B with 10."""
    data["defaults"]["terminal_value_periods"] = 6
    ev = run(data, {"r1": "H:A H:A H:A"})
    assert ev.kpis.terminal == (19 + 10) * 100 * 6


def test_salaries_count_employed_periods_with_leave(data):
    """Salary 1000: on leave in period 1 still paid; gone after period 1 -> 2 periods for r2."""
    data["reps"] = [
        rep_data("r1", salary=1000, unavailable=[1]),
        rep_data("r2", salary=500, active_until=1),
    ]
    ev = run(data, {"r1": "F:A - F:A", "r2": "F:A F:A -"})
    assert ev.kpis.salaries == 3 * 1000 + 2 * 500


def test_hire_salary_cost_and_ramp(data):
    """A hire starting in period 1 of 3: salary 70 * 2, hire cost 500, ramp 50 % -> 2*50//100."""
    data["policy"] = {"hiring": {}}
    data["hiring"] = hiring_data(salary=70, hire_cost=500, ramp_pct=[50], territories=["B"])
    ev = run(data, {"r1": "F:A F:A F:A", "H-B-1": "- H:B H:B"})
    assert ev.kpis.salaries == 140
    assert ev.kpis.hiring_cost == 500
    assert [tp(ev, "B", p).won for p in range(3)] == [0, 1, 2]
    assert ev.hires[0].start_period == 1


def test_travel_cost_outside_home(data):
    """Two periods in B (not home A) at the default 40; a rep override of 7 wins over it."""
    data["defaults"]["travel_cost"] = 40
    data["reps"].append(rep_data("r2", travel_cost=7))
    ev = run(data, {"r1": "H:B F:A H:B", "r2": "F:B F:B B"})
    assert ev.kpis.travel == 2 * 40 + 2 * 7


def test_handover_when_a_farmer_leaves_a_territory(data):
    """Farming A then hunting A costs A's handover once; the current stint counts before p0."""
    data["territories"][0]["handover_cost"] = 1000
    data["territories"][1]["handover_cost"] = 300
    data["reps"][0]["current"] = {"territory": "B", "role": "farmer", "periods": 4}
    ev = run(data, {"r1": "F:A H:A H:A"})
    assert ev.kpis.handover == 300 + 1000
    assert [m.handover for m in ev.months] == [300, 1000, 0]  # in the month of the new state


def test_handover_skips_leave_and_ignores_departure_and_end(data):
    """Leave between two farmer@A periods breaks nothing; the end and a departure charge nothing."""
    data["territories"][0]["handover_cost"] = 1000
    data["reps"] = [rep_data("r1", unavailable=[1]), rep_data("r2", active_until=0)]
    ev = run(data, {"r1": "F:A - F:A", "r2": "F:A - -"})
    assert ev.kpis.handover == 0


def test_handover_counts_training_and_bench(data):
    """farmer@A -> bench -> farmer@A -> trainee: two handovers of A."""
    data["territories"][0]["handover_cost"] = 1000
    data["horizon"]["periods"] = 4
    data["training"] = {"periods": 1, "trainer_capacity": 1}
    data["reps"][0]["trained"] = False
    ev = run(data, {"r1": "F:A B F:A T"})
    assert ev.kpis.handover == 2000
    assert [m.handover for m in ev.months] == [0, 1000, 0, 1000]


def test_switches_between_working_periods(data):
    """current hunter, then farmer, bench, farmer, hunter: two switches (bench skipped)."""
    data["horizon"]["periods"] = 4
    data["defaults"]["role_switch_cost"] = 50
    data["reps"][0]["current"] = {"territory": "A", "role": "hunter", "periods": 1}
    ev = run(data, {"r1": "F:A B F:B H:A"})
    assert ev.kpis.switches == 2 * 50
    assert [m.switches for m in ev.months] == [50, 0, 0, 50]


def test_bench_cost(data):
    """bench_cost per person-period on the bench."""
    data["defaults"]["bench_cost"] = 25
    ev = run(data, {"r1": "B B F:A"})
    assert ev.kpis.bench == 50


def test_shortfall_penalties_and_score(data):
    """Goals 20 clients, revenue 5000: won 9 -> 11 short; revenue 0 -> (30 * 5000) // 100."""
    data["policy"] = {
        "targets": {
            "goal_new_clients": 20,
            "goal_revenue": 5000,
            "new_client_shortfall_cost": 7,
            "revenue_shortfall_cost_pct": 30,
        }
    }
    ev = run(data, {"r1": "H:A H:A H:A"})
    k = ev.kpis
    assert k.shortfall_new_clients == 11
    assert k.shortfall_revenue == 5000
    assert k.penalties == 11 * 7 + 30 * 5000 // 100
    assert k.score == k.profit - k.penalties
    assert k.goals_realistic.new_clients is False
    assert k.goals_realistic.revenue is False


def test_goals_met_have_no_shortfall(data):
    """A met goal is realistic and costs nothing; a null goal is realistic and reports null."""
    data["policy"] = {"targets": {"goal_new_clients": 9, "new_client_shortfall_cost": 7}}
    ev = run(data, {"r1": "H:A H:A H:A"})
    assert ev.kpis.shortfall_new_clients == 0
    assert ev.kpis.shortfall_revenue is None
    assert ev.kpis.goals_realistic.new_clients
    assert ev.kpis.goals_realistic.revenue
    assert ev.kpis.penalties == 0


def test_profit_adds_up(data):
    """profit = margin + terminal - salaries - hiring - travel - bonus - handover - switches
    - bench."""
    data["defaults"].update(
        travel_cost=11, terminal_value_periods=2, role_switch_cost=13, bench_cost=17
    )
    data["territories"][0]["handover_cost"] = 19
    data["reps"][0]["salary"] = 23
    ev = run(data, {"r1": "F:A H:B B"})
    k = ev.kpis
    assert k.travel == 11
    assert k.switches == 13
    assert k.bench == 17
    assert k.handover == 19
    expected = k.margin_total + k.terminal - 3 * 23 - 11 - 13 - 17 - 19
    assert k.profit == expected
    assert k.score == expected


def test_change_cost_counts_changed_person_periods_after_freeze(data):
    """Baseline farmer@A x3, freeze 1: plan F:A H:A F:B -> periods 1 and 2 changed (2 * 40)."""
    data["baseline"] = {
        "freeze_periods": 1,
        "change_cost": 40,
        "assignments": [
            {"person": "r1", "period": p, "role": "farmer", "territory": "A"} for p in range(3)
        ],
    }
    ev = run(data, {"r1": "F:A H:A F:B"})
    assert ev.kpis.changes == 2
    assert ev.kpis.change_cost == 80
    assert ev.kpis.penalties == 80
    assert ev.feasible


def test_change_cost_for_an_unfilled_baseline_position(data):
    """The baseline filled H-A-1 from period 1; leaving it unfilled changes periods 1 and 2."""
    data["policy"] = {"hiring": {}}
    data["hiring"] = hiring_data(territories=["A"])
    data["baseline"] = {
        "freeze_periods": 0,
        "change_cost": 5,
        "assignments": [
            {"person": "H-A-1", "period": 0, "role": "off"},
            {"person": "H-A-1", "period": 1, "role": "farmer", "territory": "A"},
            {"person": "H-A-1", "period": 2, "role": "farmer", "territory": "A"},
        ],
    }
    ev = run(data, {"r1": "F:A F:A F:A"})
    assert ev.kpis.changes == 2


def test_simulate_is_deterministic_and_pure(data):
    """Two evaluations of one plan agree field by field."""
    s = scenario(data)
    p = plan({"r1": "H:A F:A H:B"})
    assert simulate(s, p) == simulate(s, p)
