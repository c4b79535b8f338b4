"""The CP-SAT model against the simulator with every decision fixed to a given plan.

The model must accept exactly the plans the simulator finds without violations, and then its
objective must equal the simulator's score to the unit: rule by rule (a plan that breaks one
rule and one that keeps it), and on random scenarios and plans.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from builders import hiring_data, plan, rep_data, scenario, tiny_data
from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model
from test_properties import scenario_and_plan

from optimizer.datasets import dataset_names, load_dataset
from optimizer.deadline import Deadline
from optimizer.greedy import greedy_plan
from optimizer.model import Built, build_model
from optimizer.model.solution import add_hint
from optimizer.plan import OFF, Cell, Plan
from optimizer.scenario import Scenario
from optimizer.simulate import simulate
from optimizer.status_quo import status_quo_plan


def fix_to(built: Built, p: Plan) -> bool:
    """Fix every decision variable to the plan; False if the plan uses a cell the model lacks."""
    model, v = built.model, built.build.vars
    s = built.build.scenario
    chosen = {(a.person, a.period): Cell(a.role, a.territory) for a in p.assignments}
    for person in s.persons:
        for period in range(s.periods):
            cell = chosen.get((person.id, period), OFF)
            options = v.options(person.id, period)
            if cell != OFF and cell not in options:
                return False
            for option, lit in options.items():
                model.add(lit == int(option == cell))
    for person_id, starts in v.start.items():
        worked = [q for (x, q), c in chosen.items() if x == person_id and c != OFF]
        for start, lit in starts.items():
            model.add(lit == int(bool(worked) and start == min(worked)))
    for period, levels in v.level.items():
        for name, lit in levels.items():
            model.add(lit == int(p.bonus_levels[period] == name))
    return True


def model_verdict(s: Scenario, p: Plan) -> int | None:
    """The model's objective with the plan fixed, or None if the model rejects the plan."""
    built = build_model(s)
    if not fix_to(built, p):
        return None
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    code = solver.solve(built.model)
    assert code != cp_model.UNKNOWN
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return solver.value(built.score)


def agree(s: Scenario, p: Plan) -> bool:
    """Model and simulator agree on this plan; returns its feasibility."""
    if not p.bonus_levels:
        p = p.model_copy(
            update={"bonus_levels": tuple(s.bonus_menu[0].name for _ in range(s.periods))}
        )
    ev = simulate(s, p)
    verdict = model_verdict(s, p)
    assert (verdict is not None) == ev.feasible, [str(x) for x in ev.violations]
    if verdict is not None:
        assert verdict == ev.score
    return ev.feasible


Mutation = Callable[[dict[str, Any]], Any]


def m(**blocks: Any) -> Mutation:
    def apply(d: dict[str, Any]) -> None:
        for key, value in blocks.items():
            if key == "rep0":
                d["reps"][0].update(value)
            elif key == "terr1":
                d["territories"][1].update(value)
            elif key == "add_rep":
                d["reps"].append(value)
            else:
                d[key] = value

    return apply


ROT = {"rotation": {"hunter_stint_min": 2, "hunter_stint_max": 2, "hunter_cooldown": 1}}
HIRING = {"hiring": {}}

# (rule, mutation, plan rows, feasible?)
CASES: list[tuple[str, Mutation, dict[str, str], bool]] = [
    ("plain", m(), {"r1": "H:A F:B B"}, True),
    ("off while available", m(), {"r1": "F:A - B"}, False),
    ("leave kept", m(rep0={"unavailable": [1]}), {"r1": "F:A - F:A"}, True),
    ("working on leave", m(rep0={"unavailable": [1]}), {"r1": "F:A F:A F:A"}, False),
    ("role kept", m(rep0={"roles": ["farmer"]}), {"r1": "F:A F:B F:A"}, True),
    ("role broken", m(rep0={"roles": ["farmer"]}), {"r1": "F:A H:B F:A"}, False),
    ("radius broken", m(defaults_radius=None), {"r1": "F:A H:B F:A"}, False),
    (
        "training gate kept",
        m(
            training={"periods": 1, "trainer_capacity": 1},
            rep0={"trained": False},
            terr1={"long_cycle": True},
        ),
        {"r1": "T F:B F:B"},
        True,
    ),
    (
        "training gate broken",
        m(
            training={"periods": 1, "trainer_capacity": 1},
            rep0={"trained": False},
            terr1={"long_cycle": True},
        ),
        {"r1": "F:B T F:B"},
        False,
    ),
    (
        "trainee not needed",
        m(training={"periods": 1, "trainer_capacity": 1}),
        {"r1": "T F:A F:A"},
        False,
    ),
    (
        "trainer capacity broken",
        m(
            training={"periods": 1, "trainer_capacity": 1},
            rep0={"trained": False},
            add_rep=rep_data("r2", trained=False),
        ),
        {"r1": "T F:A F:A", "r2": "T F:A F:A"},
        False,
    ),
    ("stint kept", m(policy=ROT), {"r1": "H:A H:A F:B"}, True),
    ("stint too long", m(policy=ROT), {"r1": "H:A H:A H:A"}, False),
    ("stint too short", m(policy=ROT), {"r1": "H:A F:B F:B"}, False),
    (
        "cooldown broken",
        m(
            policy={
                "rotation": {"hunter_stint_min": 1, "hunter_stint_max": 1, "hunter_cooldown": 2}
            }
        ),
        {"r1": "H:A B H:A"},
        False,
    ),
    (
        "handover needs farmer",
        m(
            policy={
                "rotation": {
                    "hunter_stint_min": 1,
                    "hunter_stint_max": 3,
                    "handover_requires_farmer": True,
                }
            }
        ),
        {"r1": "H:A H:A H:A"},
        False,
    ),
    ("specialization broken", m(policy={"specialization": {}}), {"r1": "H:A F:A H:A"}, False),
    ("specialization kept", m(policy={"specialization": {}}), {"r1": "H:A B H:B"}, True),
    (
        "prospect supply broken",
        m(policy={"prospect_supply": {"min_prospects_per_hunter": 101}}),
        {"r1": "H:A F:A F:A"},
        False,
    ),
    (
        "veteran kept",
        m(
            policy={"veterans": {"tenure_months": 1}},
            rep0={
                "tenure_months": 5,
                "current": {"territory": "B", "role": "farmer", "periods": 3},
            },
        ),
        {"r1": "F:B F:B F:B"},
        True,
    ),
    (
        "veteran moved",
        m(
            policy={"veterans": {"tenure_months": 1}},
            rep0={
                "tenure_months": 5,
                "current": {"territory": "B", "role": "farmer", "periods": 3},
            },
        ),
        {"r1": "F:B F:A F:B"},
        False,
    ),
    ("min farmers broken", m(terr1={"min_farmers": 1}), {"r1": "F:B F:A F:B"}, False),
    (
        "max reps broken",
        m(terr1={"max_reps": 1}, add_rep=rep_data("r2")),
        {"r1": "F:B F:A F:A", "r2": "H:B B B"},
        False,
    ),
    (
        "lock kept",
        m(locks=[{"rep": "r1", "periods": [1], "role": "bench"}]),
        {"r1": "F:A B F:A"},
        True,
    ),
    (
        "lock broken",
        m(locks=[{"rep": "r1", "periods": [1], "role": "bench"}]),
        {"r1": "F:A F:A F:A"},
        False,
    ),
    (
        "hire kept",
        m(policy=HIRING, hiring=hiring_data(territories=["B"], ramp_pct=[50])),
        {"r1": "F:A F:A F:A", "H-B-1": "- H:B F:B"},
        True,
    ),
    (
        "hire off after start",
        m(policy=HIRING, hiring=hiring_data(territories=["B"])),
        {"r1": "F:A F:A F:A", "H-B-1": "H:B - F:B"},
        False,
    ),
    (
        "hire too early",
        m(policy=HIRING, hiring=hiring_data(territories=["B"], earliest_period=1)),
        {"r1": "F:A F:A F:A", "H-B-1": "H:B H:B F:B"},
        False,
    ),
    (
        "too many hires",
        m(policy=HIRING, hiring=hiring_data(max_hires=1)),
        {"r1": "F:A F:A F:A", "H-B-1": "- H:B F:B", "H-A-1": "- - H:A"},
        False,
    ),
    (
        "frozen kept",
        m(
            baseline={
                "freeze_periods": 1,
                "change_cost": 7,
                "assignments": [
                    {"person": "r1", "period": q, "role": "farmer", "territory": "A"}
                    for q in range(3)
                ],
            }
        ),
        {"r1": "F:A H:A F:A"},
        True,
    ),
    (
        "frozen broken",
        m(
            baseline={
                "freeze_periods": 1,
                "change_cost": 7,
                "assignments": [
                    {"person": "r1", "period": q, "role": "farmer", "territory": "A"}
                    for q in range(3)
                ],
            }
        ),
        {"r1": "H:A F:A F:A"},
        False,
    ),
]


@pytest.mark.parametrize(
    ("mutate", "rows", "feasible"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule_by_rule(mutate, rows, feasible):
    """Fixed to a plan that breaks one rule, the model is infeasible; kept, it scores alike."""
    d = tiny_data()
    d["defaults"].update(
        churn_served_pct=3,
        churn_unserved_pct=9,
        terminal_value_periods=2,
        role_switch_cost=11,
        travel_cost=13,
        bench_cost=2,
    )
    d["territories"][0]["handover_cost"] = 17
    mutate(d)
    if "defaults_radius" in d:
        d.pop("defaults_radius")
        d["defaults"]["max_distance_km"] = 50
    assert agree(scenario(d), plan(rows)) is feasible


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_and_plan())
def test_random_plans_agree(case):
    """Random scenario, random plan: accepted iff no violation, and then the same score."""
    s, p = case
    agree(s, p)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario_and_plan())
def test_constructive_plans_agree(case):
    """The greedy and status-quo plans of random scenarios: same verdict, same score."""
    s, _ = case
    agree(s, greedy_plan(s))
    agree(s, status_quo_plan(s))


@pytest.mark.parametrize("name", dataset_names())
def test_dataset_greedy_plan_is_a_complete_hint(name):
    """On every dataset the greedy plan is feasible, and hinted it is a model solution."""
    s = load_dataset(name)
    p = greedy_plan(s)
    assert agree(s, p)
    assert add_hint(build_model(s), p, Deadline.after(60))


def test_second_hint_replaces_the_first():
    """Hinting twice leaves each variable hinted once, with the second plan's values."""
    d = tiny_data()
    s = scenario(d)
    built = build_model(s)
    add_hint(built, plan({"r1": "F:A F:A F:A"}))
    add_hint(built, plan({"r1": "H:B H:B H:B"}))
    hint = built.model.proto.solution_hint
    assert len(set(hint.vars)) == len(hint.vars)
    lit = built.build.vars.lit("r1", 0, Cell("hunter", "B"))
    assert dict(zip(hint.vars, hint.values, strict=True))[lit.Index()] == 1
