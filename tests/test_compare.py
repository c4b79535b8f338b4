"""Lever comparison: combinations built from the scenario's policy blocks, ranked by the score
with the goals charged, consistent with solving each combination alone, and explained."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_cli import LEDOKOL

from optimizer.compare import (
    LEVERS,
    Combination,
    CompareOptions,
    charged,
    combination_options,
    compare,
    levers_of,
    recommend,
    variant,
)
from optimizer.datasets import dataset_path, load_dataset
from optimizer.scenario import InvalidInput, load_scenario
from optimizer.simulate import simulate
from optimizer.solve import solve


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


def test_compare_ranks_combinations_as_their_individual_solves_score_them():
    """Side by side on two processes, reproducible solves: each combination's score is the one
    a solve of that combination alone gets, and the ranking follows the scores."""
    s = load_scenario(two_levers())
    # the wall-clock limit is only a guard: deterministic time decides, on a busy machine too
    options = CompareOptions(
        time_limit=400, processes=2, seed=0, strategy="cp-sat", deterministic_time=2.0
    )
    result = compare(s, options)
    assert {c.levers for c in result.ranked} == {
        frozenset(),
        frozenset({"bonus"}),
        frozenset({"hiring"}),
        frozenset({"bonus", "hiring"}),
    }
    for combo in result.ranked:
        v = variant(s, combo.levers, result.compared)
        alone = solve(v, combination_options(result.per_combination_seconds, 0, "cp-sat", 2.0))
        assert alone.plan is not None
        assert simulate(charged(s, v), alone.plan).score == combo.score, combo.label()
    scores = [c.score for c in result.ranked]
    assert None not in scores and scores == sorted(scores, reverse=True)
    by = {c.levers: c.score for c in result.ranked}
    hiring = (
        by[frozenset({"hiring"})]
        - by[frozenset()]
        + by[frozenset({"bonus", "hiring"})]
        - by[frozenset({"bonus"})]
    ) / 2
    assert result.marginal["hiring"] == pytest.approx(hiring)
    assert result.recommendation.startswith(f"Use {result.ranked[0].label()}: score")


def _combo(levers: set[str], score: int | None) -> Combination:
    ev = None if score is None else SimpleNamespace(feasible=True, score=score)
    return Combination(frozenset(levers), "FEASIBLE", None, ev, 1.0)  # type: ignore[arg-type]


def test_recommendation_names_the_best_mix_the_top_lever_and_the_costly_one():
    ranked = [
        _combo({"hiring"}, 1_200),
        _combo({"hiring", "bonus"}, 1_100),
        _combo(set(), 1_000),
        _combo({"bonus"}, 900),
    ]
    text = recommend(ranked, {"hiring": 200.0, "bonus": -100.0}, ("bonus", "hiring"), 800)
    assert text.startswith("Use new hires: score 1,200, +400 against the status quo, +200 against")
    assert "New hires adds the most: +200 on average" in text
    assert "Acquisition bonus costs more than it brings here: -100 on average" in text
    assert "no plan" not in text


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
