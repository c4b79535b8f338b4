"""Random valid scenarios and random plans (hypothesis): the simulator never crashes, nothing
goes negative, and its books balance."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.generate import generate_data
from optimizer.plan import Assignment, Plan
from optimizer.scenario import Scenario, load_scenario
from optimizer.simulate import simulate
from optimizer.status_quo import status_quo_plan

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

small = st.integers(0, 12)
money = st.integers(0, 5000)
pct = st.integers(0, 100)
factor = st.integers(0, 200)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A valid scenario of 1-3 territories, 0-3 reps, 1-6 periods, levers switched at random."""
    periods = draw(st.integers(1, 6))
    n_t = draw(st.integers(1, 3))
    tids = [f"T{i}" for i in range(n_t)]
    territories = []
    for tid in tids:
        t: dict[str, Any] = {
            "id": tid,
            "long_cycle": draw(st.booleans()),
            "accounts": draw(st.integers(0, 60)),
            "account_value": draw(money),
            "prospects": draw(st.integers(0, 80)),
            "prospect_inflow": draw(small),
            "win_share_pct": draw(pct),
            "accounts_per_farmer": draw(st.integers(0, 40)),
            "min_farmers": draw(st.integers(0, 1)),
            "max_reps": draw(st.none() | st.integers(0, 3)),
            "handover_cost": draw(money),
        }
        if draw(st.booleans()):
            t.update(lat=draw(st.floats(44, 46)), lon=draw(st.floats(33, 36)))
        if draw(st.booleans()):
            t["account_revenue"] = draw(money)
        territories.append(t)
    n_r = draw(st.integers(0, 3))
    reps = []
    for i in range(n_r):
        r: dict[str, Any] = {
            "id": f"r{i}",
            "home": draw(st.sampled_from(tids)),
            "roles": draw(st.sampled_from([["hunter", "farmer"], ["hunter"], ["farmer"]])),
            "trained": draw(st.booleans()),
            "hunter_capacity": draw(small),
            "farmer_capacity_pct": draw(factor),
            "salary": draw(money),
            "tenure_months": draw(st.integers(0, 60)),
            "training_done": draw(st.integers(0, 3)),
            "unavailable": draw(st.lists(st.integers(0, periods - 1), unique=True, max_size=2)),
            "active_until": draw(st.none() | st.integers(0, periods - 1)),
            "productivity_pct": draw(st.lists(factor, max_size=periods)),
        }
        if draw(st.booleans()):
            role = draw(st.sampled_from(r["roles"]))
            r["current"] = {
                "territory": draw(st.sampled_from(tids)),
                "role": role,
                "periods": draw(st.integers(0, 6)),
            }
        reps.append(r)
    policy: dict[str, Any] = {}
    if draw(st.booleans()):
        lo = draw(st.integers(0, 3))
        policy["rotation"] = {
            "enabled": draw(st.booleans()),
            "hunter_stint_min": lo,
            "hunter_stint_max": draw(st.integers(max(lo, 1), 4)),
            "hunter_cooldown": draw(st.integers(0, 3)),
            "farmer_max_tenure": draw(st.none() | st.integers(1, 4)),
            "handover_requires_farmer": draw(st.booleans()),
        }
    if draw(st.booleans()):
        policy["specialization"] = {"enabled": draw(st.booleans())}
    if draw(st.booleans()):
        policy["prospect_supply"] = {"min_prospects_per_hunter": draw(st.integers(0, 40))}
    if draw(st.booleans()):
        policy["bonus"] = {
            "enabled": draw(st.booleans()),
            "levels": [
                {"name": "none", "per_client": 0, "uplift_pct": 100},
                {"name": "high", "per_client": draw(money), "uplift_pct": draw(factor)},
            ],
        }
    if draw(st.booleans()):
        policy["veterans"] = {"enabled": True, "tenure_months": draw(st.integers(0, 60))}
    if draw(st.booleans()):
        policy["targets"] = {
            "goal_new_clients": draw(st.none() | st.integers(0, 100)),
            "goal_revenue": draw(st.none() | st.integers(0, 10**6)),
            "new_client_shortfall_cost": draw(money),
            "revenue_shortfall_cost_pct": draw(factor),
            "realism_pct": draw(pct),
            "target_period": draw(st.sampled_from(["month", "quarter"])),
        }
    data: dict[str, Any] = {
        "name": "random",
        "horizon": {"start": f"2027-{draw(st.integers(1, 12)):02d}", "periods": periods},
        "defaults": {
            "travel_cost": draw(money),
            "max_distance_km": draw(st.none() | st.floats(0, 300)),
            "churn_served_pct": draw(pct),
            "churn_unserved_pct": draw(pct),
            "terminal_value_periods": draw(st.integers(0, 6)),
            "role_switch_cost": draw(money),
            "bench_cost": draw(money),
        },
        "territories": territories,
        "reps": reps,
        "policy": policy,
    }
    if draw(st.booleans()) or not reps:
        policy["hiring"] = {"enabled": True}
        data["hiring"] = {
            "max_hires": draw(st.integers(0, 2)),
            "earliest_period": draw(st.integers(0, periods - 1)),
            "hire_cost": draw(money),
            "salary": draw(money),
            "hunter_capacity": draw(small),
            "farmer_capacity_pct": draw(factor),
            "ramp_pct": draw(st.lists(factor, max_size=3)),
        }
    if draw(st.booleans()):
        data["training"] = {
            "periods": draw(st.integers(0, 3)),
            "trainer_capacity": draw(st.integers(0, 2)),
        }
    return load_scenario(data)


@st.composite
def scenario_and_plan(draw: st.DrawFn) -> tuple[Scenario, Plan]:
    """A random scenario and a random plan for it: any state per person and period."""
    s = draw(scenarios())
    tids = [t.id for t in s.territories]
    states = st.sampled_from(["hunter", "farmer", "trainee", "bench", "off"])
    rows = []
    for person in s.persons:
        fill_from = draw(st.none() | st.integers(0, s.periods - 1)) if person.is_position else 0
        for p in range(s.periods):
            role = "off" if fill_from is None or p < fill_from else draw(states)
            territory = draw(st.sampled_from(tids)) if role in ("hunter", "farmer") else None
            rows.append(Assignment(person=person.id, period=p, role=role, territory=territory))
    levels = [draw(st.sampled_from(s.bonus_menu)).name for _ in range(s.periods)]
    return s, Plan(assignments=tuple(rows), bonus_levels=tuple(levels))


@SETTINGS
@given(scenario_and_plan())
def test_nothing_negative_and_the_books_balance(case):
    """Accounts and pools stay >= 0; flows add up; travel, bench, salaries, hires, bonus and
    the terminal value recomputed from the plan's rows agree with the simulator's."""
    s, plan = case
    ev = simulate(s, plan)
    k = ev.kpis
    rows = {(r.territory, r.period): r for r in ev.territory_periods}
    for t in s.territories:
        for p in range(s.periods):
            r = rows[(t.id, p)]
            assert r.accounts >= 0
            assert r.pool >= 0
            assert 0 <= r.served <= r.accounts
            assert 0 <= r.won <= r.pool
            assert r.margin == r.served * t.account_value
            assert 0 <= r.churn <= r.accounts
            if p + 1 < s.periods:
                nxt = rows[(t.id, p + 1)]
                assert nxt.accounts == r.accounts - r.churn + r.won
                assert nxt.pool == r.pool - r.won + t.prospect_inflow
    assert k.new_clients == sum(r.won for r in ev.territory_periods)
    assert k.margin_total == sum(r.margin for r in ev.territory_periods)
    assert k.revenue_total == sum(r.revenue for r in ev.territory_periods)
    # the money recomputed from the rows, independently of the simulator's bookkeeping
    by_person: dict[str, list[Assignment]] = {}
    for a in plan.assignments:
        by_person.setdefault(a.person, []).append(a)
    travel = bench = salaries = hires = 0
    for person in s.persons:
        mine = sorted(by_person.get(person.id, []), key=lambda a: a.period)
        working = [a for a in mine if a.role in ("hunter", "farmer")]
        travel += sum(person.travel_cost for a in working if a.territory != person.home)
        bench += s.defaults.bench_cost * sum(a.role == "bench" for a in mine)
        if person.is_position:
            start = next((a.period for a in mine if a.role != "off"), None)
            if start is not None:
                hires += 1
                salaries += person.salary * (s.periods - start)
        else:
            rep = s.rep_by_id[person.id]
            salaries += rep.salary * sum(s.employed(rep, p) for p in range(s.periods))
    level = [s.level_by_name[name] for name in plan.bonus_levels]
    won = [sum(r.won for r in ev.territory_periods if r.period == p) for p in range(s.periods)]
    assert k.travel == travel
    assert k.bench == bench
    assert k.salaries == salaries
    assert k.hiring_cost == (0 if s.hiring is None else s.hiring.hire_cost) * hires
    assert k.bonus_cost == sum(
        (level[p].per_client if s.policy.bonus_on else 0) * won[p] for p in range(s.periods)
    )
    last = {t.id: rows[(t.id, s.periods - 1)] for t in s.territories}
    assert k.terminal == sum(
        (last[t.id].accounts - last[t.id].churn + last[t.id].won)
        * t.account_value
        * s.defaults.terminal_value_periods
        for t in s.territories
    )
    assert k.score == k.profit - k.penalties
    assert k.penalties >= k.change_cost >= 0
    assert min(k.salaries, k.travel, k.bonus_cost, k.handover, k.switches, k.bench) >= 0
    assert k.targets_new_clients <= k.new_clients
    assert k.targets_revenue <= k.revenue_total
    assert ev.feasible == (ev.violations == ())


@SETTINGS
@given(scenario_and_plan())
def test_evaluated_plan_never_claims_feasibility_with_violations(case):
    """`apply_to` scores only plans without violations and never calls them FEASIBLE."""
    s, plan = case
    ev = simulate(s, plan)
    out = ev.apply_to(plan)
    assert (out.status == "FEASIBLE") == ev.feasible
    assert (out.score is None) == (not ev.feasible)
    assert len(out.bonus_levels) == s.periods


@SETTINGS
@given(scenarios())
def test_status_quo_is_always_readable_and_respects_the_facts(s):
    """The do-nothing plan reads, keeps leave and departures off, and never over-fills training."""
    ev = simulate(s, status_quo_plan(s))
    rules = {v.rule for v in ev.violations}
    assert not rules & {"availability", "assignment.missing", "training.capacity", "bonus"}
    assert ev.kpis.hires == 0


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 25), st.integers(1, 12), st.integers(1, 24), st.integers(0, 10**6))
def test_generated_scenarios_validate_and_simulate(reps, territories, periods, seed):
    """The generator makes valid scenarios of any size; the status quo simulates."""
    s = load_scenario(generate_data(reps, territories, periods, seed))
    assert len(s.reps) == reps
    assert len(s.territories) == territories
    assert s.periods == periods
    plan = status_quo_plan(s)
    ev = simulate(s, plan)
    assert {(a.person, a.period) for a in plan.assignments} >= {
        (r.id, p) for r in s.reps for p in range(periods)
    }
    assert len(ev.territory_periods) == territories * periods
    assert [r.accounts for r in ev.territory_periods if r.period == 0] == [
        t.accounts for t in s.territories
    ]


@SETTINGS
@given(scenarios())
def test_reach_is_the_great_circle_radius(s):
    """The pruned reach lookup agrees with distance <= radius on every pair."""
    for person in s.persons:
        for t in s.territories:
            if person.is_position:
                expected = t.id == person.home
            else:
                d = s.distance_km(person.home, t.id)
                expected = person.radius_km is None or d is None or d <= person.radius_km
            assert s.in_reach(person, t.id) == expected


@SETTINGS
@given(scenario_and_plan())
def test_the_months_add_up_to_the_totals(case):
    """Each month's flows are its territories' sums, its travel, bench and bonus recomputed
    from that month's rows agree, a hire's cost falls in his first month, and every cost summed
    over the months is the KPI's total."""
    s, plan = case
    ev = simulate(s, plan)
    k = ev.kpis
    assert [m.period for m in ev.months] == list(range(s.periods))
    for m in ev.months:
        rows = [r for r in ev.territory_periods if r.period == m.period]
        assert m.won == sum(r.won for r in rows)
        assert m.revenue == sum(r.revenue for r in rows)
        assert m.margin == sum(r.margin for r in rows)
        mine = [a for a in plan.assignments if a.period == m.period]
        person = s.person_by_id
        assert m.travel == sum(
            person[a.person].travel_cost
            for a in mine
            if a.role in ("hunter", "farmer") and a.territory != person[a.person].home
        )
        assert m.bench == s.defaults.bench_cost * sum(a.role == "bench" for a in mine)
        level = s.level_by_name[plan.bonus_levels[m.period]] if s.policy.bonus_on else None
        assert m.bonus_cost == (0 if level is None else level.per_client) * m.won
        starts = sum(h.start_period == m.period for h in ev.hires)
        assert m.hiring_cost == (0 if s.hiring is None else s.hiring.hire_cost) * starts
    for name in ("salaries", "hiring_cost", "travel", "bonus_cost", "handover", "switches"):
        assert sum(getattr(m, name) for m in ev.months) == getattr(k, name), name
    assert sum(m.bench for m in ev.months) == k.bench
    assert sum(m.costs for m in ev.months) == k.margin_total + k.terminal - k.profit
