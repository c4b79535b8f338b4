"""The hard rules of spec section 3 that concern one person, checked period by period.

`PersonRules` walks one person's states in period order and says, at each step, which rules
the new state breaks given the ones before it: availability, roles and reach, training,
rotation (stints, cooldowns, tenure), specialization, veteran protection, locks and frozen
baseline periods. The simulator runs it over every person's whole row (`rules.violations`);
the greedy keeps one per person and asks it, before placing a cell, whether the cell keeps
these rules (`allows`). One definition of each rule serves both.

A rule that can only be judged later — a hunter stint shorter than its minimum — is reported
when the stint ends, at the stint's last period; a stint still running when the row ends is
cut by the end and breaks nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from optimizer.plan import OFF, Cell, Violation
from optimizer.scenario import Lock, Person, Scenario

# the order of spec section 3, used to list violations rule by rule
GROUP = {
    "availability": 2,
    "hiring.never_off": 2,
    "role": 3,
    "reach": 3,
    "training.not_needed": 4,
    "training.long_cycle": 4,
    "rotation.stint_max": 6,
    "rotation.stint_min": 6,
    "rotation.cooldown": 6,
    "rotation.farmer_tenure": 6,
    "specialization": 7,
    "veteran": 9,
    "lock": 11,
    "baseline.frozen": 13,
}
# within rotation: stints, then cooldowns, then tenure (per person)
ROTATION_ORDER = {
    "rotation.stint_max": 0,
    "rotation.stint_min": 0,
    "rotation.cooldown": 1,
    "rotation.farmer_tenure": 2,
}


def _v(rule: str, entity: str, period: int | None, message: str) -> Violation:
    return Violation(rule=rule, entity=entity, period=period, message=message)


@dataclass
class _Run:
    """The run of one working cell over available periods (`current` counted)."""

    cell: Cell
    length: int  # periods of the run, `current` included
    last: int  # the run's last period so far
    carried: int = 0  # periods of `current` it continues
    reported: bool = False  # its over-length was reported


@dataclass
class PersonRules:
    """One person's rule state after the periods stepped so far."""

    s: Scenario
    person: Person
    start: int | None = None  # a position's start period (None: unfilled, or a rep)
    index: int = 0  # position in the roster (orders the violations)
    done: int = 0  # trainee periods so far
    first_role: str | None = None
    specialization_reported: bool = False
    available_seen: int = 0  # available periods stepped
    run: _Run | None = None
    cooling: dict[str, int] = field(default_factory=dict)  # territory -> available periods left
    frozen: dict[int, Cell] = field(default_factory=dict)
    locks: dict[int, list[tuple[int, Lock]]] = field(default_factory=dict)
    _asked: dict[tuple[int, Cell], bool] = field(default_factory=dict, repr=False)

    @classmethod
    def every(cls, s: Scenario, start: dict[str, int]) -> dict[str, PersonRules]:
        """One per person (reps and positions), the locks and frozen periods read once."""
        locks: dict[str, dict[int, list[tuple[int, Lock]]]] = {}
        for i, lock in enumerate(s.locks):
            for p in lock.periods:
                locks.setdefault(lock.rep, {}).setdefault(p, []).append((i, lock))
        frozen: dict[str, dict[int, Cell]] = {}
        b = s.baseline
        if b is not None:
            owner = {r.from_position: r.id for r in s.reps if r.from_position}
            for a in b.assignments:
                person = s.person_by_id.get(owner.get(a.person, a.person))
                if person is None or a.period >= b.freeze_periods:
                    continue
                was = Cell(a.role, a.territory)
                if not _facts_changed(s, person, a.period, was):
                    frozen.setdefault(person.id, {})[a.period] = was
        return {
            person.id: cls(
                s=s,
                person=person,
                start=start.get(person.id),
                index=index,
                frozen=frozen.get(person.id, {}),
                locks=locks.get(person.id, {}),
            )
            for index, person in enumerate(s.persons)
        }

    @property
    def rotation_applies(self) -> bool:
        return not self.person.is_position and not self.person.veteran

    def available(self, p: int) -> bool:
        """Employed and not on leave; a filled position from its start on."""
        if self.person.is_position:
            return self.start is not None and p >= self.start
        return self.s.rep_available(self.s.rep_by_id[self.person.id], p)

    def copy(self) -> PersonRules:
        clone = object.__new__(PersonRules)  # a plain field copy: the greedy asks often
        clone.__dict__.update(self.__dict__)
        if self.run is not None:
            clone.run = _Run(**self.run.__dict__)
        clone.cooling = dict(self.cooling)
        return clone

    def allows(self, p: int, cell: Cell) -> bool:
        """Whether `cell` in period `p` (the next one) keeps this person's rules (the answer
        is kept until the person steps on: the greedy asks the same cell several times)."""
        key = (p, cell)
        known = self._asked.get(key)
        if known is None:
            known = self._asked[key] = not self.copy().step(p, cell)
        return known

    # -- one period --------------------------------------------------------------------------

    def step(self, p: int, cell: Cell, active: bool = True) -> list[Violation]:
        """Advance by period `p` in state `cell`; the violations it brings. `active` is False
        for a position left unfilled (only its locks and frozen baseline periods bind)."""
        out: list[Violation] = []
        self._asked = {}
        if active:
            available = self.available(p)
            out += self._availability(p, cell, available)
            if cell.working:
                out += self._role_and_reach(p, cell)
            out += self._training(p, cell)
            if available:
                if self.rotation_applies:
                    out += self._rotation(p, cell)
                out += self._veteran(p, cell)
                self.available_seen += 1
            out += self._specialization(p, cell)
        out += self._locks(p, cell)  # a lock on an unfilled position is broken too
        out += self._frozen(p, cell)
        return out

    def _availability(self, p: int, cell: Cell, available: bool) -> list[Violation]:
        person = self.person
        if available and cell.role == "off":
            if person.is_position:
                message = (
                    f"{person.id} was hired in period {self.start} and works to the horizon's "
                    "end: he may train or sit on the bench, never be off"
                )
                return [_v("hiring.never_off", person.id, p, message)]
            return [
                _v(
                    "availability",
                    person.id,
                    p,
                    f"{person.id} is employed and available but off: he must work, train or "
                    "sit on the bench",
                )
            ]
        if not available and cell.role != "off":
            rep = self.s.rep_by_id[person.id]
            gone = f"gone (active_until {rep.active_until})"
            why = "on leave" if self.s.employed(rep, p) else gone
            return [_v("availability", person.id, p, f"{person.id} is {why} but assigned {cell}")]
        return []

    def _protected_here(self, cell: Cell) -> bool:
        """A protected veteran working his own territory: exempt from radius and training."""
        c = self.person.current
        return self.person.veteran and c is not None and cell.territory == c.territory

    def _role_and_reach(self, p: int, cell: Cell) -> list[Violation]:
        person, s = self.person, self.s
        assert cell.territory is not None
        out = []
        if cell.role not in person.roles:
            out.append(
                _v(
                    "role",
                    person.id,
                    p,
                    f"{person.id} may not work as {cell.role} (roles: {sorted(person.roles)})",
                )
            )
        if self._protected_here(cell) or s.in_reach(person, cell.territory):
            return out
        if person.is_position:
            message = (
                f"{person.id} is based in {person.home} and works only there, "
                f"not in {cell.territory}"
            )
        else:
            km = s.distance_km(person.home, cell.territory)
            message = (
                f"{cell.territory} is {km:.0f} km from {person.id}'s home {person.home}, "
                f"beyond his {person.radius_km:g} km radius"
            )
        out.append(_v("reach", person.id, p, message))
        return out

    def _training(self, p: int, cell: Cell) -> list[Violation]:
        person, s = self.person, self.s
        if cell.role == "trainee":
            out = []
            if self.done >= person.training_needed:
                why = (
                    "needs no training"
                    if person.training_needed == 0
                    else f"has completed his {s.training_periods} training periods"
                )
                out.append(_v("training.not_needed", person.id, p, f"{person.id} {why}"))
            self.done += 1
            return out
        if cell.working and not self._protected_here(cell):
            assert cell.territory is not None
            territory = s.territory_by_id[cell.territory]
            if territory.long_cycle and self.done < person.training_needed:
                return [
                    _v(
                        "training.long_cycle",
                        person.id,
                        p,
                        f"{territory.label} sells long-cycle products and {person.id} has "
                        f"{person.training_needed - self.done} training period(s) left",
                    )
                ]
        return []

    def _rotation(self, p: int, cell: Cell) -> list[Violation]:
        """Stints, cooldowns and tenure over available periods (`p` is available)."""
        rotation = self.s.policy.active_rotation
        if rotation is None:
            return []
        person, out = self.person, []
        current = person.current
        first = self.available_seen == 0
        hunted = current if first and current is not None and current.role == "hunter" else None
        if hunted is not None and cell != Cell("hunter", hunted.territory):
            self.cooling[hunted.territory] = rotation.hunter_cooldown  # history: cooldown runs
        run = self.run
        if run is not None and run.cell != cell:  # the run ended with the period before
            if run.cell.role == "hunter":
                t = str(run.cell.territory)
                if run.length < rotation.hunter_stint_min:  # not cut: this period follows it
                    out.append(
                        _v(
                            "rotation.stint_min",
                            person.id,
                            run.last,
                            f"{person.id}'s hunter stint in {t} ends after {run.length} "
                            f"period(s), below hunter_stint_min {rotation.hunter_stint_min}",
                        )
                    )
                self.cooling[t] = rotation.hunter_cooldown
            run = self.run = None
        if cell.role == "hunter" and self.cooling.get(str(cell.territory), 0) > 0:
            out.append(
                _v(
                    "rotation.cooldown",
                    person.id,
                    p,
                    f"{person.id} hunts {cell.territory} again within hunter_cooldown "
                    f"{rotation.hunter_cooldown} of his stint there",
                )
            )
        for t in list(self.cooling):
            self.cooling[t] -= 1
            if self.cooling[t] <= 0:
                del self.cooling[t]
        if not cell.working:
            return out
        if run is None:
            before = 0
            if first and current is not None and Cell(current.role, current.territory) == cell:
                before = current.periods
            run = self.run = _Run(cell=cell, length=before + 1, last=p, carried=before)
        else:
            run.length += 1
            run.last = p
        limit = rotation.hunter_stint_max if cell.role == "hunter" else rotation.farmer_max_tenure
        if limit is not None and run.length > limit and not run.reported:
            run.reported = True
            counted = " (counting current)" if run.carried else ""
            if cell.role == "hunter":
                message = (
                    f"{person.id}'s hunter stint in {cell.territory} reaches {run.length} "
                    f"periods{counted}, above hunter_stint_max {rotation.hunter_stint_max}"
                )
                out.append(_v("rotation.stint_max", person.id, p, message))
            else:
                out.append(
                    _v(
                        "rotation.farmer_tenure",
                        person.id,
                        p,
                        f"{person.id} farms {cell.territory} longer than farmer_max_tenure "
                        f"{rotation.farmer_max_tenure}",
                    )
                )
        return out

    def _specialization(self, p: int, cell: Cell) -> list[Violation]:
        if not self.s.policy.specialization_on or not cell.working:
            return []
        if self.first_role is None:
            self.first_role = cell.role
            return []
        if cell.role != self.first_role and not self.specialization_reported:
            self.specialization_reported = True
            return [
                _v(
                    "specialization",
                    self.person.id,
                    p,
                    f"{self.person.id} works as {cell.role} after working as {self.first_role}; "
                    "specialization allows one role",
                )
            ]
        return []

    def _veteran(self, p: int, cell: Cell) -> list[Violation]:
        person = self.person
        if not person.veteran or person.current is None:
            return []
        keep = Cell(person.current.role, person.current.territory)
        if cell != keep:
            return [
                _v(
                    "veteran",
                    person.id,
                    p,
                    f"protected veteran {person.id} keeps {keep}, but is assigned {cell}",
                )
            ]
        return []

    def _locks(self, p: int, cell: Cell) -> list[Violation]:
        out = []
        for i, lock in self.locks.get(p, ()):
            if not lock.allows(cell):
                verb = "forbids" if lock.forbid else "fixes"
                out.append(
                    _v(
                        "lock",
                        self.person.id,
                        p,
                        f"locks[{i}] {verb} {self.person.id} to {lock.words}, but the plan has "
                        f"{cell}",
                    )
                )
        return out

    def _frozen(self, p: int, cell: Cell) -> list[Violation]:
        was = self.frozen.get(p)
        if was is None or was == cell:
            return []
        return [
            _v(
                "baseline.frozen",
                self.person.id,
                p,
                f"period {p} is frozen at {was} for {self.person.id}, but the plan has {cell}",
            )
        ]


def _facts_changed(s: Scenario, person: Person, period: int, was: Cell) -> bool:
    """The actuals moved this person-period (section 6): it is free, frozen or not."""
    if person.is_position:
        return False
    available = s.rep_available(s.rep_by_id[person.id], period)
    return (not available and was.role != "off") or (available and was.role == "off")


def lock_index(v: Violation) -> int:
    """The lock a lock violation names (`locks[i] ...`)."""
    return int(v.message.split("]", 1)[0].removeprefix("locks["))


def person_violations(
    s: Scenario, cells: dict[str, list[Cell]], start: dict[str, int]
) -> list[tuple[tuple[int, ...], Violation]]:
    """Every person's rule violations over his whole row, each with its sort key."""
    found: list[tuple[tuple[int, ...], Violation]] = []
    every = PersonRules.every(s, start)
    for index, person in enumerate(s.persons):
        active = not person.is_position or person.id in start
        rules = every[person.id]
        row = cells.get(person.id) or [OFF] * s.periods
        for p, cell in enumerate(row):
            for v in rules.step(p, cell, active):
                group = GROUP[v.rule]
                if v.rule == "lock":
                    key: tuple[int, ...] = (group, lock_index(v), index, p)
                elif group == GROUP["rotation.stint_max"]:
                    key = (group, index, ROTATION_ORDER[v.rule], v.period or 0)
                else:
                    key = (group, index, p)
                found.append((key, v))
    return found
