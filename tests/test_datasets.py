"""The shipped datasets and the generator: valid, evaluable, and telling their stories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.datasets import DATASETS_DIR, dataset_names, load_dataset
from optimizer.generate import generate_data
from optimizer.scenario import load_scenario
from optimizer.simulate import simulate
from optimizer.status_quo import status_quo_plan

LEVER_DATASETS = {
    "rotation_distributor",
    "long_cycle_equipment",
    "saturated_bonus",
    "hunter_farmer_split",
    "unrealistic_goals",
    "uncertain_bonus",
}


def test_every_lever_has_its_dataset():
    """The flagship and one dataset per lever are shipped, each told in the README."""
    assert set(dataset_names()) == {"crimea"} | LEVER_DATASETS
    readme = (DATASETS_DIR / "README.md").read_text()
    for name in dataset_names():
        assert f"`{name}.json`" in readme


@pytest.mark.parametrize("name", sorted({"crimea"} | LEVER_DATASETS))
def test_dataset_validates_and_evaluates(name):
    """Each dataset validates and its status quo is scored."""
    s = load_dataset(name)
    ev = simulate(s, status_quo_plan(s))
    assert len(ev.territory_periods) == len(s.territories) * s.periods
    # the status quo changes nothing: no hires, nobody trains, the books start as the file says
    assert ev.kpis.hires == 0
    first = {r.territory: r for r in ev.territory_periods if r.period == 0}
    assert {t.id: (first[t.id].accounts, first[t.id].pool) for t in s.territories} == {
        t.id: (t.accounts, t.prospects) for t in s.territories
    }
    assert ev.kpis.salaries == sum(
        r.salary * sum(s.employed(r, p) for p in range(s.periods)) for r in s.reps
    )


def test_files_match_their_builder():
    """The JSON files are exactly what datasets/build_datasets.py writes."""
    sys.path.insert(0, str(DATASETS_DIR))
    import build_datasets

    for name, build in build_datasets.DATASETS.items():
        on_disk = (DATASETS_DIR / f"{name}.json").read_text(encoding="utf-8")
        assert on_disk == build_datasets.render(build()), f"{name}.json is stale"
    for name in build_datasets.REGIONS:
        on_disk = (DATASETS_DIR / "regions" / f"{name}.json").read_text(encoding="utf-8")
        assert on_disk == build_datasets.render(build_datasets.region_data(name)), name
        load_scenario(DATASETS_DIR / "regions" / f"{name}.json")


def test_crimea_is_the_founding_story():
    """12-16 reps, veterans and recent hires, short and long cycle, every lever on."""
    s = load_dataset("crimea")
    assert 12 <= len(s.reps) <= 16
    assert {"Simferopol", "Sevastopol", "Kerch", "Yalta", "Yevpatoria", "Feodosia"} <= {
        t.name for t in s.territories
    }
    assert s.territory_by_id["SIM"].lat == pytest.approx(44.95, abs=0.01)
    assert any(s.is_protected_veteran(r) for r in s.reps)
    assert any(r.productivity_pct for r in s.reps)  # recent hires still ramping up
    assert {t.long_cycle for t in s.territories} == {True, False}
    p = s.policy
    assert p.active_rotation is not None
    assert p.specialization_on and p.bonus_on and p.hiring_on
    assert p.targets is not None and p.targets.goal_new_clients is not None
    assert s.positions


def test_market_size_follows_population():
    """Bigger Crimean towns have more accounts."""
    s = load_dataset("crimea")
    by_id = s.territory_by_id
    assert by_id["SIM"].accounts > by_id["KER"].accounts > by_id["BIL"].accounts


def test_generator_is_deterministic_and_seeded():
    """Same arguments, same scenario; another seed, another one."""
    a = generate_data(30, 12, 12, seed=5)
    assert a == generate_data(30, 12, 12, seed=5)
    assert a != generate_data(30, 12, 12, seed=6)


def test_generated_towns_are_real_and_distinct():
    """Territories sit on distinct real coordinates within a plausible region."""
    s = load_scenario(generate_data(60, 40, 12, seed=2))
    coords = {(t.lat, t.lon) for t in s.territories}
    assert len(coords) == 40
    assert len({t.id for t in s.territories}) == 40


def test_cli_generate_400_by_120_validates(tmp_path: Path):
    """`ledokol generate --reps 400 --territories 120 --periods 12 --seed 1` validates."""
    out = tmp_path / "l.json"
    cli = Path(sys.executable).parent / "ledokol"
    args = ["--reps", "400", "--territories", "120", "--periods", "12", "--seed", "1"]
    subprocess.run([cli, "generate", *args, "--out", out], check=True, capture_output=True)
    done = subprocess.run([cli, "validate", out], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    s = load_scenario(json.loads(out.read_text()))
    assert (len(s.reps), len(s.territories), s.periods) == (400, 120, 12)
