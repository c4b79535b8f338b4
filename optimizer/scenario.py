"""The scenario (spec section 2): one immutable, validated input, and the lookups derived from it.

Every model is frozen and closed (`extra="forbid"`); integers are strict (`true` is not a number,
`"5"` is not a count). Cross-entity rules live in `optimizer.checks` and run in one validator so
that a planner sees every problem at once, each naming the entity and the field.
"""

from __future__ import annotations

import bisect
import math
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, Strict, ValidationError, model_validator

from optimizer.plan import Assignment, Cell, Frozen

Int = Annotated[int, Strict()]
Count = Annotated[int, Strict(), Field(ge=0)]
Money = Annotated[int, Strict(), Field(ge=0, description="Integer currency units.")]
Percent = Annotated[int, Strict(), Field(ge=0, le=100)]
Factor = Annotated[int, Strict(), Field(ge=0, description="Integer percent, may exceed 100.")]
Period = Annotated[int, Strict(), Field(ge=0, description="Period index, 0 = first month.")]
Km = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
Role = Literal["hunter", "farmer"]
ID_PATTERN = r"^[^\x00-\x1f\x7f]+$"  # no control characters (a NUL, a tab, a newline)
Id = Annotated[str, Strict(), Field(min_length=1, pattern=ID_PATTERN)]

EARTH_RADIUS_KM = 6371.0
POSITION_PREFIX = "H-"


class Horizon(Frozen):
    start: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="First month, YYYY-MM.")
    periods: Annotated[int, Strict(), Field(ge=1, le=36, description="Number of months, 1..36.")]


class Defaults(Frozen):
    travel_cost: Money = Field(description="Per rep-period worked outside the home territory.")
    max_distance_km: Km | None = Field(
        default=None, description="Mobility radius; null = anywhere."
    )
    churn_served_pct: Percent
    churn_unserved_pct: Percent
    terminal_value_periods: Count
    role_switch_cost: Money
    bench_cost: Money = 0


class Territory(Frozen):
    id: Id
    name: str = ""
    lat: Annotated[float, Strict(), Field(ge=-90, le=90, allow_inf_nan=False)] | None = None
    lon: Annotated[float, Strict(), Field(ge=-180, le=180, allow_inf_nan=False)] | None = None
    long_cycle: bool = False
    accounts: Count
    account_value: Money = Field(description="Margin of one served account per period.")
    account_revenue: Money | None = Field(
        default=None, description="Revenue of one served account per period; default account_value."
    )
    prospects: Count
    prospect_inflow: Count
    win_share_pct: Percent
    accounts_per_farmer: Count
    min_farmers: Count = 0
    max_reps: Count | None = None
    handover_cost: Money

    @property
    def revenue_per_account(self) -> int:
        """`account_revenue`, which defaults to `account_value` (spec section 2)."""
        return self.account_value if self.account_revenue is None else self.account_revenue

    @property
    def label(self) -> str:
        return self.name or self.id


class Stint(Frozen):
    territory: Id
    role: Role
    periods: Count = Field(description="Periods already worked in this stint.")


class Rep(Frozen):
    id: Id
    name: str = ""
    home: Id
    roles: tuple[Role, ...] = ("hunter", "farmer")
    trained: bool = True
    hunter_capacity: Count
    farmer_capacity_pct: Factor
    salary: Money
    tenure_months: Count = 0
    max_distance_km: Km | None = None
    travel_cost: Money | None = None
    current: Stint | None = None
    training_done: Count = 0
    from_position: str | None = None
    unavailable: tuple[Period, ...] = ()
    active_until: Period | None = Field(default=None, description="Last period employed.")
    productivity_pct: tuple[Factor, ...] = ()


class Hiring(Frozen):
    max_hires: Count
    max_hires_per_period: Count | None = Field(default=None, description="Default: max_hires.")
    earliest_period: Period = 0
    hire_cost: Money
    salary: Money
    hunter_capacity: Count
    farmer_capacity_pct: Factor
    ramp_pct: tuple[Factor, ...] = ()
    territories: tuple[Id, ...] | None = Field(
        default=None,
        description="Where positions open: null = every territory, [] = none.",
    )
    positions_per_territory: Count = 1

    @property
    def per_period_cap(self) -> int:
        return self.max_hires if self.max_hires_per_period is None else self.max_hires_per_period

    def where(self, every: tuple[str, ...]) -> tuple[str, ...]:
        """The territories positions open in: the list given (empty: none), or `every`."""
        return every if self.territories is None else self.territories


class Training(Frozen):
    periods: Count
    trainer_capacity: Count


class Rotation(Frozen):
    enabled: bool = True
    hunter_stint_min: Count
    hunter_stint_max: Annotated[int, Strict(), Field(ge=1)]
    hunter_cooldown: Count = 0
    farmer_max_tenure: Annotated[int, Strict(), Field(ge=1)] | None = None
    handover_requires_farmer: bool = False


class Switch(Frozen):
    enabled: bool = True


class ProspectSupply(Frozen):
    min_prospects_per_hunter: Count


class BonusLevel(Frozen):
    name: Id
    per_client: Money
    uplift_pct: Factor


class Bonus(Frozen):
    enabled: bool = True
    levels: tuple[BonusLevel, ...]


class Veterans(Frozen):
    enabled: bool = True
    tenure_months: Count


class Targets(Frozen):
    goal_new_clients: Count | None = None
    goal_revenue: Money | None = None
    new_client_shortfall_cost: Money = 0
    revenue_shortfall_cost_pct: Factor = 0
    realism_pct: Percent = 100
    target_period: Literal["month", "quarter"] = "quarter"
    attainment_pct: Annotated[int, Strict(), Field(ge=1, le=99)] | None = None


class Uncertainty(Frozen):
    """Spec section 8: how real months scatter around the plan's expected course."""

    hunter_cv_pct: Count = 35
    farmer_cv_pct: Count = 10
    revenue_cv_pct: Count = 15
    churn_cv_pct: Count = 25
    samples: Annotated[int, Strict(), Field(ge=1, le=100_000)] = 2000
    seed: Count = 0


NO_TARGETS = Targets()
NEUTRAL_LEVEL = BonusLevel(name="none", per_client=0, uplift_pct=100)


class Policy(Frozen):
    """The five levers and their rules. A missing block is off (spec section 2)."""

    rotation: Rotation | None = None
    specialization: Switch | None = None
    prospect_supply: ProspectSupply | None = None
    bonus: Bonus | None = None
    hiring: Switch | None = None
    veterans: Veterans | None = None
    targets: Targets | None = None

    @property
    def active_rotation(self) -> Rotation | None:
        return self.rotation if self.rotation is not None and self.rotation.enabled else None

    @property
    def specialization_on(self) -> bool:
        return self.specialization is not None and self.specialization.enabled

    @property
    def min_prospects_per_hunter(self) -> int:
        return 0 if self.prospect_supply is None else self.prospect_supply.min_prospects_per_hunter

    @property
    def bonus_on(self) -> bool:
        return self.bonus is not None and self.bonus.enabled

    @property
    def hiring_on(self) -> bool:
        return self.hiring is not None and self.hiring.enabled

    @property
    def active_veterans(self) -> Veterans | None:
        return self.veterans if self.veterans is not None and self.veterans.enabled else None

    @property
    def active_targets(self) -> Targets:
        """The targets block; without one, targets at 100 % realism per quarter and no goals."""
        return NO_TARGETS if self.targets is None else self.targets


class Lock(Frozen):
    rep: Id = Field(description="A rep id or a position id (H-<territory>-<k>).")
    periods: tuple[Period, ...] = Field(min_length=1)
    territory: Id | None = None
    role: Literal["hunter", "farmer", "trainee", "bench"] | None = None
    forbid: bool = Field(
        default=False,
        description="true: the person may NOT be in the named state in these periods.",
    )

    def fits(self, cell: Cell) -> bool:
        """The cell is in the state the lock names (its territory and/or role)."""
        return (self.role is None or cell.role == self.role) and (
            self.territory is None or cell.territory == self.territory
        )

    def allows(self, cell: Cell) -> bool:
        """A lock allows the cells it names; a forbid every cell but those."""
        return self.fits(cell) != self.forbid

    @property
    def words(self) -> str:
        """What it names, in words: "farmer in SIM", "hunter", "in KER"."""
        return " ".join(x for x in (self.role, self.territory and f"in {self.territory}") if x)


class Baseline(Frozen):
    freeze_periods: Count
    change_cost: Money
    assignments: tuple[Assignment, ...] = ()
    bonus_levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Position:
    """An open position `H-<territory>-<k>` (spec section 3)."""

    id: str
    territory: str
    k: int


@dataclass(frozen=True)
class Person:
    """A rep or an open position, seen the same way by the simulator and the model."""

    id: str
    home: str
    roles: frozenset[Role]
    hunter_capacity: int
    farmer_capacity_pct: int
    salary: int
    travel_cost: int
    radius_km: float | None
    training_needed: int
    is_position: bool
    current: Stint | None
    veteran: bool


class Scenario(Frozen):
    """A whole planning scenario, validated at once; read it with `load_scenario`."""

    name: Id
    currency: str = "RUB"
    horizon: Horizon
    defaults: Defaults
    territories: tuple[Territory, ...] = Field(min_length=1)
    reps: tuple[Rep, ...] = ()
    hiring: Hiring | None = None
    training: Training | None = None
    policy: Policy = Policy()
    locks: tuple[Lock, ...] = ()
    baseline: Baseline | None = None
    uncertainty: Uncertainty | None = None

    @model_validator(mode="after")
    def _cross_entity_rules(self) -> Scenario:
        # All cross-entity checks run together so the planner gets the whole list at once.
        from optimizer.checks import scenario_issues

        issues = scenario_issues(self)
        if issues:
            raise ScenarioIssues(issues)
        return self

    # ----- derived lookups, computed once -------------------------------------------------

    @property
    def periods(self) -> int:
        return self.horizon.periods

    @cached_property
    def territory_by_id(self) -> dict[str, Territory]:
        return {t.id: t for t in self.territories}

    @cached_property
    def rep_by_id(self) -> dict[str, Rep]:
        return {r.id: r for r in self.reps}

    @cached_property
    def positions(self) -> tuple[Position, ...]:
        """Open positions; none unless `policy.hiring` is on and a `hiring` block exists.

        A position that a rep answers for (`from_position`) is filled already: it is not opened
        again (docs/decisions.md).
        """
        if self.hiring is None or not self.policy.hiring_on:
            return ()
        taken = {r.from_position for r in self.reps if r.from_position}
        where = self.hiring.where(tuple(t.id for t in self.territories))
        return tuple(
            Position(id=pid, territory=t, k=k)
            for t in where
            for k in range(1, self.hiring.positions_per_territory + 1)
            if (pid := position_id(t, k)) not in taken
        )

    @cached_property
    def position_by_id(self) -> dict[str, Position]:
        return {p.id: p for p in self.positions}

    @cached_property
    def persons(self) -> tuple[Person, ...]:
        """Reps first, then open positions, in scenario order."""
        return tuple(self._rep_person(r) for r in self.reps) + tuple(
            self._position_person(p) for p in self.positions
        )

    @cached_property
    def person_by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.persons}

    @property
    def training_periods(self) -> int:
        """Training length; 0 without a `training` block (nobody trains)."""
        return 0 if self.training is None else self.training.periods

    def _rep_person(self, rep: Rep) -> Person:
        return Person(
            id=rep.id,
            home=rep.home,
            roles=frozenset(rep.roles),
            hunter_capacity=rep.hunter_capacity,
            farmer_capacity_pct=rep.farmer_capacity_pct,
            salary=rep.salary,
            travel_cost=self.defaults.travel_cost if rep.travel_cost is None else rep.travel_cost,
            radius_km=self.defaults.max_distance_km
            if rep.max_distance_km is None
            else rep.max_distance_km,
            training_needed=0 if rep.trained else max(0, self.training_periods - rep.training_done),
            is_position=False,
            current=rep.current,
            veteran=self.is_protected_veteran(rep),
        )

    def _position_person(self, position: Position) -> Person:
        assert self.hiring is not None
        return Person(
            id=position.id,
            home=position.territory,
            roles=frozenset({"hunter", "farmer"}),
            hunter_capacity=self.hiring.hunter_capacity,
            farmer_capacity_pct=self.hiring.farmer_capacity_pct,
            salary=self.hiring.salary,
            travel_cost=0,
            radius_km=0.0,
            training_needed=self.training_periods,
            is_position=True,
            current=None,
            veteran=False,
        )

    def is_protected_veteran(self, rep: Rep) -> bool:
        """Tenure at or above `veterans.tenure_months` and a stint in progress (spec section 3)."""
        veterans = self.policy.active_veterans
        return (
            veterans is not None
            and rep.current is not None
            and rep.tenure_months >= veterans.tenure_months
        )

    def distance_km(self, a: str, b: str) -> float | None:
        """Great-circle distance on a 6371 km sphere; None when either lacks coordinates."""
        ta, tb = self.territory_by_id[a], self.territory_by_id[b]
        if ta.lat is None or ta.lon is None or tb.lat is None or tb.lon is None:
            return None
        return great_circle_km(ta.lat, ta.lon, tb.lat, tb.lon)

    def in_reach(self, person: Person, territory: str) -> bool:
        """Mobility radius of spec section 2; a position works only in its own territory."""
        if person.is_position:
            return territory == person.home
        if person.radius_km is None:
            return True
        return territory in self._within(person.home, person.radius_km)

    def _within(self, home: str, radius_km: float) -> frozenset[str]:
        """Territories within `radius_km` of `home`, or without coordinates (always in reach)."""
        key = (home, radius_km)
        if key not in self._reach_cache:
            self._reach_cache[key] = (
                frozenset(
                    t
                    for t in self._lat_band(home, radius_km)
                    if _le(self.distance_km(home, t), radius_km)
                )
                | self._unlocated
            )
        return self._reach_cache[key]

    def _lat_band(self, home: str, radius_km: float) -> list[str]:
        """Candidates by latitude: a great-circle distance is never below the latitude arc."""
        lat = self.territory_by_id[home].lat
        if lat is None:
            return [t.id for t in self.territories]
        lats, ids = self._by_latitude
        half = math.degrees(radius_km / EARTH_RADIUS_KM) + 1e-9
        return ids[bisect.bisect_left(lats, lat - half) : bisect.bisect_right(lats, lat + half)]

    @cached_property
    def _by_latitude(self) -> tuple[list[float], list[str]]:
        located = sorted(
            (t.lat, t.id) for t in self.territories if t.lat is not None and t.lon is not None
        )
        return [lat for lat, _ in located], [tid for _, tid in located]

    @cached_property
    def _unlocated(self) -> frozenset[str]:
        return frozenset(t.id for t in self.territories if t.lat is None or t.lon is None)

    @cached_property
    def _reach_cache(self) -> dict[tuple[str, float], frozenset[str]]:
        return {}

    @cached_property
    def reachable(self) -> dict[str, tuple[str, ...]]:
        """Territories each person may work in by radius (veterans' own territory aside)."""
        everywhere = tuple(t.id for t in self.territories)
        order = {tid: i for i, tid in enumerate(everywhere)}
        by_home: dict[tuple[str, float], tuple[str, ...]] = {}
        out: dict[str, tuple[str, ...]] = {}
        for p in self.persons:
            if p.is_position:
                out[p.id] = (p.home,)
            elif p.radius_km is None:
                out[p.id] = everywhere
            else:  # `in_reach`'s own sets, in roster order of territories
                key = (p.home, p.radius_km)
                if key not in by_home:
                    by_home[key] = tuple(sorted(self._within(*key), key=order.__getitem__))
                out[p.id] = by_home[key]
        return out

    def employed(self, rep: Rep, period: int) -> bool:
        return rep.active_until is None or period <= rep.active_until

    def rep_available(self, rep: Rep, period: int) -> bool:
        """Employed and not on leave."""
        return self.employed(rep, period) and period not in rep.unavailable

    def productivity(self, person: Person, period: int, start: int | None = None) -> int:
        """`prod[x,p]`: a rep's `productivity_pct[p]` (100 where missing), a hire's ramp."""
        if person.is_position:
            assert self.hiring is not None
            assert start is not None
            month = period - start
            return self.hiring.ramp_pct[month] if 0 <= month < len(self.hiring.ramp_pct) else 100
        pct = self.rep_by_id[person.id].productivity_pct
        return pct[period] if period < len(pct) else 100

    @staticmethod
    def hunter_term(person: Person, prod: int) -> int:
        """A hunter's own term of `hc` (spec section 4), floored on its own."""
        return person.hunter_capacity * prod // 100

    @staticmethod
    def farmer_term(person: Person, territory: Territory, prod: int) -> int:
        """A farmer's own term of `fc` (spec section 4) in a territory, floored on its own."""
        return territory.accounts_per_farmer * person.farmer_capacity_pct * prod // 10000

    @cached_property
    def bonus_menu(self) -> tuple[BonusLevel, ...]:
        """The levels a plan may choose; only the neutral level when the bonus is off."""
        if self.policy.bonus_on:
            assert self.policy.bonus is not None
            return self.policy.bonus.levels
        return (self.neutral_level,)

    @cached_property
    def neutral_level(self) -> BonusLevel:
        """The 0-bonus, 100 % level: the menu's own if it has one, else `none`."""
        levels = self.policy.bonus.levels if self.policy.bonus is not None else ()
        for level in levels:
            if level.per_client == 0 and level.uplift_pct == 100:
                return level
        return NEUTRAL_LEVEL

    @cached_property
    def level_by_name(self) -> dict[str, BonusLevel]:
        return {level.name: level for level in self.bonus_menu}

    def period_label(self, period: int) -> str:
        """`YYYY-MM` of a period."""
        year, month = (int(x) for x in self.horizon.start.split("-"))
        index = month - 1 + period
        return f"{year + index // 12:04d}-{index % 12 + 1:02d}"

    @cached_property
    def target_segments(self) -> tuple[tuple[int, int], ...]:
        """(from, to) period ranges of the target periods: months, or calendar quarters."""
        if self.policy.active_targets.target_period == "month":
            return tuple((p, p) for p in range(self.periods))
        first_month = int(self.horizon.start.split("-")[1]) - 1
        segments: list[tuple[int, int]] = []
        start = 0
        for p in range(self.periods):
            last_of_quarter = (first_month + p) % 3 == 2
            if last_of_quarter or p == self.periods - 1:
                segments.append((start, p))
                start = p + 1
        return tuple(segments)

    def replace(self, **changes: Any) -> Scenario:
        """A what-if copy that goes through validation again (`model_copy` would skip it)."""
        data = self.model_dump(mode="json", exclude_none=False)
        data.update(changes)
        return load_scenario(data)


def _le(distance: float | None, radius_km: float) -> bool:
    return distance is None or distance <= radius_km


def position_id(territory: str, k: int) -> str:
    return f"{POSITION_PREFIX}{territory}-{k}"


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance on a sphere of radius 6371 km."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


class ScenarioIssues(ValueError):
    """Raised inside validation with every cross-entity problem, each a full message."""

    def __init__(self, issues: list[str]) -> None:
        super().__init__("\n".join(issues))
        self.issues = issues


class InvalidInput(Exception):
    """Input a planner must fix: every problem, each naming the entity and the field."""

    def __init__(self, what: str, problems: list[str]) -> None:
        super().__init__(f"{what}: " + "; ".join(problems))
        self.what = what
        self.problems = problems

    def __str__(self) -> str:
        lines = "\n".join(f"  - {p}" for p in self.shown())
        noun = "problem" if len(self.problems) == 1 else "problems"
        return f"{self.what}: {len(self.problems):,} {noun}\n{lines}"

    def shown(self, at_most: int = 50) -> list[str]:
        """The problems to print: the first `at_most`, then how many more there are."""
        if len(self.problems) <= at_most:
            return list(self.problems)
        rest = len(self.problems) - at_most
        return [*self.problems[:at_most], f"and {rest:,} more problem{'s' if rest > 1 else ''}"]


def load_scenario(source: str | Path | dict[str, Any]) -> Scenario:
    """Read and validate a scenario from a JSON file path or a parsed dict.

    Raises `InvalidInput` listing every problem as `path: message`.
    """
    what, data = read_json(source, "scenario")
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        problems = readable_errors(error, data)
        problems += [p for p in cross_entity_despite(error, data) if p not in problems]
        raise InvalidInput(f"invalid {what}", problems) from None


def cross_entity_despite(error: ValidationError, data: Any) -> list[str]:
    """The cross-entity problems a scenario with field errors has besides them (spec section 2:
    every problem at once). Each broken value is patched with the nearest value its field
    accepts (the bound it broke, a zero of its type); if that leaves the fields valid, the
    cross-entity checks run on the patched copy, and the problems they find about a patched
    field are dropped (they are about the stand-in). Nothing when a field cannot be patched
    (a missing id, say): the field errors come first."""
    import copy

    if not isinstance(data, dict):
        return []
    patched = copy.deepcopy(data)
    paths: list[str] = []
    for item in error.errors(include_url=False):
        value = _stand_in(item)
        if value is _NO_STAND_IN or not _put(patched, item["loc"], value):
            return []
        paths.append(entity_path(item["loc"], data))
    try:
        Scenario.model_validate(patched)
    except ValidationError as again:
        causes = [(i.get("ctx") or {}).get("error") for i in again.errors(include_url=False)]
        issued = [c for c in causes if isinstance(c, ScenarioIssues)]
        if len(issued) != len(causes):
            return []
        issues = [issue for c in issued for issue in c.issues]
        return [i for i in issues if not any(_about(i, p) for p in paths if p)]
    return []


def _about(issue: str, path: str) -> bool:
    """Whether a cross-entity problem is about a patched field: at it, or at its entity and
    naming it (`policy.rotation.hunter_stint_min: 2 is above hunter_stint_max 1`)."""
    entity, _, leaf = path.rpartition(".")
    return issue.startswith(path) or (bool(entity) and issue.startswith(entity) and leaf in issue)


_NO_STAND_IN = object()


def _stand_in(item: Any) -> Any:
    """A value the field of a pydantic error accepts, or `_NO_STAND_IN`."""
    kind = item["type"]
    ctx = item.get("ctx") or {}
    if kind in ("greater_than_equal", "less_than_equal"):
        return next(iter(ctx.values()))
    if kind == "greater_than":
        return next(iter(ctx.values())) + 1
    if kind == "less_than":
        return next(iter(ctx.values())) - 1
    zeros = {"int_type": 0, "float_type": 0.0, "bool_type": False, "finite_number": 0.0}
    return zeros.get(kind, _NO_STAND_IN)


def _put(data: Any, loc: tuple[Any, ...], value: Any) -> bool:
    """Set `data` at a pydantic location; False if the location is not in the data as given."""
    node = data
    for key in loc[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return False
    try:
        if loc and ((isinstance(node, dict) and loc[-1] in node) or isinstance(node, list)):
            node[loc[-1]] = value
            return True
    except (IndexError, TypeError):
        pass
    return False


MAX_DEPTH = 32  # a scenario nests 5 levels deep; anything far deeper is not one


def read_json(source: str | Path | dict[str, Any], kind: str) -> tuple[str, Any]:
    """A document from a path or parsed data; `InvalidInput` for what cannot be read as JSON."""
    if isinstance(source, dict):
        _check_depth(source, kind)
        return kind, source
    path = Path(source)
    what = f"{kind} {path}"
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"cannot read {what}", [error.strerror or str(error)]) from None
    return what, parse_json(raw, what)


def parse_json(raw: bytes | str, what: str) -> Any:
    """JSON text as data, or `InvalidInput` saying in one line why it is not a document:
    not UTF-8, not JSON, a number too long to read, nesting deeper than `MAX_DEPTH`."""
    import json

    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidInput(
                f"invalid {what}", [f"not UTF-8 text: byte {error.start} cannot be decoded"]
            ) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"invalid {what}", [f"not JSON: {error.msg} at line {error.lineno}"]
        ) from None
    except RecursionError:
        raise InvalidInput(f"invalid {what}", [f"nested deeper than {MAX_DEPTH} levels"]) from None
    except ValueError:  # an integer of thousands of digits
        limit = sys.get_int_max_str_digits()
        raise InvalidInput(f"invalid {what}", [f"a number of more than {limit} digits"]) from None
    _check_depth(data, what)
    return data


def _check_depth(data: Any, what: str) -> None:
    """`InvalidInput` if lists and objects nest deeper than `MAX_DEPTH` (without recursion)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidInput(f"invalid {what}", [f"nested deeper than {MAX_DEPTH} levels"])
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list | tuple):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))


def readable_errors(error: ValidationError, data: Any) -> list[str]:
    """pydantic errors as `reps[r07].hunter_capacity: must be >= 0 (got -3)`."""
    problems: list[str] = []
    for item in error.errors(include_url=False):
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, ScenarioIssues):
            problems.extend(cause.issues)
            continue
        path = entity_path(item["loc"], data)
        problems.append(f"{path}: {_message(item)}" if path else _message(item))
    return problems


def entity_path(loc: tuple[Any, ...], data: Any) -> str:
    """A pydantic location in the planner's words: list items named by their id if they have one."""
    parts: list[str] = []
    node = data
    for key in loc:
        if isinstance(key, int):
            item = node[key] if isinstance(node, list | tuple) and key < len(node) else None
            ident = _identity(item)
            parts.append(f"[{ident}]" if ident is not None else f"[{key}]")
            node = item
        else:
            parts.append(("." if parts else "") + str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts)


def _identity(item: Any) -> str | None:
    if isinstance(item, dict):
        for key in ("id", "name", "person"):
            value = item.get(key)
            if isinstance(value, str) and value:
                # a control character is shown escaped, never printed raw
                return value if value.isprintable() else repr(value)[1:-1]
    return None


def _shown(value: Any) -> str:
    """A value as the planner wrote it, cut short: a long list or string is not echoed whole."""
    import reprlib

    short = reprlib.Repr()
    short.maxstring = short.maxother = 60
    short.maxlist = short.maxdict = short.maxtuple = 4
    short.maxlevel = 2
    return short.repr(value)


def _message(item: Any) -> str:
    kind = item["type"]
    ctx = item.get("ctx") or {}
    got = item.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {
            "greater_than_equal": ">=",
            "greater_than": ">",
            "less_than_equal": "<=",
            "less_than": "<",
        }[kind]
        bound = next(iter(ctx.values()))
        return f"must be {sign} {bound} (got {_shown(got)})"
    if kind == "int_type":
        return f"must be an integer (got {_shown(got)})"
    if kind == "too_short":
        return "must not be empty"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == ID_PATTERN:
        return f"an id may not hold control characters such as NUL (got {_shown(got)})"
    if kind == "finite_number":
        return f"must be a finite number (got {_shown(got)})"
    if kind == "value_error":
        return str(ctx.get("error", item["msg"]))
    return f"{item['msg'][0].lower()}{item['msg'][1:]} (got {_shown(got)})"
