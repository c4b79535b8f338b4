"""The terminal report: violations grouped by rule, entity and message, periods as ranges."""

from __future__ import annotations

from optimizer.plan import Violation
from optimizer.report.console import grouped_violations, period_ranges


def test_period_ranges():
    """Consecutive periods collapse into ranges."""
    assert period_ranges([0, 1, 2, 5, 7, 8]) == "periods 0-2, 5, 7-8"
    assert period_ranges([3]) == "period 3"


def test_grouped_violations_keep_distinct_messages_apart():
    """Same rule and entity with another message is another line; a None period shows none."""
    v = [
        Violation(rule="coverage.min_farmers", entity="A", period=p, message="0 farmers")
        for p in (0, 1, 2)
    ]
    v.append(Violation(rule="coverage.min_farmers", entity="A", period=4, message="1 farmer"))
    v.append(Violation(rule="hiring.max_hires", entity="hiring", period=None, message="3 > 2"))
    assert grouped_violations(tuple(v)) == [
        "[coverage.min_farmers] A (periods 0-2): 0 farmers",
        "[coverage.min_farmers] A (period 4): 1 farmer",
        "[hiring.max_hires] hiring: 3 > 2",
    ]
