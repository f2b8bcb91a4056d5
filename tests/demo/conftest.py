"""Demo data shared by the demo tests: generated once per session (small sizes)."""

from __future__ import annotations

import pytest

from clientlens.demo import DemoData, generate


@pytest.fixture(scope="session")
def demo_zh() -> DemoData:
    return generate(2_000, seed=11, locale="zh")


@pytest.fixture(scope="session")
def demo_en() -> DemoData:
    return generate(2_000, seed=11, locale="en")


@pytest.fixture(scope="session")
def demo_large() -> DemoData:
    """Enough customers for the statistical checks of the process (about 1 s)."""
    return generate(8_000, seed=5, locale="zh")
