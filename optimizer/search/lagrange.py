"""A Lagrangian bound that keeps people and territories integral: the exact model cut in blocks.

The exact model (its CP-SAT proto) is split at the variables that tie its parts together: the
working cells (a person's cell is read by the person's rules and by the territory's dynamics),
the positions' start literals, the bonus levels and what the company goals read (won and served
of every territory). The rest falls into connected blocks: one per territory (its dynamics,
floors, office, supply, hand-over), one per person (or per group of people a shared rule
binds, such as trainer capacity), the goals, the bonus menu. Each block gets its own copy of
every tying variable it reads, and the copies' equality is dualized:

    L(lam) = sum over blocks b of  max { c_b . y_b + sum_v lam[v, b] * v_b : y_b in block b }

with `sum_b lam[v, b] = 0` for every tied variable v. Each block is solved by CP-SAT exactly
(people and staffing stay integral: a territory is served by whole farmers), and each block
contributes its proven upper bound, so `L(lam)` bounds the best score for every `lam`, however
far the blocks' solves got. The multipliers follow a subgradient step towards a target (the
best known plan's score), keeping the lowest `L` found. A constraint whose variables all have a
copy in a block is also given to that block (the bonus menu's exactly-one to every territory,
a floor to its territory): it holds in every plan, so the bound stays true and gets tighter.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import Literal as CpLiteral
from ortools.util.python import sorted_interval_list

from optimizer.deadline import Deadline
from optimizer.model.builder import Built
from optimizer.search.bound import snapshot

log = logging.getLogger(__name__)

KINDS = ("linear", "bool_and", "bool_or", "exactly_one", "at_most_one", "lin_max")
GOAL_TARGETS = ("shortfall_new_clients", "shortfall_revenue")


@dataclass
class Block:
    """One part of the split model, as its own CP-SAT model over copies of its variables."""

    name: str
    model: cp_model.CpModel
    copies: dict[int, cp_model.IntVar]  # original variable index -> this block's variable
    cost: dict[int, int]  # the original objective's coefficients (of minimize) on this block
    rows: list[int] = field(default_factory=list)  # the original constraints it holds
    hint: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LagrangeResult:
    bound: int | None  # the lowest L(lam) proven, None when no block round finished
    iterations: int
    seconds: float
    blocks: int
    history: list[int]  # L at each round of block solves
    infeasible: bool = False  # a block has no solution, so the scenario has no plan


class Infeasible(Exception):
    """A block has no solution: neither has the whole model."""


def _var(ref: int) -> int:
    return ref if ref >= 0 else -ref - 1


def _refs(ct: cp_model_pb2.ConstraintProto) -> list[int]:
    kind = ct.WhichOneof("constraint")
    refs = list(ct.enforcement_literal)
    if kind == "linear":
        refs += ct.linear.vars
    elif kind in ("bool_and", "bool_or", "exactly_one", "at_most_one"):
        refs += getattr(ct, kind).literals
    elif kind == "lin_max":
        refs += ct.lin_max.target.vars
        for e in ct.lin_max.exprs:
            refs += e.vars
    else:
        raise ValueError(f"constraint kind {kind} is not split (only {', '.join(KINDS)})")
    return [_var(r) for r in refs]


TERRITORY_SECTIONS = (
    "dynamics.add",
    "bonus.add",
    "coverage.add",
    "prospect_supply.add",
    "rotation.add_handover",
)
LEVEL_SECTIONS = ("bonus.add_levels",)
GOAL_SECTIONS = ("goals.add",)


def _territory_tags(built: Built) -> tuple[set[int], dict[int, str], dict[str, int]]:
    """The variables a territory's rules read but do not own (working cells, position starts,
    bonus levels), each cell's territory, and one variable of each territory's own."""
    v = built.build.vars
    borrowed: set[int] = set()
    where: dict[int, str] = {}
    for cells in v.cells.values():
        for cell, lit in cells.items():
            if cell.working and not isinstance(lit, int):
                borrowed.add(lit.Index())
                where[lit.Index()] = str(cell.territory)
    for starts in v.start.values():
        borrowed.update(lit.Index() for lit in starts.values())
    for levels in v.level.values():
        borrowed.update(lit.Index() for lit in levels.values() if not isinstance(lit, int))
    anchor: dict[str, int] = {}
    for t, tv in built.build.territories.items():
        for x in [*tv.acc, *tv.pool, *tv.won, *tv.served]:
            if isinstance(x, cp_model.IntVar):
                anchor[t] = x.Index()
                break
    return borrowed, where, anchor


class _Union:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


class Split:
    """The exact model of `built` cut into blocks (see the module's docstring)."""

    def __init__(self, built: Built) -> None:
        proto = cp_model_pb2.CpModelProto.FromString(snapshot(built.model))
        self.proto = proto
        obj = proto.objective
        # a constant score: CP-SAT may store it with any scaling
        self.constant = None if obj.vars else math.floor((obj.scaling_factor or 1.0) * obj.offset)
        if obj.vars and obj.scaling_factor != -1:
            raise ValueError("the split expects a maximization (CP-SAT's scaling factor -1)")
        refs = [_refs(ct) for ct in proto.constraints]
        side = ["person"] * len(refs)
        for section, rows in built.sections.items():
            kind = (
                "territory"
                if section in TERRITORY_SECTIONS
                else "levels"
                if section in LEVEL_SECTIONS
                else "goals"
                if section in GOAL_SECTIONS
                else "person"
            )
            for i in rows:
                side[i] = kind
        borrowed, where, anchor = _territory_tags(built)
        territory_vars = {x for i, vs in enumerate(refs) if side[i] == "territory" for x in vs}
        territory_vars -= borrowed

        def cut(i: int, x: int) -> bool:
            """A variable constraint i reads from another block: a territory reads people's
            cells and the levels; the goals read the territories."""
            if side[i] == "territory":
                return x in borrowed
            if side[i] == "goals":
                return x in territory_vars or x in borrowed
            return False

        union = _Union()
        for i, vars_ in enumerate(refs):
            free = [x for x in vars_ if not cut(i, x)]
            for x in free[1:]:
                union.union(free[0], x)
        # a constraint goes to the block of its own variables; a territory's rule that reads
        # only borrowed ones (a floor, the office) to that territory's block
        groups: dict[object, list[int]] = defaultdict(list)
        owner_of: list[object] = []  # constraint -> its block's key
        for i, vars_ in enumerate(refs):
            free = [x for x in vars_ if not cut(i, x)]
            key: object
            if free:
                key = union.find(free[0])
            else:
                towns = {where.get(x) for x in vars_}
                town = towns.pop() if len(towns) == 1 else None
                if town is not None and town in anchor:
                    key = union.find(anchor[town])
                else:
                    key = (side[i], town if town is not None else i)
            groups[key].append(i)
            owner_of.append(key)
        members: dict[object, set[int]] = {}
        for key, cts in groups.items():
            vs: set[int] = set()
            for i in cts:
                vs.update(refs[i])
            members[key] = vs
        # a constraint over tied variables only also goes to every block that has them all
        holders: dict[int, list[object]] = defaultdict(list)
        for key, vs in members.items():
            for x in vs:
                holders[x].append(key)
        extra: dict[object, list[int]] = defaultdict(list)
        for i, vars_ in enumerate(refs):
            if not vars_ or any(len(holders[x]) < 2 for x in vars_):
                continue
            common = set(holders[vars_[0]])
            for x in vars_[1:]:
                common &= set(holders[x])
            common.discard(owner_of[i])
            for key in common:
                extra[key].append(i)
        # objective coefficients go to the block that owns the variable (its union's), else to
        # the first that holds it; a variable in no constraint gets a block of its own
        cost_of: dict[int, int] = defaultdict(int)
        for x, c in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
            cost_of[x] += c
        self.offset = proto.objective.offset
        placed: set[int] = set()
        keys = sorted(members, key=str)
        home = {x: union.find(x) for x in cost_of if union.find(x) in members}
        self.blocks: list[Block] = []
        for key in keys:
            cts = groups[key] + extra[key]
            vs = members[key]
            cost = {}
            for x in vs:
                if x in cost_of and x not in placed and home.get(x, key) == key:
                    cost[x] = cost_of[x]
                    placed.add(x)
            self.blocks.append(self._block(str(key), sorted(vs), cts, cost))
        for x in [x for x in cost_of if x not in placed and x in holders]:
            j = keys.index(holders[x][0])
            self.blocks[j].cost[x] = cost_of[x]
            placed.add(x)
        for x, c in cost_of.items():
            if x not in placed:
                self.blocks.append(self._block(f"objective {x}", [x], [], {x: c}))
        # the tied variables held by two blocks or more carry multipliers
        shared: dict[int, list[int]] = defaultdict(list)
        for j, block in enumerate(self.blocks):
            for x in block.copies:
                shared[x].append(j)
        self.shared = {x: js for x, js in shared.items() if len(js) > 1}

    def _block(self, name: str, vs: list[int], cts: list[int], cost: dict[int, int]) -> Block:
        model = cp_model.CpModel()
        copies = {}
        for x in vs:
            var = self.proto.variables[x]
            domain = sorted_interval_list.Domain.from_flat_intervals(list(var.domain))
            copies[x] = model.new_int_var_from_domain(domain, var.name)

        def lit(ref: int) -> CpLiteral:
            return copies[ref] if ref >= 0 else copies[-ref - 1].Not()

        def expr(vars_: list[int], coeffs: list[int], offset: int = 0) -> cp_model.LinearExprT:
            return cp_model.LinearExpr.weighted_sum([copies[x] for x in vars_], coeffs) + offset

        for i in cts:
            ct = self.proto.constraints[i]
            kind = ct.WhichOneof("constraint")
            enforce = [lit(r) for r in ct.enforcement_literal]
            if kind == "linear":
                domain = sorted_interval_list.Domain.from_flat_intervals(list(ct.linear.domain))
                made = model.add_linear_expression_in_domain(
                    expr(list(ct.linear.vars), list(ct.linear.coeffs)), domain
                )
            elif kind == "bool_and":
                made = model.add_bool_and([lit(r) for r in ct.bool_and.literals])
            elif kind == "bool_or":
                made = model.add_bool_or([lit(r) for r in ct.bool_or.literals])
            elif kind == "exactly_one":
                made = model.add_exactly_one([lit(r) for r in ct.exactly_one.literals])
            elif kind == "at_most_one":
                made = model.add_at_most_one([lit(r) for r in ct.at_most_one.literals])
            else:
                m = ct.lin_max
                made = model.add_max_equality(
                    expr(list(m.target.vars), list(m.target.coeffs), m.target.offset),
                    [expr(list(e.vars), list(e.coeffs), e.offset) for e in m.exprs],
                )
            if enforce:
                made.only_enforce_if(enforce)
        return Block(name=name, model=model, copies=copies, cost=cost, rows=list(cts))


def lp_multipliers(split: Split, seconds: float, threads: int = 1) -> dict[tuple[int, int], int]:
    """Multipliers from the LP of the split model: each block over its own copies, the copies
    tied by equality rows; the rows' duals make `L` at most the LP's value (whole people and
    staffing can only lower it). Empty when HiGHS does not solve the LP in time."""
    import highspy
    import numpy as np

    from optimizer.search.bound import _Rows, solve_lp

    column: dict[tuple[int, int], int] = {}
    for j, block in enumerate(split.blocks):
        for x in block.copies:
            column[(x, j)] = len(column)
    variables = split.proto.variables
    lower = np.array([variables[x].domain[0] for x, _ in column], dtype=float)
    upper = np.array([variables[x].domain[-1] for x, _ in column], dtype=float)
    rows = _Rows(lower, upper)
    ties: list[tuple[int, int]] = []
    for x, js in split.shared.items():
        for j in js[1:]:
            rows.row({column[(x, j)]: 1.0, column[(x, js[0])]: -1.0}, 0.0, 0.0)
            ties.append((x, j))
    for j, block in enumerate(split.blocks):
        for i in block.rows:
            rows.add_constraint(_remapped(split.proto.constraints[i], column, j))
    cost = np.zeros(len(column))
    for j, block in enumerate(split.blocks):
        for x, c in block.cost.items():
            cost[column[(x, j)]] += c
    h = solve_lp(cost, lower, upper, rows, seconds, threads=threads)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        log.info("split LP: %s (no multipliers)", h.modelStatusToString(h.getModelStatus()))
        return {}
    duals = h.getSolution().row_dual
    value = -(h.getInfo().objective_function_value + split.offset)
    log.info("split LP: %.0f", value)
    return {key: round(duals[r]) for r, key in enumerate(ties)}


def _remapped(
    ct: cp_model_pb2.ConstraintProto, column: dict[tuple[int, int], int], j: int
) -> cp_model_pb2.ConstraintProto:
    """Constraint `ct` over block j's copies (the LP's columns)."""

    def ref(r: int) -> int:
        return column[(r, j)] if r >= 0 else -column[(-r - 1, j)] - 1

    out = cp_model_pb2.ConstraintProto()
    out.CopyFrom(ct)
    out.enforcement_literal[:] = [ref(r) for r in ct.enforcement_literal]
    kind = ct.WhichOneof("constraint")
    if kind == "linear":
        out.linear.vars[:] = [column[(x, j)] for x in ct.linear.vars]
    elif kind == "lin_max":
        out.lin_max.target.vars[:] = [column[(x, j)] for x in ct.lin_max.target.vars]
        for e_out, e in zip(out.lin_max.exprs, ct.lin_max.exprs, strict=True):
            e_out.vars[:] = [column[(x, j)] for x in e.vars]
    elif kind is not None:
        getattr(out, kind).literals[:] = [ref(r) for r in getattr(ct, kind).literals]
    return out


def _solve_block(
    block: Block,
    lam: dict[int, int],
    seconds: float,
    seed: int,
    deadline: Deadline,
    deterministic: bool = False,
) -> tuple[float, dict[int, int]]:
    """The block's proven upper bound on `c.y + lam.y` (maximized), and its best solution."""
    model = block.model
    model.clear_objective()
    model.clear_hints()
    terms = []
    for x, var in block.copies.items():
        c = -block.cost.get(x, 0) + lam.get(x, 0)  # the score is -(cost . x): maximize it
        if c:
            terms.append((var, c))
    model.maximize(cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms]))
    for x, value in block.hint.items():
        model.add_hint(block.copies[x], value)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    if deterministic:  # reproducible: the effort in CP-SAT's deterministic time
        solver.parameters.max_deterministic_time = seconds
        solver.parameters.max_time_in_seconds = max(0.01, deadline.left())
    else:
        solver.parameters.max_time_in_seconds = max(0.01, min(seconds, deadline.left()))
    solver.parameters.linearization_level = 2
    if deadline.expired():
        raise TimeoutError
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        raise Infeasible(block.name)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise TimeoutError
    values = {x: solver.value(var) for x, var in block.copies.items()}
    block.hint = values
    return solver.best_objective_bound, values


def lagrange_bound(
    built: Built,
    target: int,
    deadline: Deadline,
    threads: int = 1,
    seed: int = 0,
    iterations: int = 200,
    block_seconds: float = 5.0,
    deterministic: bool = False,
    theta: float = 0.1,
    report: Callable[[int, int], None] | None = None,
) -> LagrangeResult:
    """The lowest `L(lam)` proven before the deadline; `target` is a known plan's score (the
    step aims at it; a bound never goes below it on a correct model)."""
    started = time.monotonic()
    split = Split(built)
    if split.constant is not None:  # nothing the plan decides moves the score
        return LagrangeResult(split.constant, 0, time.monotonic() - started, 0, [])
    # (variable, block) -> multiplier, owners excluded; from the split LP's duals
    lam: dict[tuple[int, int], int] = lp_multipliers(split, deadline.left() / 2, threads)
    best: float | None = None
    history: list[int] = []
    since = 0
    done = 0
    infeasible = False
    pool = ThreadPoolExecutor(max_workers=max(1, threads))
    try:
        for it in range(iterations):
            if deadline.expired():
                break
            per_block: list[dict[int, int]] = [{} for _ in split.blocks]
            for x, js in split.shared.items():
                rest = 0
                for j in js[1:]:
                    m = lam.get((x, j), 0)
                    per_block[j][x] = m
                    rest += m
                per_block[js[0]][x] = -rest
            limit = block_seconds
            futures = [
                pool.submit(_solve_block, b, per_block[j], limit, seed, deadline, deterministic)
                for j, b in enumerate(split.blocks)
            ]
            try:
                answers = [f.result() for f in futures]
            except TimeoutError:
                break
            except Infeasible:
                infeasible = True
                break
            value = sum(a for a, _ in answers)
            # maximize sum(c . y) stored as minimize(cost . x + offset) * scaling(-1)
            bound_value = value - split.offset
            done += 1
            history.append(int(bound_value))
            if best is None or bound_value < best - 0.5:
                best = bound_value
                since = 0
            else:
                since += 1
                if since >= 5:
                    theta /= 2
                    since = 0
            if report is not None:
                report(it, int(best))
            # subgradient of L at lam: v_b - v_owner for each copy
            grad: dict[tuple[int, int], int] = {}
            norm = 0
            for x, js in split.shared.items():
                owner_value = answers[js[0]][1][x]
                for j in js[1:]:
                    g = answers[j][1][x] - owner_value
                    if g:
                        grad[(x, j)] = g
                        norm += g * g
            if norm == 0:
                break  # the blocks agree: L is attained by a plan
            step = theta * max(bound_value - target, 1.0) / norm
            for key, g in grad.items():
                lam[key] = lam.get(key, 0) - round(step * g)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    bound = None if best is None else int(best + 1e-6 * max(1.0, abs(best)))
    seconds = time.monotonic() - started
    return LagrangeResult(bound, done, seconds, len(split.blocks), history, infeasible)
