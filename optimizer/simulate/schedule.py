"""A plan read against its scenario: one state per person and period, hires, bonus levels.

Anything that makes a plan unreadable (an unknown person, territory or bonus level, a period
outside the horizon, two rows for one person-period) is `InvalidInput`, not a violation: there
is nothing to simulate. Everything readable is simulated, and broken rules become violations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from optimizer.plan import OFF, Cell, Plan
from optimizer.scenario import POSITION_PREFIX, BonusLevel, InvalidInput, Person, Scenario


@dataclass
class Schedule:
    """Every rep and every open position, one `Cell` per period (unfilled positions all off)."""

    scenario: Scenario
    cells: dict[str, list[Cell]]
    start: dict[str, int]
    levels: list[BonusLevel]
    missing: list[tuple[str, int]] = field(default_factory=list)

    def level(self, period: int) -> BonusLevel:
        """The level in force: the plan's, or the neutral one where the plan names a level of a
        disabled menu (spec section 3: with the bonus off the neutral level is used; the
        plan's level is still reported as a violation)."""
        named = self.levels[period]
        return named if named in self.scenario.bonus_menu else self.scenario.neutral_level

    @property
    def active(self) -> list[Person]:
        """Reps and filled positions: the persons a plan schedules."""
        s = self.scenario
        return [p for p in s.persons if not p.is_position or p.id in self.start]

    def available(self, person: Person, period: int) -> bool:
        """Employed and not on leave; a filled position from its start to the horizon's end."""
        if person.is_position:
            start = self.start.get(person.id)
            return start is not None and period >= start
        return self.scenario.rep_available(self.scenario.rep_by_id[person.id], period)

    def available_periods(self, person: Person) -> list[int]:
        return [p for p in range(self.scenario.periods) if self.available(person, p)]

    def prod(self, person: Person, period: int) -> int:
        return self.scenario.productivity(person, period, self.start.get(person.id))

    def hunter_term(self, person: Person, period: int) -> int:
        """A hunter's own floored term of `hc` (section 4), before the bonus uplift."""
        return self.scenario.hunter_term(person, self.prod(person, period))

    def farmer_term(self, person: Person, period: int, territory: str) -> int:
        """A farmer's own floored term of `fc` (section 4) in a territory."""
        s = self.scenario
        return s.farmer_term(person, s.territory_by_id[territory], self.prod(person, period))


def read_plan(s: Scenario, plan: Plan) -> Schedule:
    """Lay a plan out per person and period; raise `InvalidInput` if it cannot be read."""
    problems: list[str] = []
    rows: dict[str, dict[int, Cell]] = defaultdict(dict)
    for a in plan.assignments:
        where = f"assignments[{a.person}, period {a.period}]"
        if a.period >= s.periods:
            problems.append(f"{where}: period {a.period} is outside the horizon 0..{s.periods - 1}")
            continue
        if a.territory is not None and a.territory not in s.territory_by_id:
            problems.append(f"{where}.territory: unknown territory '{a.territory}'")
            continue
        if a.period in rows[a.person]:
            problems.append(f"{where}: a second row for the same person and period")
            continue
        rows[a.person][a.period] = Cell(a.role, a.territory)

    cells: dict[str, list[Cell]] = {}
    start: dict[str, int] = {}
    missing: list[tuple[str, int]] = []
    for person in s.persons:
        mine = rows.pop(person.id, {})
        cells[person.id] = [mine.get(p, OFF) for p in range(s.periods)]
        if person.is_position:
            worked = [p for p, cell in mine.items() if cell.role != "off"]
            if worked:
                start[person.id] = min(worked)
        else:
            missing.extend((person.id, p) for p in range(s.periods) if p not in mine)
    for unknown, their_rows in rows.items():
        if unknown.startswith(POSITION_PREFIX):
            if all(cell.role == "off" for cell in their_rows.values()):
                continue  # rows of an unfilled position are ignored (section 3)
            why = (
                "policy.hiring is off"
                if not s.policy.hiring_on or s.hiring is None
                else "no such open position"
            )
            problems.append(f"assignments[{unknown}]: '{unknown}' is not an open position ({why})")
        else:
            problems.append(f"assignments[{unknown}]: unknown rep '{unknown}'")

    levels = _read_levels(s, plan, problems)
    if problems and plan.scenario and plan.scenario != s.name:
        # a plan of another scenario: one line, not a line per row that does not fit
        noun = "problem" if len(problems) == 1 else "problems"
        raise InvalidInput(
            "invalid plan",
            [
                f"scenario: the plan is for scenario '{plan.scenario}', not '{s.name}' "
                f"({len(problems)} {noun} reading it against '{s.name}', the first: {problems[0]})"
            ],
        )
    if problems:
        raise InvalidInput("invalid plan", problems)
    return Schedule(scenario=s, cells=cells, start=start, levels=levels, missing=missing)


def _read_levels(s: Scenario, plan: Plan, problems: list[str]) -> list[BonusLevel]:
    if not plan.bonus_levels:
        if s.policy.bonus_on:
            problems.append(
                f"bonus_levels: policy.bonus is on, so the plan names one level per period "
                f"({s.periods} expected)"
            )
        return [s.neutral_level] * s.periods
    if len(plan.bonus_levels) != s.periods:
        problems.append(
            f"bonus_levels: {len(plan.bonus_levels)} levels for a {s.periods}-period horizon"
        )
        return [s.neutral_level] * s.periods
    # A level of a disabled menu is readable (and reported as a violation), an unknown name is not.
    known = {level.name: level for level in (s.policy.bonus.levels if s.policy.bonus else ())}
    if not s.policy.bonus_on:
        known[s.neutral_level.name] = s.neutral_level
    levels: list[BonusLevel] = []
    for p, name in enumerate(plan.bonus_levels):
        if name not in known:
            problems.append(f"bonus_levels[{p}]: unknown bonus level '{name}'")
            levels.append(s.neutral_level)
        else:
            levels.append(known[name])
    return levels
