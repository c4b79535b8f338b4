"""Between a built model and a plan: hints in, plans and bounds out, and a timed solve.

Every function here reads a `Deadline`, so a hint completion or a solve never outlives the
stage that asked for it, and a stop reaches CP-SAT within its polling interval.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from optimizer.deadline import Deadline
from optimizer.model.builder import Built
from optimizer.plan import OFF, Assignment, Cell, Plan, SolverStatus

STATUS: dict[cp_model.CpSolverStatus, SolverStatus] = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}


def run(
    solver: cp_model.CpSolver,
    built: Built,
    deadline: Deadline,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> cp_model.CpSolverStatus:
    """`solver.solve` within the deadline (its time limit capped by what is left) and
    stoppable by the deadline's stop signal; returns CP-SAT's status code."""
    params = solver.parameters
    left = deadline.left()
    if params.max_time_in_seconds > left:
        params.max_time_in_seconds = left
    if left <= 0:
        params.max_time_in_seconds = 0.0
    watching = deadline.watch(solver.stop_search)
    try:
        return solver.solve(built.model, callback)
    finally:
        watching.set()


def add_hint(built: Built, plan: Plan, deadline: Deadline | None = None) -> bool:
    """Hint every decision variable once (old hints cleared): cells, starts, bonus levels.

    With a deadline, the auxiliary variables (dynamics, costs) are hinted too, from a solve
    of the model with the decisions fixed, within that deadline: CP-SAT accepts a complete
    hint right after presolve. Returns whether the hint is a solution of the model.
    """
    model, v = built.model, built.build.vars
    model.clear_hints()
    chosen: dict[tuple[str, int], Cell] = {
        (a.person, a.period): Cell(a.role, a.territory) for a in plan.assignments
    }
    for (person, p), lits in v.cells.items():
        cell = chosen.get((person, p), OFF)
        for option, lit in lits.items():
            if not isinstance(lit, int):
                model.add_hint(lit, option == cell)
    first_worked: dict[str, int] = {}
    for (x, p), c in chosen.items():
        if c != OFF and p < first_worked.get(x, p + 1):
            first_worked[x] = p
    for person, starts in v.start.items():
        first = first_worked.get(person)
        for start, lit in starts.items():
            model.add_hint(lit, start == first)
    for p, levels in v.level.items():
        name = plan.bonus_levels[p] if p < len(plan.bonus_levels) else None
        for level, lit in levels.items():
            if not isinstance(lit, int):
                model.add_hint(lit, level == name)
    if deadline is None or deadline.left() <= 0.01:
        return False
    solver = cp_model.CpSolver()
    solver.parameters.fix_variables_to_their_hinted_value = True
    solver.parameters.num_workers = 1
    code = run(solver, built, deadline)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return False  # the plan breaks the model's rules: keep the decisions as a guide only
    model.clear_hints()
    proto = model.proto
    for index in range(len(proto.variables)):
        var = model.get_int_var_from_proto_index(index)
        model.add_hint(var, solver.value(var))
    return True


def extract_plan(built: Built, solver: cp_model.CpSolver) -> Plan:
    """Read the chosen cell of every person and period, and the bonus levels."""
    s, v = built.build.scenario, built.build.vars
    rows: list[Assignment] = []
    for person in s.persons:
        person_rows = []
        for p in range(s.periods):
            cell = OFF
            for option, lit in v.options(person.id, p).items():
                if (lit if isinstance(lit, int) else solver.boolean_value(lit)) == 1:
                    cell = option
                    break
            # valid by construction (every option is a cell of the domains): not validated
            # again, which is most of the reading on a large sub-model
            person_rows.append(
                Assignment.model_construct(
                    person=person.id,
                    period=p,
                    role=cell.role,
                    territory=cell.territory,
                )
            )
        if person.is_position and all(r.role == "off" for r in person_rows):
            continue  # an unfilled position is not part of a plan
        rows.extend(person_rows)
    levels = []
    for p in range(s.periods):
        for name, lit in v.level[p].items():
            if (lit if isinstance(lit, int) else solver.boolean_value(lit)) == 1:
                levels.append(name)
                break
    return Plan(scenario=s.name, assignments=tuple(rows), bonus_levels=tuple(levels))


def cp_bound(solver: cp_model.CpSolver, code: cp_model.CpSolverStatus) -> int | None:
    """CP-SAT's upper bound, rounded down; none unless the search got as far as a solution
    (with UNKNOWN, CP-SAT reports 0, which bounds nothing)."""
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    bound = solver.best_objective_bound
    if bound != bound or abs(bound) == float("inf"):  # NaN or infinite: no bound yet
        return None
    return int(bound + 1e-6) if bound >= 0 else -int(-bound - 1e-6)


def ortools_version() -> str:
    from importlib.metadata import version

    return version("ortools")
