"""The hard rules of spec section 3 over a territory-period or a whole period, as tests on its
head counts: the trainer seats, the office size (`max_reps`), the farmer floor
(`min_farmers`), the hand-over farmer and the prospect supply.

`optimizer.simulate.rules` reports a violation where one of these is false for the plan's
counts; the greedy asks the same functions with its counts plus the person it is about to
place. One definition of each rule serves both (the person rules are
`optimizer.simulate.person`).
"""

from __future__ import annotations

from optimizer.scenario import Scenario, Territory


def trainer_capacity(s: Scenario) -> int:
    return s.training.trainer_capacity if s.training else 0


def trainees_fit(s: Scenario, trainees: int) -> bool:
    """At most `trainer_capacity` trainees in a period."""
    return trainees <= trainer_capacity(s)


def office_fits(t: Territory, working: int) -> bool:
    """At most `max_reps` people working in the territory (hunters and farmers)."""
    return t.max_reps is None or working <= t.max_reps


def floor_met(t: Territory, counted: int) -> bool:
    """At least `min_farmers` farmers with a positive term."""
    return counted >= t.min_farmers


def handover_met(s: Scenario, hunters: int, counted: int) -> bool:
    """With `handover_requires_farmer`, a hunted territory has a counted farmer."""
    rotation = s.policy.active_rotation
    if rotation is None or not rotation.handover_requires_farmer:
        return True
    return not hunters or counted > 0


def farmers_needed(s: Scenario, t: Territory, hunters: int) -> int:
    """The fewest counted farmers that meet both the floor and the hand-over."""
    return max(t.min_farmers, 0 if handover_met(s, hunters, 0) else 1)


def pool_feeds(s: Scenario, pool: int, hunters: int) -> bool:
    """`pool >= min_prospects_per_hunter * hunters`, hunters by head."""
    need = s.policy.min_prospects_per_hunter
    return need <= 0 or pool >= need * hunters
