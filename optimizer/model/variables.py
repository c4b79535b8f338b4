"""The decision variables of the CP-SAT model, created only where they can be true.

A literal (`Lit`) is a CP-SAT Boolean variable or the constant 0 or 1: a cell with a single
option is the constant 1, a cell that cannot happen is 0, and the helpers fold constants away
instead of creating variables for them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import Literal as CpLiteral

from optimizer.domains import Domains
from optimizer.plan import Cell
from optimizer.scenario import Person, Scenario

Lit = CpLiteral | int  # a Boolean variable, its negation, or the constant 0 / 1
Expr = cp_model.LinearExpr | int  # what the rules build: numpy integers never enter


def total(items: Iterable[Expr]) -> Expr:
    """A flat sum. CP-SAT expressions built by repeated `+` nest as deep as the sum is long, and
    on large models a deep expression overflows the C++ stack: every long sum goes through here.
    """
    const = 0
    exprs = []
    for x in items:
        if isinstance(x, int):
            const += x
        else:
            exprs.append(x)
    if not exprs:
        return const
    flat = cp_model.LinearExpr.sum(exprs)
    return flat + const if const else flat


def is_const(lit: Lit) -> bool:
    return isinstance(lit, int)


def negate(lit: Lit) -> Lit:
    return 1 - lit if isinstance(lit, int) else lit.Not()


@dataclass
class Variables:
    """Cells, position starts and bonus levels, with the lookups every rule module needs."""

    model: cp_model.CpModel
    scenario: Scenario
    domains: Domains
    cells: dict[tuple[str, int], dict[Cell, Lit]] = field(default_factory=dict)
    start: dict[str, dict[int, cp_model.IntVar]] = field(default_factory=dict)
    level: dict[int, dict[str, Lit]] = field(default_factory=dict)
    # (territory, period) -> [(person, literal)] of the people who may hunt / farm it then
    hunters: dict[tuple[str, int], list[tuple[Person, Lit]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    farmers: dict[tuple[str, int], list[tuple[Person, Lit]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    _and_cache: dict[tuple[int, ...], Lit] = field(default_factory=dict)

    def lit(self, person: str, period: int, cell: Cell) -> Lit:
        """The literal of one cell; 0 where the cell cannot happen."""
        return self.cells.get((person, period), {}).get(cell, 0)

    def options(self, person: str, period: int) -> dict[Cell, Lit]:
        return self.cells.get((person, period), {})

    def filled(self, person: Person, period: int) -> Expr:
        """1 when the person is employed in the plan at `period` (reps: by the facts)."""
        if not person.is_position:
            return 1 if self.cells.get((person.id, period)) else 0
        return sum(v for s, v in self.start.get(person.id, {}).items() if s <= period)

    def started_at(self, person: Person, start: int) -> Lit:
        return self.start.get(person.id, {}).get(start, 0)

    def new_bool(self, name: str) -> cp_model.IntVar:
        return self.model.new_bool_var(name)

    def and_(self, lits: Iterable[Lit], name: str) -> Lit:
        """A literal equal to the conjunction (exact in both directions), constants folded."""
        rest: list[CpLiteral] = []
        for lit in lits:
            if isinstance(lit, int):
                if lit == 0:
                    return 0
                continue
            rest.append(lit)
        if not rest:
            return 1
        if len(rest) == 1:
            return rest[0]
        key = tuple(sorted(_index(x) for x in rest))
        if key in self._and_cache:
            return self._and_cache[key]
        y = self.new_bool(name)
        for x in rest:
            self.model.add_implication(y, x)
        self.model.add_bool_or([negate(x) for x in rest] + [y])
        self._and_cache[key] = y
        return y


def _index(lit: CpLiteral) -> int:
    return lit.Index()


def create_variables(model: cp_model.CpModel, s: Scenario, domains: Domains) -> Variables:
    """Cell literals for every person and period, start literals for positions, bonus levels."""
    v = Variables(model=model, scenario=s, domains=domains)
    for person in s.persons:
        if person.is_position:
            _position_cells(v, person)
        else:
            _rep_cells(v, person)
    for p in range(s.periods):
        menu = s.bonus_menu
        if len(menu) == 1:
            v.level[p] = {menu[0].name: 1}
        else:
            v.level[p] = {level.name: v.new_bool(f"bonus[{p},{level.name}]") for level in menu}
    return v


def _rep_cells(v: Variables, person: Person) -> None:
    for p in range(v.scenario.periods):
        options = v.domains.of(person.id, p)
        if options and options[0].role == "off":
            continue  # not available: off by the facts, nothing to decide
        if len(options) == 1:
            lits: dict[Cell, Lit] = {options[0]: 1}
        else:
            lits = {c: v.new_bool(_name(person.id, p, c)) for c in options}
        v.cells[(person.id, p)] = lits
        _index_cells(v, person, p, lits)


def _position_cells(v: Variables, person: Person) -> None:
    s = v.scenario
    assert s.hiring is not None
    v.start[person.id] = {
        start: v.new_bool(f"start[{person.id},{start}]")
        for start in range(s.hiring.earliest_period, s.periods)
    }
    for p in range(s.periods):
        options = v.domains.of(person.id, p)
        if not options:
            continue
        lits: dict[Cell, Lit] = {c: v.new_bool(_name(person.id, p, c)) for c in options}
        v.cells[(person.id, p)] = lits
        _index_cells(v, person, p, lits)


def _index_cells(v: Variables, person: Person, p: int, lits: dict[Cell, Lit]) -> None:
    for cell, lit in lits.items():
        if cell.role == "hunter":
            assert cell.territory is not None
            v.hunters[(cell.territory, p)].append((person, lit))
        elif cell.role == "farmer":
            assert cell.territory is not None
            v.farmers[(cell.territory, p)].append((person, lit))


def _name(person: str, period: int, cell: Cell) -> str:
    if cell.working:
        return f"assign[{person},{period},{cell.territory},{cell.role}]"
    return f"assign[{person},{period},{cell.role}]"
