"""What every rule module shares: the build context, objective terms and rule guards."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from optimizer.model.variables import Expr, Lit, Variables
from optimizer.scenario import Scenario

GroupKey = tuple[Any, ...]  # (rule, entity, period or None)


@dataclass(frozen=True)
class Term:
    """A named part of the objective; `kpi` is the simulator's KPI it must equal."""

    kpi: str
    expr: Expr
    sign: int  # +1: adds to the score, -1: subtracts


@dataclass
class Guards:
    """Enforcement literals of hard-rule groups.

    In normal mode a rule is unconditional (`[]`). In explain mode each group gets one literal,
    named as a sentence in the planner's words; the solver's sufficient assumptions for
    infeasibility are then a set of such groups.
    """

    model: cp_model.CpModel
    explain: bool
    literals: dict[GroupKey, cp_model.IntVar] = field(default_factory=dict)
    sentences: dict[GroupKey, str] = field(default_factory=dict)

    def __call__(self, key: GroupKey, sentence: str) -> list[cp_model.IntVar]:
        if not self.explain:
            return []
        if key not in self.literals:
            self.literals[key] = self.model.new_bool_var(sentence)
            self.sentences[key] = sentence
        return [self.literals[key]]


@dataclass
class TerritoryVars:
    """One territory's dynamics: each entry an int (constant) or a CP-SAT expression."""

    pool: list[Expr] = field(default_factory=list)  # periods + 1
    acc: list[Expr] = field(default_factory=list)  # periods + 1
    hunters: list[Expr] = field(default_factory=list)  # head count
    workers: list[Expr] = field(default_factory=list)  # hunters + farmers, by head
    counted_farmers: list[Expr] = field(default_factory=list)  # farmer term > 0
    won: list[Expr] = field(default_factory=list)
    served: list[Expr] = field(default_factory=list)


@dataclass
class Build:
    """The shared model object each rule module adds to."""

    model: cp_model.CpModel
    scenario: Scenario
    vars: Variables
    guards: Guards
    territories: dict[str, TerritoryVars] = field(default_factory=dict)
    won_total: list[Expr] = field(default_factory=list)  # per period
    # period -> level name -> won parts attributable to that level (bonus cost is linear in them)
    won_by_level: dict[int, dict[str, list[Expr]]] = field(default_factory=dict)
    revenue_total: Expr = 0
    ramp_parts: dict[tuple[str, int, int], list[tuple[int, Lit]]] = field(default_factory=dict)

    def int_var(self, low: int, high: int, name: str) -> cp_model.IntVar:
        return self.model.new_int_var(low, max(low, high), name)
