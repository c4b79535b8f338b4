"""The Lagrangian split (`optimizer/search/lagrange.py`): a true bound, tighter than the LP."""

from __future__ import annotations

import pytest

from optimizer.awkward import awkward
from optimizer.deadline import Deadline
from optimizer.generate import generate
from optimizer.model.builder import build_model
from optimizer.search.bound import lp_bound
from optimizer.search.cpsat import cpsat_solve
from optimizer.search.lagrange import Split, lagrange_bound
from optimizer.simulate import simulate
from optimizer.solve import SolveOptions


def test_the_split_keeps_people_and_territories_whole():
    """Every constraint lands in a block; a territory's dynamics stay in one block."""
    s = generate(10, 6, 12, 1, name="bench-S")
    built = build_model(s)
    split = Split(built)
    held = set()
    for block in split.blocks:
        held.update(block.rows)
    assert held == set(range(len(split.proto.constraints)))
    for t, tv in built.build.territories.items():
        own = {x.Index() for x in [*tv.acc[1:], *tv.pool[1:]] if hasattr(x, "Index")}
        homes = [j for j, block in enumerate(split.blocks) if own & set(block.copies)]
        assert len(homes) == 1, t
    placed = sum(len(block.cost) for block in split.blocks)
    assert placed == len(set(split.proto.objective.vars))


def test_the_split_bound_at_the_lp_multipliers_is_near_the_s_optimum():
    """On S the bound at the split LP's multipliers is within 1 % of the proven optimum
    (measured 0.28 %) and below the model's LP bound."""
    s = generate(10, 6, 12, 1, name="bench-S")
    options = SolveOptions(workers=1, seed=0, deterministic_time=2.0, lp_bound=False)
    proved = cpsat_solve(s, options, Deadline.after(600), None, proof=True)
    assert proved.status == "OPTIMAL" and proved.score is not None
    built = build_model(s)
    result = lagrange_bound(
        built,
        proved.score,
        Deadline.after(600),
        iterations=1,
        block_seconds=1.0,
        deterministic=True,
    )
    assert result.bound is not None
    assert proved.score <= result.bound <= proved.score * 1.01
    lp = lp_bound(built.model)
    assert lp.bound is not None and result.bound < lp.bound


@pytest.mark.parametrize("seed", range(4))
def test_the_split_bound_stays_above_a_known_plan(seed):
    """The awkward family (locks, leave, tight offices, positions): never below the witness."""
    s, witness = awkward(8, 5, 6, seed=seed)
    score = simulate(s, witness).score
    result = lagrange_bound(
        build_model(s), score, Deadline.after(600), iterations=3, deterministic=True
    )
    assert not result.infeasible
    assert result.bound is not None and result.bound >= score
