"""Builds the CP-SAT model of a scenario: variables, then every rule family in order, then
the objective. `explain=True` builds the variant whose rules are guarded by assumption
literals (see `optimizer.explain`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from optimizer.deadline import Deadline
from optimizer.domains import Domains, build_domains
from optimizer.model import objective
from optimizer.model.core import Build, Guards, Term
from optimizer.model.rules import (
    bonus,
    costs,
    coverage,
    dynamics,
    goals,
    hiring,
    locks,
    placement,
    prospect_supply,
    replanning,
    rotation,
    specialization,
    states,
    training,
    veterans,
)
from optimizer.model.variables import Expr, create_variables
from optimizer.scenario import Scenario

log = logging.getLogger(__name__)

RuleModule = Callable[[Build], list[Term]]

# Order matters only where a rule reads what another made: levels before the dynamics, the
# dynamics before everything that reads pools, accounts, won or counted farmers.
RULES: tuple[RuleModule, ...] = (
    states.add,
    placement.add,
    veterans.add,
    locks.add,
    hiring.add,
    training.add,
    bonus.add_levels,
    dynamics.add,
    bonus.add,
    coverage.add,
    prospect_supply.add,
    rotation.add,
    rotation.add_handover,
    specialization.add,
    costs.add,
    goals.add,
    replanning.add,
)


@dataclass
class Built:
    """A built model with what a solve needs to read it back."""

    build: Build
    domains: Domains
    terms: list[Term]
    score: Expr
    # rule module name (e.g. "dynamics") -> the indices of the constraints it added
    sections: dict[str, range] = field(default_factory=dict)

    @property
    def model(self) -> cp_model.CpModel:
        return self.build.model

    def size(self) -> dict[str, int]:
        proto = self.model.proto
        booleans = sum(1 for var in proto.variables if list(var.domain) == [0, 1])
        return {
            "variables": len(proto.variables),
            "booleans": booleans,
            "constraints": len(proto.constraints),
        }


def build_model(
    s: Scenario,
    explain: bool = False,
    with_objective: bool = True,
    domains: Domains | None = None,
    deadline: Deadline | None = None,
) -> Built:
    """The exact model of spec sections 3-4 for one scenario; `domains` narrower than the
    scenario's own give the same model with the cells outside them fixed (a sub-model).
    With a deadline, raises `Stopped` between rule families once it has passed (a large
    model takes seconds to build)."""
    model = cp_model.CpModel()
    model.name = s.name
    if domains is None:
        domains = build_domains(s, explain=explain)
    variables = create_variables(model, s, domains)
    build = Build(model=model, scenario=s, vars=variables, guards=Guards(model, explain))
    terms: list[Term] = []
    sections: dict[str, range] = {}
    for rule in RULES:
        if deadline is not None:
            deadline.check()
        first = len(model.proto.constraints)
        terms.extend(rule(build))
        name = f"{rule.__module__.rsplit('.', 1)[-1]}.{rule.__name__}"
        sections[name] = range(first, len(model.proto.constraints))
    score = objective.score_expr(terms)
    if with_objective:
        objective.set_objective(model, terms)
    built = Built(build=build, domains=domains, terms=terms, score=score, sections=sections)
    if log.isEnabledFor(logging.INFO):  # counting the variables costs a sub-model 10 ms
        log.info("model %s: %s", s.name, built.size())
    return built
