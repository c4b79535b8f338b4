"""Fixtures; the builders live in `builders.py` so test modules can import them."""

from __future__ import annotations

from typing import Any

import pytest
from builders import tiny_data


@pytest.fixture
def data() -> dict[str, Any]:
    """A fresh tiny scenario (two territories, one rep) to change per test."""
    return tiny_data()
