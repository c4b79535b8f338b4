"""The objective, in one place: the score of section 4 as a sum of named terms."""

from __future__ import annotations

from ortools.sat.python import cp_model

from optimizer.model.core import Term
from optimizer.model.variables import Expr, total


def score_expr(terms: list[Term]) -> Expr:
    return total(t.sign * t.expr for t in terms)


def set_objective(model: cp_model.CpModel, terms: list[Term]) -> Expr:
    """Maximize the score; returns the expression so answers can be recomputed exactly."""
    expr = score_expr(terms)
    model.maximize(expr)
    return expr
