"""The solve pipeline on scenarios our tidy generator does not make: warm start, repair,
improve, verify — always a checked plan where one exists, and one deadline for every stage.

Two families: `optimizer.awkward` (scenarios written around a known feasible plan) and
mutations of the shipped datasets and of generated scenarios (`awkward_cases`). Limits are
CP-SAT's deterministic time and step counts, so the outcome does not depend on the machine's
speed; the wall-clock deadlines are generous guards.
"""

from __future__ import annotations

import copy
import random
import threading
from functools import cache

import pytest
from awkward_cases import MUTATIONS, mutate
from builders import plan, rep_data, scenario, tiny_data, two_locked_into_one_office
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.awkward import awkward, awkward_data
from optimizer.datasets import dataset_names, load_dataset
from optimizer.deadline import Deadline, Stopped
from optimizer.generate import generate_data
from optimizer.greedy import greedy_plan
from optimizer.plan import Plan
from optimizer.repair import repair
from optimizer.scenario import load_scenario
from optimizer.simulate import simulate
from optimizer.solve import SolveOptions, solve
from optimizer.warm import feasible_start

GUARD = 600.0  # wall-clock guard only: the work is bounded by deterministic time
ROUND = 5.0  # CP-SAT deterministic time per repair round


def _start(s, hint=None):  # type: ignore[no-untyped-def]
    return feasible_start(s, hint, Deadline.after(GUARD), workers=1, deterministic_time=ROUND)


def _reproducible(**changes: object) -> SolveOptions:
    base = {
        "time_limit": GUARD,
        "deterministic_time": 0.5,
        "workers": 1,
        "seed": 0,
        "lp_bound": False,
        "explain": False,
    }
    base.update(changes)
    return SolveOptions(**base)  # type: ignore[arg-type]


# -- the awkward family -----------------------------------------------------------------------

SIZES = [(6, 4, 6), (12, 6, 12), (30, 12, 12)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("seed", range(6))
def test_the_witness_of_an_awkward_scenario_keeps_every_rule(size, seed):
    """Every awkward scenario comes with a plan the simulator accepts."""
    s, witness = awkward(*size, seed=seed)
    assert simulate(s, witness).feasible


def test_the_awkward_family_has_the_hard_parts():
    """Across seeds the family holds each hard part it promises (so none silently vanishes)."""
    seen: set[str] = set()
    for seed in range(30):
        data, witness = awkward_data(20, 8, 12, seed=seed)
        s = load_scenario(data)
        rotation = s.policy.active_rotation
        assert rotation is not None
        for lock in s.locks:
            rep = s.rep_by_id.get(lock.rep)
            if rep is None:
                seen.add("position lock")
            elif rep.current is not None and rep.current.territory != lock.territory:
                seen.add("lock against current")
        if rotation.hunter_stint_min == rotation.hunter_stint_max:
            seen.add("stint min == max")
        if rotation.hunter_cooldown >= 4:
            seen.add("long cooldown")
        if s.training is not None and s.training.trainer_capacity == 1:
            seen.add("one trainer seat")
        if s.baseline is not None and s.baseline.freeze_periods:
            seen.add("frozen baseline")
        if any(r.active_until is not None for r in s.reps):
            seen.add("departure")
        for person in s.persons:
            c = person.current
            if person.veteran and c is not None and not s.in_reach(person, c.territory):
                seen.add("veteran out of radius")
        busy = {}
        for a in witness["assignments"]:
            if a["territory"] is not None:
                key = (a["territory"], a["period"])
                busy[key] = busy.get(key, 0) + 1
        for t in s.territories:
            top = max((n for (tid, _), n in busy.items() if tid == t.id), default=0)
            if t.max_reps is not None and t.max_reps == top and top > 0:
                seen.add("office full")
            if t.min_farmers >= 1:
                seen.add("floor")
        hunts = {
            (a["person"], a["period"]) for a in witness["assignments"] if a["role"] == "hunter"
        }
        for rep in s.reps:
            for p in rep.unavailable:
                if (rep.id, p - 1) in hunts and (rep.id, p + 1) in hunts:
                    seen.add("leave inside a stint")
    assert seen >= {
        "position lock",
        "lock against current",
        "stint min == max",
        "long cooldown",
        "one trainer seat",
        "frozen baseline",
        "departure",
        "veteran out of radius",
        "office full",
        "floor",
        "leave inside a stint",
    }


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("seed", range(8))
def test_warm_start_and_repair_give_a_feasible_plan_on_the_awkward_family(size, seed):
    """Whatever the greedy gets wrong, warm start + repair hand the search a feasible plan."""
    s, _ = awkward(*size, seed=seed)
    start = _start(s)
    assert start.status == "FEASIBLE", start.source
    assert start.evaluation is not None and start.evaluation.feasible


# each an awkward case the greedy once got wrong, and the rule it broke: a position locked to
# work a long-cycle town trains first; a frozen trainee period fills the position by then; a
# town's only farmer is not taken by a neighbour's floor; a stint does not start where forced
# people and the floor will fill the office; under specialization nobody a floor needs hunts;
# a pool worn down by stints gets fewer hunters
GREEDY_CASES = [
    ((6, 4, 6), 5, "training.long_cycle"),
    ((6, 4, 6), 30, "baseline.frozen"),
    ((6, 4, 6), 24, "coverage.min_farmers"),
    ((80, 30, 12), 0, "coverage.max_reps"),
    ((12, 6, 12), 25, "coverage.min_farmers"),
    ((30, 12, 12), 13, "coverage.min_farmers"),
]


@pytest.mark.parametrize(("size", "seed", "rule"), GREEDY_CASES)
def test_the_greedy_keeps_the_rule_it_once_broke(size, seed, rule):
    s, _ = awkward(*size, seed=seed)
    ev = simulate(s, greedy_plan(s))
    assert not [v for v in ev.violations if v.rule == rule]


def test_the_greedy_thins_hunters_where_a_pool_runs_dry():
    """A tidy scenario whose pool the greedy's stints wore down below the prospect minimum."""
    s = load_scenario(generate_data(40, 15, 12, 8))
    assert simulate(s, greedy_plan(s)).feasible


def test_the_greedy_alone_keeps_every_rule_on_almost_all_of_the_awkward_family():
    """Repair is the net, not the method: the greedy's own plan is feasible on at least 97 %
    of 100 awkward scenarios (measured 99 of 100 when this was written; 86 % before the
    floors, offices and forced hires were planned ahead)."""
    cases = [((6, 4, 6), seed) for seed in range(40)] + [((30, 12, 12), seed) for seed in range(60)]
    feasible = sum(
        simulate(s, greedy_plan(s)).feasible for s, _ in (awkward(*z, seed=k) for z, k in cases)
    )
    assert feasible >= 97


@pytest.mark.parametrize("seed", range(4))
def test_solve_returns_a_checked_plan_no_worse_than_the_hint(seed):
    """Hinted with the witness, a reproducible solve answers with a checked plan scoring at
    least the witness's."""
    s, witness = awkward(12, 6, 12, seed=seed)
    result = solve(s, _reproducible(hint=witness))
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert result.plan is not None and result.score is not None
    assert simulate(s, result.plan).feasible
    assert result.score >= simulate(s, witness).score
    roster = {person.id: i for i, person in enumerate(s.persons)}
    keys = [(roster[a.person], a.period) for a in result.plan.assignments]
    assert keys == sorted(keys)  # roster order, then positions, whatever the search did


def test_a_large_awkward_scenario_gets_a_plan_from_the_neighbourhood_search():
    """Above the LNS threshold, a broken warm start no longer means "no plan": it is repaired
    and searched (here the greedy breaks rules on this seed)."""
    s, _ = awkward(80, 30, 12, seed=7)
    assert not simulate(s, greedy_plan(s)).feasible
    stop = threading.Event()  # the first checked plan is all this test needs

    def first(_: Plan) -> None:
        stop.set()

    options = _reproducible(strategy="lns", deterministic_time=None, stop=stop, incumbent=first)
    result = solve(s, options)
    assert result.plan is not None and result.status in ("OPTIMAL", "FEASIBLE")
    assert simulate(s, result.plan).feasible
    assert result.repaired is not None and result.repaired > 0


# -- mutations of the datasets and of generated scenarios -------------------------------------


@cache
def _known(name: str) -> tuple[dict, Plan]:
    """A scenario's data and a feasible plan of it (the warm start, repaired if need be)."""
    if name.startswith("generated"):
        data = generate_data(12, 6, 12, seed=int(name[-1]))
    else:
        data = load_dataset(name).model_dump(mode="json")
    start = _start(load_scenario(data))
    assert start.plan is not None
    return data, start.plan


CASES = [*dataset_names(), "generated-0", "generated-1"]


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.sampled_from(CASES), st.randoms(use_true_random=False), st.integers(1, 4))
def test_warm_start_and_repair_are_feasible_on_mutated_scenarios(name, rng, count):
    """Locks, full offices, exact floors, one seat, leave in stints, veterans out of radius
    and frozen baselines added to a scenario whose plan still keeps them: the warm start,
    repaired, is feasible."""
    data, known = _known(name)
    mutated, _ = mutate(data, known, rng, count)
    s = load_scenario(mutated)
    start = _start(s)
    assert start.status == "FEASIBLE", (name, start.source)


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.sampled_from(CASES), st.randoms(use_true_random=False))
def test_the_pipeline_answers_mutated_scenarios_with_a_checked_plan(name, rng):
    """The whole pipeline on a mutated scenario: a checked plan, never "no plan"."""
    data, known = _known(name)
    mutated, _ = mutate(data, known, rng, 3)
    s = load_scenario(mutated)
    result = solve(s, _reproducible())
    assert result.plan is not None, result.summary()
    assert simulate(s, result.plan).feasible


def test_every_mutation_keeps_the_known_plan_feasible():
    """Each mutation alone, on each case: the plan it keeps is still feasible (`mutate`
    asserts it)."""
    for name in CASES:
        data, known = _known(name)
        for mutation in MUTATIONS:
            rng = random.Random(7)
            copy_data = copy.deepcopy(data)
            kept = mutation(copy_data, known.model_copy(update={"scenario": data["name"]}), rng)
            assert simulate(load_scenario(copy_data), kept).feasible, (name, mutation.__name__)


# -- repair ------------------------------------------------------------------------------------


def test_repair_mends_a_hand_made_plan_and_lists_the_changes():
    """A plan that leaves a locked rep off and overfills an office becomes feasible; only the
    cells that had to change are listed."""
    data = tiny_data()
    data["reps"].append(rep_data("r2"))
    data["territories"][0]["max_reps"] = 1
    data["locks"] = [{"rep": "r1", "periods": [0, 1, 2], "territory": "A", "role": "farmer"}]
    s = scenario(data)
    broken = plan({"r1": "- F:A F:A", "r2": "F:A F:A F:B"})
    assert not simulate(s, broken).feasible
    fixed = repair(s, broken, Deadline.after(GUARD), deterministic_time=ROUND)
    assert fixed.status == "FEASIBLE" and fixed.plan is not None
    assert simulate(s, fixed.plan).feasible
    changed = {(c.person, c.period) for c in fixed.changes}
    assert ("r1", 0) in changed
    assert ("r2", 0) in changed and ("r2", 1) in changed  # the office holds one


def test_repair_returns_a_feasible_plan_unchanged():
    """Nothing to mend: the same plan, no changes."""
    s = scenario(tiny_data())
    good = plan({"r1": "F:A F:A F:A"})
    fixed = repair(s, good, Deadline.after(GUARD))
    assert fixed.status == "FEASIBLE" and fixed.changes == [] and fixed.rounds == 0


def test_repair_says_infeasible_when_no_plan_keeps_the_rules():
    """Two reps locked into an office of one: no plan can, and repair says so."""
    s = scenario(two_locked_into_one_office())
    fixed = repair(s, plan({"r1": "F:A F:A F:A", "r2": "F:A B B"}), Deadline.after(GUARD))
    assert fixed.status == "INFEASIBLE" and fixed.plan is None


def test_repair_stops_at_once_when_its_deadline_is_stopped():
    """A stop before the first round: no round runs, the answer is UNKNOWN."""
    s, _ = awkward(12, 6, 12, seed=1)
    broken = plan({r.id: " ".join(["-"] * s.periods) for r in s.reps})
    stop = threading.Event()
    stop.set()
    fixed = repair(s, broken, Deadline.after(GUARD, stop))
    assert fixed.status == "UNKNOWN" and fixed.rounds == 0


# -- one deadline ------------------------------------------------------------------------------


def test_the_greedy_stops_at_its_deadline():
    """The greedy reads the deadline once per period: a passed deadline stops it."""
    s, _ = awkward(30, 12, 12, seed=0)
    with pytest.raises(Stopped):
        greedy_plan(s, Deadline.after(0.0))


def test_a_stop_in_the_warm_start_still_lets_it_finish_its_first_plan():
    """The warm start is deaf to a stop for its short grace: a stopped solve still answers
    with a checked plan when one can be made at once."""
    stop = threading.Event()
    stop.set()
    result = solve(load_dataset("crimea"), SolveOptions(time_limit=60, workers=1, stop=stop))
    assert result.plan is not None and result.status == "FEASIBLE"


def test_deadline_children_never_outlive_their_parent():
    """A stage's share of the time ends no later than the solve's deadline."""
    parent = Deadline.after(10.0)
    child = parent.child(0.5)
    assert child.end <= parent.end
    assert parent.child(2.0).end <= parent.end + 1e-6
    assert parent.child(1.0, at_most=1.0).end <= parent.end
    stop = threading.Event()
    stopped = Deadline.after(10.0, stop)
    stop.set()
    assert stopped.child(1.0).expired() and stopped.left() == 0.0
    assert not stopped.grace(5.0).stopped  # a grace hears the stop only after it


def test_an_infeasible_scenario_is_answered_with_its_explanation():
    """INFEASIBLE is an answer: the document carries the status and the explanation."""
    s = scenario(two_locked_into_one_office())
    result = solve(s, SolveOptions(time_limit=30, workers=1))
    assert result.status == "INFEASIBLE"
    document = result.document(s)
    assert document.status == "INFEASIBLE" and document.explanation
    assert document.assignments == ()


def test_repair_frees_the_bonus_level_when_only_another_level_is_feasible():
    """A locked hunter wears a small pool down below the prospect need under a 400 % bonus,
    never under the neutral level: repair, out of people to free, frees the bonus levels.
    (high: won 10, 9 -> pool 81 < 85 in period 2; none: won 3, 3 -> pool 94.)"""
    data = tiny_data()
    data["policy"] = {
        "bonus": {
            "enabled": True,
            "levels": [
                {"name": "none", "per_client": 0, "uplift_pct": 100},
                {"name": "high", "per_client": 0, "uplift_pct": 400},
            ],
        },
        "prospect_supply": {"min_prospects_per_hunter": 85},
    }
    data["locks"] = [{"rep": "r1", "periods": [0, 1, 2], "territory": "A", "role": "hunter"}]
    s = scenario(data)
    broken = plan({"r1": "H:A H:A H:A"}, levels=["high"] * 3)
    assert {v.rule for v in simulate(s, broken).violations} == {"prospect_supply"}
    fixed = repair(s, broken, Deadline.after(GUARD), deterministic_time=ROUND)
    assert fixed.status == "FEASIBLE" and fixed.plan is not None
    assert simulate(s, fixed.plan).feasible
    assert "none" in fixed.plan.bonus_levels
