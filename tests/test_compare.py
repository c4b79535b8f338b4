"""Lever comparison: combinations built from the scenario's policy blocks, ranked by the score
with the goals charged, consistent with solving each combination alone, and explained."""

from __future__ import annotations

import itertools
import json
import subprocess
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_cli import LEDOKOL

from optimizer.awkward import awkward
from optimizer.compare import (
    LEVERS,
    Combination,
    CompareOptions,
    charged,
    combination_options,
    compare,
    levers_of,
    narrows,
    recommend,
    variant,
)
from optimizer.datasets import dataset_path, load_dataset
from optimizer.result import relative_gap_pct
from optimizer.scenario import InvalidInput, load_scenario
from optimizer.simulate import simulate
from optimizer.solve import SolveOptions, solve


def two_levers() -> dict:
    """long_cycle_equipment (hiring) with an acquisition bonus: four combinations."""
    data = json.loads(dataset_path("long_cycle_equipment").read_text())
    data["policy"]["bonus"] = {
        "enabled": True,
        "levels": [
            {"name": "none", "per_client": 0, "uplift_pct": 100},
            {"name": "high", "per_client": 20000, "uplift_pct": 150},
        ],
    }
    return data


def test_levers_are_the_scenarios_policy_blocks_switched_on_and_off():
    s = load_dataset("crimea")
    assert levers_of(s) == LEVERS
    v = variant(s, {"bonus"}, LEVERS)
    assert v.policy.active_rotation is None
    assert not v.policy.specialization_on and not v.policy.hiring_on
    assert v.policy.bonus_on and v.policy.targets is None
    assert v.policy.veterans == s.policy.veterans  # not a lever: kept
    assert charged(s, v).policy.targets == s.policy.targets  # the goals are always charged
    kept = variant(s, set(), ("bonus",))
    assert not kept.policy.bonus_on
    assert kept.policy.active_rotation == s.policy.active_rotation  # not compared: kept
    assert levers_of(load_dataset("saturated_bonus")) == ("bonus",)


def test_unknown_or_undefined_levers_are_rejected_by_name():
    s = load_dataset("saturated_bonus")
    with pytest.raises(InvalidInput, match="levers: unknown lever 'bonuses'"):
        compare(s, CompareOptions(levers=("bonuses",)))
    with pytest.raises(InvalidInput, match="levers: 'hiring' is not defined"):
        compare(s, CompareOptions(levers=("hiring",)))


def test_compare_is_reproducible_and_each_combination_keeps_its_rules_and_a_true_bound():
    """Reproducible solves: side by side on two processes and in process, the same comparison.
    Each combination's plan keeps its own rules, scores (goals charged) what the comparison
    says, at least what a solve of that combination alone scores, and below its bound."""
    s = load_scenario(two_levers())
    # the wall-clock limit is only a guard: deterministic time decides, on a busy machine too
    options = CompareOptions(
        time_limit=400, processes=2, seed=0, strategy="cp-sat", deterministic_time=2.0
    )
    result = compare(s, options)
    again = compare(s, replace(options, processes=1))
    assert [c.as_dict() | {"seconds": 0} for c in result.ranked] == [
        c.as_dict() | {"seconds": 0} for c in again.ranked
    ]
    assert result.recommendation == again.recommendation
    assert {c.levers for c in result.ranked} == {
        frozenset(),
        frozenset({"bonus"}),
        frozenset({"hiring"}),
        frozenset({"bonus", "hiring"}),
    }
    for combo in result.ranked:
        v = variant(s, combo.levers, result.compared)
        assert combo.plan is not None and simulate(v, combo.plan).feasible, combo.label()
        assert simulate(charged(s, v), combo.plan).score == combo.score
        alone = solve(v, combination_options(result.per_combination_seconds, 0, "cp-sat", 2.0))
        assert alone.plan is not None
        assert combo.score >= simulate(charged(s, v), alone.plan).score, combo.label()
        assert combo.bound is not None and combo.bound >= combo.score
        assert combo.runs >= 1
    scores = [c.score for c in result.ranked]
    assert None not in scores and scores == sorted(scores, reverse=True)
    by = {c.levers: c.score for c in result.ranked}
    # bonus and hiring only widen the choice: each plan of a narrower mix is one of a wider's
    assert by[frozenset({"bonus", "hiring"})] >= max(by.values())
    hiring = (
        by[frozenset({"hiring"})]
        - by[frozenset()]
        + by[frozenset({"bonus", "hiring"})]
        - by[frozenset({"bonus"})]
    ) / 2
    assert result.marginal["hiring"] == pytest.approx(hiring)
    leader = result.ranked[0]
    for rival in result.rivals:  # not told apart: its bound reaches the leader's score
        assert rival.bound is None or rival.bound > leader.score
    if result.proven:
        assert result.recommendation.startswith(f"Use {leader.label()}: score")
    else:
        assert result.recommendation.startswith(f"Best plan found: {leader.label()}")


def test_narrows_is_the_direction_each_lever_widens_the_choice_in():
    """Rotation and the split add rules; the bonus (with the neutral level on its menu) and
    hiring add choices; planning to the goals changes only how plans are judged."""
    f = frozenset
    assert narrows(f({"rotation", "split"}), f(), True)
    assert narrows(f(), f({"bonus", "hiring"}), True)
    assert not narrows(f(), f({"bonus"}), False)  # no neutral level: bonus on forces one
    assert not narrows(f(), f({"rotation"}), True)
    assert not narrows(f({"hiring"}), f(), True)
    assert narrows(f({"targets", "rotation"}), f(), True)
    assert narrows(f(), f({"targets"}), True)


def test_narrower_combinations_never_have_better_optima():
    """The structure the comparison leans on, checked against proven optima: on a small
    scenario with every lever, each combination's optimum is at most the optimum (judged by
    the goals) of every combination it narrows, so a narrower one's bound may be the wider's."""
    data = two_levers()
    data["policy"]["rotation"] = {"hunter_stint_min": 1, "hunter_stint_max": 2}
    data["policy"]["specialization"] = {"enabled": True}
    data["horizon"]["periods"] = 4
    s = load_scenario(data)
    compared = levers_of(s)
    assert set(compared) >= {"rotation", "split", "bonus", "hiring"}
    optimum = {}
    for k in range(len(compared) + 1):
        for on in itertools.combinations(compared, k):
            v = variant(s, on, compared)
            result = solve(v, SolveOptions(time_limit=120, workers=1, seed=0, strategy="cp-sat"))
            assert result.status == "OPTIMAL", (on, result.summary())
            optimum[frozenset(on)] = simulate(charged(s, v), result.plan).score, result.best_bound
    for on, (score, _) in optimum.items():
        for wider, (_, bound) in optimum.items():
            if narrows(on, wider, True):
                assert score <= bound, (sorted(on), sorted(wider))


def _combo(levers: set[str], score: int | None, bound: int | None = None) -> Combination:
    ev = None if score is None else SimpleNamespace(feasible=True, score=score)
    gap = None if score is None or bound is None else relative_gap_pct(score, bound)
    return Combination(
        frozenset(levers),
        "FEASIBLE",
        None,
        ev,  # type: ignore[arg-type]
        1.0,
        gap_pct=gap,
        bound=bound,
    )


def test_recommendation_names_the_best_mix_the_top_lever_and_the_costly_one():
    ranked = [
        _combo({"hiring"}, 1_200, 1_250),
        _combo({"hiring", "bonus"}, 1_100, 1_190),
        _combo(set(), 1_000, 1_100),
        _combo({"bonus"}, 900, 1_000),
    ]
    text = recommend(ranked, {"hiring": 200.0, "bonus": -100.0}, ("bonus", "hiring"), 800)
    assert text.startswith("Use new hires: score 1,200, +400 against the status quo, +200 against")
    assert "proven the best of the 4 combinations" in text
    assert "New hires adds the most: +200 on average" in text
    assert "Acquisition bonus costs more than it brings here: -100 on average" in text
    assert "no plan" not in text
    assert "9.1 % at the median, 4.2-11.1 %" in text  # each plan's gap to its bound


def test_recommendation_names_what_it_cannot_separate_and_by_how_much():
    ranked = [
        _combo({"hiring"}, 1_200, 1_250),
        _combo({"hiring", "bonus"}, 1_180, 1_260),
        _combo(set(), 1_000, 1_100),
    ]
    text = recommend(ranked, {}, ("bonus", "hiring"), 800)
    assert text.startswith("Best plan found: new hires, score 1,200")
    assert "Use " not in text
    assert "1 other combination(s) could still beat it" in text
    assert "acquisition bonus + new hires (its plan -1.7 %, up to +5.0 % on the leader)" in text


def test_cli_compare_prints_the_ranked_table_and_writes_json_and_report(tmp_path: Path):
    path = tmp_path / "two.json"
    path.write_text(json.dumps(two_levers()))
    done = subprocess.run(
        [
            LEDOKOL,
            "compare",
            str(path),
            "--time-limit",
            "8",
            "--processes",
            "2",
            "--out",
            str(tmp_path / "c.json"),
            "--html",
            str(tmp_path / "r.html"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Levers compared on" in done.stdout
    assert "Use " in done.stdout and "[4/4]" in done.stderr
    saved = json.loads((tmp_path / "c.json").read_text())
    assert len(saved["ranked"]) == 4 and saved["levers"] == ["bonus", "hiring"]
    page = (tmp_path / "r.html").read_text()
    assert "id='levers'" in page and "id='recommendation'" in page


@pytest.mark.parametrize("seed", [0, 3])
def test_compare_on_awkward_scenarios_keeps_every_rule_and_a_true_bound(seed):
    """Awkward scenarios (baselines, locks on positions, leave, one trainer seat): each
    combination's plan keeps its own rules and scores what the comparison says, below its
    bound; a combination that dominates another scores at least that one's best plan (the
    plans are pooled); a lever the scenario's locks need is reported, not crashed on."""
    s, _ = awkward(6, 4, 5, seed)
    result = compare(
        s,
        CompareOptions(
            time_limit=600, processes=1, seed=0, strategy="cp-sat", deterministic_time=0.5
        ),
    )
    compared = result.compared
    by = {c.levers: c for c in result.ranked}
    assert len(by) == 2 ** len(compared)
    for combo in result.ranked:
        if combo.error is not None:
            assert combo.status == "INVALID" and combo.plan is None
            continue
        v = variant(s, combo.levers, compared)
        assert combo.plan is not None, combo.label()
        assert simulate(v, combo.plan).violations == (), combo.label()
        assert simulate(charged(s, v), combo.plan).score == combo.score
        assert combo.bound is not None and combo.bound >= combo.score
    neutral = s.policy.bonus is not None and s.neutral_level in s.policy.bonus.levels
    for wide in by.values():
        judged = "targets" in wide.levers or "targets" not in compared
        if wide.score is None or not judged:
            continue
        for narrow in by.values():
            if narrow.score is not None and narrows(narrow.levers, wide.levers, neutral):
                assert wide.score >= narrow.score, (narrow.label(), wide.label())
                assert narrow.bound <= wide.bound
