"""Section 2 validation: every check rejects with a message naming entity and field, the
boundary value passes, and the CLI answers a bad scenario with exit code 2 and no traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from builders import hiring_data, rep_data, tiny_data
from pydantic import ValidationError
from typer.testing import CliRunner

from optimizer.cli import app
from optimizer.scenario import InvalidInput, load_scenario
from optimizer.simulate import simulate
from optimizer.status_quo import status_quo_plan

Mutation = Callable[[dict[str, Any]], Any]


def rep0(**fields: Any) -> Mutation:
    return lambda d: d["reps"][0].update(fields)


def terr0(**fields: Any) -> Mutation:
    return lambda d: d["territories"][0].update(fields)


def defaults(**fields: Any) -> Mutation:
    return lambda d: d["defaults"].update(fields)


def policy(**blocks: Any) -> Mutation:
    return lambda d: d.setdefault("policy", {}).update(blocks)


def both(*mutations: Mutation) -> Mutation:
    def apply(d: dict[str, Any]) -> None:
        for m in mutations:
            m(d)

    return apply


def veteran_r1(d: dict[str, Any]) -> None:
    d["policy"] = {"veterans": {"tenure_months": 36}}
    d["reps"][0].update(
        tenure_months=40, current={"territory": "A", "role": "farmer", "periods": 10}
    )


def hiring_on(d: dict[str, Any]) -> None:
    d.setdefault("policy", {})["hiring"] = {}
    d["hiring"] = hiring_data()


LEVEL = {"name": "none", "per_client": 0, "uplift_pct": 100}
ROW = {"person": "r1", "period": 0, "role": "farmer", "territory": "A"}

# (case id, mutation, a fragment of the message that must name field and entity)
BAD: list[tuple[str, Mutation, str]] = [
    ("unknown home", rep0(home="KRR"), "reps[r1].home: unknown territory 'KRR'"),
    (
        "unknown current territory",
        rep0(current={"territory": "X", "role": "farmer", "periods": 1}),
        "reps[r1].current.territory: unknown territory 'X'",
    ),
    (
        "duplicate territory",
        lambda d: d["territories"].append(dict(d["territories"][0])),
        "territories[A].id: duplicate territory id 'A'",
    ),
    (
        "duplicate rep",
        lambda d: d["reps"].append(rep_data("r1")),
        "reps[r1].id: duplicate rep id 'r1'",
    ),
    ("rep id like a position", rep0(id="H-7"), "reps[H-7].id: a rep id may not start with 'H-'"),
    ("missing field", lambda d: d["reps"][0].pop("salary"), "reps[r1].salary: required field"),
    ("missing block", lambda d: d.pop("defaults"), "defaults: required field"),
    ("unknown field", rep0(colour="red"), "reps[r1].colour: unknown field"),
    ("negative accounts", terr0(accounts=-1), "territories[A].accounts: must be >= 0 (got -1)"),
    ("negative prospects", terr0(prospects=-5), "territories[A].prospects: must be >= 0"),
    ("negative capacity", rep0(hunter_capacity=-3), "reps[r1].hunter_capacity: must be >= 0"),
    ("negative tenure", rep0(tenure_months=-1), "reps[r1].tenure_months: must be >= 0"),
    (
        "churn above 100",
        defaults(churn_served_pct=101),
        "defaults.churn_served_pct: must be <= 100",
    ),
    (
        "churn below 0",
        defaults(churn_unserved_pct=-1),
        "defaults.churn_unserved_pct: must be >= 0",
    ),
    ("win share above 100", terr0(win_share_pct=101), "territories[A].win_share_pct: must be <="),
    (
        "realism above 100",
        policy(targets={"realism_pct": 101}),
        "policy.targets.realism_pct: must be <= 100",
    ),
    (
        "farmer capacity negative",
        rep0(farmer_capacity_pct=-1),
        "reps[r1].farmer_capacity_pct: must be >= 0",
    ),
    (
        "uplift negative",
        policy(bonus={"levels": [{"name": "x", "per_client": 0, "uplift_pct": -1}]}),
        "policy.bonus.levels[x].uplift_pct: must be >= 0",
    ),
    (
        "productivity negative",
        rep0(productivity_pct=[100, -1]),
        "reps[r1].productivity_pct[1]: must be >= 0",
    ),
    (
        "ramp negative",
        both(hiring_on, lambda d: d["hiring"].update(ramp_pct=[-5])),
        "hiring.ramp_pct[0]: must be >= 0",
    ),
    (
        "revenue shortfall pct negative",
        policy(targets={"revenue_shortfall_cost_pct": -1}),
        "policy.targets.revenue_shortfall_cost_pct: must be >= 0",
    ),
    ("negative salary", rep0(salary=-1), "reps[r1].salary: must be >= 0"),
    ("negative travel cost", defaults(travel_cost=-1), "defaults.travel_cost: must be >= 0"),
    ("negative rep travel cost", rep0(travel_cost=-2), "reps[r1].travel_cost: must be >= 0"),
    ("negative account value", terr0(account_value=-1), "territories[A].account_value: must be"),
    ("negative handover", terr0(handover_cost=-1), "territories[A].handover_cost: must be >= 0"),
    (
        "negative hire cost",
        both(hiring_on, lambda d: d["hiring"].update(hire_cost=-1)),
        "hiring.hire_cost: must be >= 0",
    ),
    (
        "negative bonus",
        policy(bonus={"levels": [{"name": "x", "per_client": -1, "uplift_pct": 100}]}),
        "policy.bonus.levels[x].per_client: must be >= 0",
    ),
    (
        "negative change cost",
        lambda d: d.update(baseline={"freeze_periods": 0, "change_cost": -1}),
        "baseline.change_cost: must be >= 0",
    ),
    ("zero periods", lambda d: d["horizon"].update(periods=0), "horizon.periods: must be >= 1"),
    ("37 periods", lambda d: d["horizon"].update(periods=37), "horizon.periods: must be <= 36"),
    ("bad start", lambda d: d["horizon"].update(start="2027-13"), "horizon.start"),
    (
        "stint min above max",
        policy(rotation={"hunter_stint_min": 4, "hunter_stint_max": 3}),
        "policy.rotation.hunter_stint_min: 4 is above hunter_stint_max 3",
    ),
    (
        "stint min above max, rotation off",
        policy(rotation={"enabled": False, "hunter_stint_min": 4, "hunter_stint_max": 3}),
        "policy.rotation.hunter_stint_min: 4 is above hunter_stint_max 3",
    ),
    (
        "lock outside horizon",
        lambda d: d.update(locks=[{"rep": "r1", "periods": [3], "role": "bench"}]),
        "locks[0].periods: period 3 is outside the horizon 0..2",
    ),
    (
        "lock with territory and trainee",
        lambda d: d.update(
            locks=[{"rep": "r1", "periods": [0], "territory": "A", "role": "trainee"}]
        ),
        "locks[0].territory: role 'trainee' has no territory",
    ),
    (
        "lock with territory and bench",
        lambda d: d.update(
            locks=[{"rep": "r1", "periods": [0], "territory": "A", "role": "bench"}]
        ),
        "locks[0].territory: role 'bench' has no territory",
    ),
    (
        "lock on unknown rep",
        lambda d: d.update(locks=[{"rep": "r9", "periods": [0], "role": "bench"}]),
        "locks[0].rep: unknown rep 'r9'",
    ),
    (
        "lock on unknown territory",
        lambda d: d.update(locks=[{"rep": "r1", "periods": [0], "territory": "Z"}]),
        "locks[0].territory: unknown territory 'Z'",
    ),
    (
        "forbid naming nothing",
        lambda d: d.update(locks=[{"rep": "r1", "periods": [0], "forbid": True}]),
        "locks[0]: a forbid must name a territory, a role or both",
    ),
    (
        "forbid of what a lock fixes",
        lambda d: d.update(
            locks=[
                {"rep": "r1", "periods": [0, 1], "territory": "A", "role": "farmer"},
                {"rep": "r1", "periods": [1], "territory": "A", "forbid": True},
            ]
        ),
        "locks[1]: forbids what locks[0] fixes for r1 in period 1",
    ),
    (
        "lock fixing nothing",
        lambda d: d.update(locks=[{"rep": "r1", "periods": [0]}]),
        "locks[0]: a lock must fix a territory, a role or both",
    ),
    (
        "lock during leave",
        both(
            rep0(unavailable=[1]),
            lambda d: d.update(locks=[{"rep": "r1", "periods": [1], "role": "bench"}]),
        ),
        "locks[0]: r1 is unavailable in period 1",
    ),
    (
        "lock after departure",
        both(
            rep0(active_until=0),
            lambda d: d.update(locks=[{"rep": "r1", "periods": [2], "role": "bench"}]),
        ),
        "locks[0]: r1 has left by period 2",
    ),
    (
        "locks contradicting each other",
        lambda d: d.update(
            locks=[
                {"rep": "r1", "periods": [0], "territory": "A"},
                {"rep": "r1", "periods": [0], "territory": "B"},
            ]
        ),
        "locks[1]: contradicts locks[0] for r1 in period 0",
    ),
    (
        "lock on position before earliest period",
        both(
            hiring_on,
            lambda d: d["hiring"].update(earliest_period=2),
            lambda d: d.update(locks=[{"rep": "H-A-1", "periods": [1], "territory": "A"}]),
        ),
        "locks[0]: position H-A-1 cannot be filled before period 2",
    ),
    (
        "lock on position that is not open",
        lambda d: d.update(locks=[{"rep": "H-A-1", "periods": [1], "territory": "A"}]),
        "locks[0].rep: 'H-A-1' is not an open position",
    ),
    (
        "lock contradicting a protected veteran",
        both(
            veteran_r1, lambda d: d.update(locks=[{"rep": "r1", "periods": [1], "territory": "B"}])
        ),
        "locks[0]: contradicts protected veteran r1",
    ),
    (
        "veteran role not in roles",
        both(veteran_r1, rep0(roles=["hunter"])),
        "reps[r1].current.role: protected veteran keeps role 'farmer'",
    ),
    (
        "empty bonus menu",
        policy(bonus={"levels": []}),
        "policy.bonus.levels: the bonus menu is empty",
    ),
    (
        "duplicate bonus level",
        policy(bonus={"levels": [LEVEL, LEVEL]}),
        "policy.bonus.levels[none].name: duplicate level name 'none'",
    ),
    (
        "from_position without baseline",
        lambda d: d["reps"].append(rep_data("r2", from_position="H-A-1")),
        "reps[r2].from_position: 'H-A-1' is not a position of the baseline",
    ),
    (
        "lat without lon",
        lambda d: d["territories"][0].pop("lon"),
        "territories[A].lon: lat is given without lon",
    ),
    (
        "lon without lat",
        lambda d: d["territories"][0].pop("lat"),
        "territories[A].lat: lon is given without lat",
    ),
    ("latitude out of range", terr0(lat=91.0), "territories[A].lat: must be <= 90"),
    (
        "boolean as a number",
        rep0(hunter_capacity=True),
        "reps[r1].hunter_capacity: must be an integer",
    ),
    ("string as a number", rep0(salary="100"), "reps[r1].salary: must be an integer"),
    ("float as a count", terr0(accounts=10.5), "territories[A].accounts: must be an integer"),
    ("unknown role", rep0(roles=["closer"]), "reps[r1].roles[0]"),
    ("empty roles", rep0(roles=[]), "reps[r1].roles: must name at least one"),
    ("leave outside horizon", rep0(unavailable=[5]), "reps[r1].unavailable: period 5 is outside"),
    ("leave listed twice", rep0(unavailable=[1, 1]), "reps[r1].unavailable: period 1 listed twice"),
    (
        "productivity longer than horizon",
        rep0(productivity_pct=[100, 100, 100, 100]),
        "reps[r1].productivity_pct: 4 values for a 3-period horizon",
    ),
    ("negative active_until", rep0(active_until=-1), "reps[r1].active_until: must be >= 0"),
    (
        "unknown hiring territory",
        both(hiring_on, lambda d: d["hiring"].update(territories=["Q"])),
        "hiring.territories: unknown territory 'Q'",
    ),
    (
        "earliest period outside horizon",
        both(hiring_on, lambda d: d["hiring"].update(earliest_period=3)),
        "hiring.earliest_period: period 3 is outside the horizon",
    ),
    ("nobody to plan", lambda d: d.update(reps=[]), "reps: the scenario has no reps and no open"),
    ("no territories", lambda d: d.update(territories=[]), "territories: must not be empty"),
    (
        "baseline unknown person",
        lambda d: d.update(
            baseline={
                "freeze_periods": 1,
                "change_cost": 0,
                "assignments": [dict(ROW, person="zz")],
            }
        ),
        "baseline.assignments[zz, period 0].person: unknown rep or position 'zz'",
    ),
    (
        "baseline row outside horizon",
        lambda d: d.update(
            baseline={"freeze_periods": 1, "change_cost": 0, "assignments": [dict(ROW, period=9)]}
        ),
        "baseline.assignments[r1, period 9]: period 9 is outside the horizon",
    ),
    (
        "baseline row twice",
        lambda d: d.update(
            baseline={"freeze_periods": 1, "change_cost": 0, "assignments": [ROW, ROW]}
        ),
        "baseline.assignments[r1, period 0]: a second row",
    ),
    (
        "baseline working row without territory",
        lambda d: d.update(
            baseline={
                "freeze_periods": 1,
                "change_cost": 0,
                "assignments": [{"person": "r1", "period": 0, "role": "farmer"}],
            }
        ),
        "farmer needs a territory",
    ),
    (
        "baseline unknown bonus level",
        lambda d: d.update(
            baseline={"freeze_periods": 1, "change_cost": 0, "bonus_levels": ["mega"]}
        ),
        "baseline.bonus_levels[0]: unknown bonus level 'mega'",
    ),
]


@pytest.mark.parametrize(("mutation", "fragment"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_scenario_is_rejected_naming_the_field(mutation, fragment):
    """The whole scenario is rejected and one message names the entity and the field."""
    d = tiny_data()
    mutation(d)
    with pytest.raises(InvalidInput) as caught:
        load_scenario(d)
    assert any(fragment in p for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(("mutation", "fragment"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_cli_validate_exits_2_with_the_message(tmp_path, mutation, fragment):
    """`ledokol validate` on a bad scenario: exit code 2, the message, no traceback."""
    d = tiny_data()
    mutation(d)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(d))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert fragment in result.output
    assert "Traceback" not in result.output


GOOD: list[tuple[str, Mutation]] = [
    ("tiny as is", lambda d: None),
    ("percent at 100", both(defaults(churn_served_pct=100), terr0(win_share_pct=100))),
    ("percent at 0", defaults(churn_unserved_pct=0)),
    ("capacity above 100 %", rep0(farmer_capacity_pct=250, productivity_pct=[120, 0])),
    ("one period", lambda d: d["horizon"].update(periods=1)),
    ("36 periods", lambda d: d["horizon"].update(periods=36)),
    ("stint min equals max", policy(rotation={"hunter_stint_min": 3, "hunter_stint_max": 3})),
    (
        "lock in last period",
        lambda d: d.update(locks=[{"rep": "r1", "periods": [2], "role": "bench"}]),
    ),
    (
        "lock agreeing with veteran",
        both(
            veteran_r1, lambda d: d.update(locks=[{"rep": "r1", "periods": [1], "territory": "A"}])
        ),
    ),
    ("veteran threshold not reached", both(veteran_r1, rep0(tenure_months=35, roles=["hunter"]))),
    (
        "no coordinates at all",
        lambda d: [t.pop(k) for t in d["territories"] for k in ("lat", "lon")],
    ),
    ("integral float coordinates", terr0(lat=45, lon=34)),
    ("one bonus level", policy(bonus={"levels": [LEVEL]})),
    ("only positions, no reps", both(hiring_on, lambda d: d.update(reps=[]))),
    ("zero salary and costs", rep0(salary=0, travel_cost=0)),
    ("leave in last period", rep0(unavailable=[2])),
    ("departure in period 0", rep0(active_until=0)),
]


@pytest.mark.parametrize("mutation", [g[1] for g in GOOD], ids=[g[0] for g in GOOD])
def test_boundary_values_pass(mutation):
    """The value at the edge of each range is accepted."""
    d = tiny_data()
    mutation(d)
    s = load_scenario(d)
    # accepted whole: every entity kept, and the status quo of it simulates over the horizon
    assert [r.id for r in s.reps] == [r["id"] for r in d["reps"]]
    assert [t.id for t in s.territories] == [t["id"] for t in d["territories"]]
    ev = simulate(s, status_quo_plan(s))
    assert len(ev.territory_periods) == len(s.territories) * d["horizon"]["periods"]


def test_every_problem_is_reported_at_once():
    """Three independent mistakes give three messages in one answer."""
    d = tiny_data()
    d["reps"][0]["home"] = "KRR"
    d["territories"][1]["lon"] = None
    d["policy"] = {"rotation": {"hunter_stint_min": 4, "hunter_stint_max": 3}}
    with pytest.raises(InvalidInput) as caught:
        load_scenario(d)
    assert len(caught.value.problems) == 3


def test_scenario_is_immutable():
    """A validated scenario cannot be changed in place."""
    s = load_scenario(tiny_data())
    with pytest.raises(ValidationError, match="frozen"):
        s.name = "other"  # type: ignore[misc]


def test_replace_revalidates():
    """`replace` goes through validation: an invalid what-if is rejected."""
    s = load_scenario(tiny_data())
    assert s.replace(name="what-if").name == "what-if"
    with pytest.raises(InvalidInput, match=r"horizon\.periods"):
        s.replace(horizon={"start": "2027-01", "periods": 0})


def test_defaults_of_section_2():
    """The defaults the spec lists are what a sparse scenario gets."""
    d = tiny_data()
    d["hiring"] = hiring_data()
    d["policy"] = {"hiring": {}}
    s = load_scenario(d)
    t, r = s.territories[0], s.reps[0]
    assert (t.long_cycle, t.revenue_per_account, t.min_farmers, t.max_reps) == (False, 100, 0, None)
    assert (r.roles, r.trained, r.tenure_months, r.current, r.training_done) == (
        ("hunter", "farmer"),
        True,
        0,
        None,
        0,
    )
    assert (r.unavailable, r.active_until, s.productivity(s.person_by_id["r1"], 0)) == (
        (),
        None,
        100,
    )
    assert s.defaults.bench_cost == 0
    assert s.hiring is not None
    assert (s.hiring.earliest_period, s.hiring.positions_per_territory) == (0, 1)
    assert s.hiring.per_period_cap == s.hiring.max_hires
    assert s.hiring.ramp_pct == ()
    assert [p.id for p in s.positions] == ["H-A-1", "H-B-1"]
    assert s.training_periods == 0
    assert s.policy.active_rotation is None
    assert not s.policy.specialization_on


def test_distance_is_great_circle():
    """One degree of latitude on a 6371 km sphere is 111.19 km."""
    s = load_scenario(tiny_data())
    assert s.distance_km("A", "B") == pytest.approx(111.195, abs=0.01)
