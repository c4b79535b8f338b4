"""Rotation (section 3), reps only and over their available periods: hunter stints within
[min, max] (a stint cut by the rep's last available period may be shorter; `current` counts
when it continues), cooldown before hunting a territory again, farmer tenure, and a farmer in
every hunted territory. Protected veterans and hires are exempt."""

from __future__ import annotations

from collections.abc import Sequence

from optimizer.model.core import Build, Term
from optimizer.model.variables import Lit
from optimizer.plan import Cell
from optimizer.scenario import Person, Rotation


def add(b: Build) -> list[Term]:
    s = b.scenario
    rotation = s.policy.active_rotation
    if rotation is None:
        return []
    for person in s.persons:
        if person.is_position or person.veteran:
            continue
        _rep(b, person, rotation)
    return []


def add_handover(b: Build) -> list[Term]:
    """A farmer in every hunted territory: a territory's rule, kept apart from the people's."""
    rotation = b.scenario.policy.active_rotation
    if rotation is not None and rotation.handover_requires_farmer:
        _handover_farmer(b)
    return []


def _rep(b: Build, person: Person, rotation: Rotation) -> None:
    s, v = b.scenario, b.vars
    rep = s.rep_by_id[person.id]
    available = [p for p in range(s.periods) if s.rep_available(rep, p)]
    if not available:
        return
    current = person.current
    territories = {c.territory for p in available for c in v.options(person.id, p) if c.working}
    for t in sorted(str(x) for x in territories):
        h = [v.lit(person.id, p, Cell("hunter", t)) for p in available]
        c = (
            current.periods
            if current and Cell(current.role, current.territory) == Cell("hunter", t)
            else None
        )
        if any(not isinstance(x, int) or x for x in h) or c is not None:
            _stints(b, person, t, h, c, rotation)
        if rotation.farmer_max_tenure is not None:
            f = [v.lit(person.id, p, Cell("farmer", t)) for p in available]
            cf = (
                current.periods
                if current and Cell(current.role, current.territory) == Cell("farmer", t)
                else None
            )
            g = b.guards(
                ("rotation.tenure", person.id, None),
                f"{person.id} farms one territory at most {rotation.farmer_max_tenure} periods "
                "in a row (farmer_max_tenure)",
            )
            _at_most_in_a_row(b, f, rotation.farmer_max_tenure, cf, g)


def _stints(
    b: Build, person: Person, t: str, h: list[Lit], current: int | None, rotation: Rotation
) -> None:
    last = len(h) - 1
    lo, hi, cool = rotation.hunter_stint_min, rotation.hunter_stint_max, rotation.hunter_cooldown
    g = b.guards(
        ("rotation.stint", person.id, None),
        f"{person.id} hunts a territory {lo} to {hi} periods in a row (hunter stints)",
    )
    _at_most_in_a_row(b, h, hi, current, g)
    m = b.model
    # minimum: a stint starting at i continues through i + lo - 1 unless the end comes first
    for i in range(len(h)):
        carried = current if (i == 0 and current is not None) else 0
        start = h[i] if i == 0 else h[i] - h[i - 1]
        for k in range(1, lo - carried):
            if i + k <= last:
                m.add(start <= h[i + k]).only_enforce_if(g)
    if cool <= 0:
        return
    gc = b.guards(
        ("rotation.cooldown", person.id, None),
        f"{person.id} waits {cool} available periods before hunting a territory again "
        "(hunter cooldown)",
    )
    for j in range(len(h) - 1):
        for k in range(2, cool + 1):
            if j + k <= last:
                m.add(h[j] - h[j + 1] + h[j + k] <= 1).only_enforce_if(gc)
    if current is not None:  # a current stint that does not continue still cools down
        for k in range(1, min(cool, len(h))):
            m.add(h[k] <= h[0]).only_enforce_if(gc)


def _at_most_in_a_row(
    b: Build, x: Sequence[Lit], most: int, current: int | None, g: Sequence[Lit]
) -> None:
    """No run of more than `most` ones; a run from index 0 counts `current` more."""
    m = b.model
    for i in range(len(x) - most):
        window = x[i : i + most + 1]
        if not all(isinstance(y, int) and y == 0 for y in window):
            m.add(sum(window) <= most).only_enforce_if(g)
    if current is not None and current > 0:
        room = most - current  # periods the continuing stint may still run
        if room < 0 or room == 0:
            m.add(x[0] == 0).only_enforce_if(g)
        elif room < len(x):
            m.add(sum(x[: room + 1]) <= room).only_enforce_if(g)


def _handover_farmer(b: Build) -> None:
    s, v = b.scenario, b.vars
    for t in s.territories:
        tv = b.territories[t.id]
        for p in range(s.periods):
            hunters = [lit for _, lit in v.hunters.get((t.id, p), [])]
            if not hunters:
                continue
            g = b.guards(
                ("rotation.handover", t.id, p),
                f"{t.label} is hunted in period {p} only with a farmer there to take the new "
                "clients (handover_requires_farmer)",
            )
            for lit in hunters:
                b.model.add(lit <= tv.counted_farmers[p]).only_enforce_if(g)
