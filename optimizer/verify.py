"""The last stage of every solve: the simulator's verdict on a plan the solver returned.

A plan leaves ledokol only when the simulator finds it free of violations and scores it as
the model does, to the unit; anything else is a bug of the model, raised, never an answer.
"""

from __future__ import annotations

from optimizer.plan import Plan
from optimizer.scenario import Scenario
from optimizer.simulate import Evaluation, simulate


class SolveBug(AssertionError):
    """The model and the simulator disagree: never returned to a user as an answer."""


def check(s: Scenario, plan: Plan, objective: int) -> Evaluation:
    """The simulator's verdict on a solver plan; any disagreement is a bug, said loudly."""
    evaluation = simulate(s, plan)
    if evaluation.violations:
        listed = "; ".join(str(v) for v in evaluation.violations[:5])
        raise SolveBug(f"the model returned a plan that breaks rules: {listed}")
    if evaluation.score != objective:
        raise SolveBug(
            f"simulator score {evaluation.score} != model objective {objective} "
            f"(difference {objective - evaluation.score})"
        )
    return evaluation
