"""The rules that decide whether a change may be called a rise or a fall."""

from __future__ import annotations

import math

import pytest

from clientlens.report.insights import (
    Fact,
    Finding,
    Source,
    assess_change,
    count_p_value,
    nps_standard_error,
    proportion_p_value,
    rank,
)

SRC = Source("kpis", "value")


def test_two_proportion_z_test_by_hand():
    # 0.30 of 1000 vs 0.25 of 1000: pooled 0.275, se = sqrt(.275*.725*(2/1000)) = 0.019969
    # z = 0.05 / 0.019969 = 2.5039, two-sided p = 0.01228
    assert proportion_p_value(0.30, 1000, 0.25, 1000) == pytest.approx(0.01228, abs=1e-4)


def test_nps_standard_error_and_poisson_test_by_hand():
    # 40% promoters, 20% detractors, n = 100: var = .6 - .04 = .56, se = 100*sqrt(.0056) = 7.483
    assert nps_standard_error(0.4, 0.2, 100) == pytest.approx(7.4833, abs=1e-3)
    # 120 vs 100: z = 20 / sqrt(220) = 1.3484, p = 0.1775
    assert count_p_value(120, 100) == pytest.approx(0.1775, abs=1e-3)


def test_a_material_significant_fall_in_a_rate_is_a_fall():
    fact = Fact("r", 0.25, "rate", SRC, previous=0.30, n=1000, n_previous=1000)
    change = assess_change(fact)
    assert change is not None and change.direction == "down"
    assert change.absolute == pytest.approx(-0.05)


def test_the_same_fall_on_a_small_sample_is_noise():
    fact = Fact("r", 0.25, "rate", SRC, previous=0.30, n=40, n_previous=40)
    change = assess_change(fact)
    assert change is not None and change.material and not change.significant
    assert change.direction == "flat"


def test_an_immaterial_rate_change_is_flat_however_large_the_sample():
    fact = Fact("r", 0.305, "rate", SRC, previous=0.30, n=10**7, n_previous=10**7)
    change = assess_change(fact)
    assert change is not None and not change.material and change.direction == "flat"


def test_amounts_are_judged_by_materiality_alone():
    up = assess_change(Fact("rev", 1060.0, "money", SRC, previous=1000.0))
    flat = assess_change(Fact("rev", 1040.0, "money", SRC, previous=1000.0))
    assert up is not None and up.direction == "up" and up.relative == pytest.approx(0.06)
    assert flat is not None and flat.direction == "flat"
    looser = assess_change(
        Fact("rev", 1040.0, "money", SRC, previous=1000.0),
        rules={"report_min_relative_change": 0.03},
    )
    assert looser is not None and looser.direction == "up"


def test_counts_need_the_poisson_test():
    # +20% but 12 vs 10 customers is noise; 1200 vs 1000 is not.
    small = assess_change(Fact("n", 12.0, "count", SRC, previous=10.0))
    large = assess_change(Fact("n", 1200.0, "count", SRC, previous=1000.0))
    assert small is not None and small.direction == "flat" and small.p_value > 0.5
    assert large is not None and large.direction == "up"


def test_nps_change_uses_its_standard_error():
    extra = {
        "promoters": 0.5,
        "detractors": 0.2,
        "promoters_previous": 0.4,
        "detractors_previous": 0.2,
    }
    few = Fact("nps", 30.0, "score", SRC, previous=20.0, n=50, n_previous=50, extra=extra)
    many = Fact("nps", 30.0, "score", SRC, previous=20.0, n=5000, n_previous=5000, extra=extra)
    assert assess_change(few).direction == "flat"  # type: ignore[union-attr]
    assert assess_change(many).direction == "up"  # type: ignore[union-attr]


def test_no_base_means_no_change():
    assert assess_change(Fact("x", 1.0, "money", SRC)) is None
    assert assess_change(Fact("x", 1.0, "money", SRC, previous=math.nan)) is None


def test_findings_rank_by_absolute_impact_and_respect_the_limit():
    findings = [
        Finding("a", "s", [], {}, impact=10, compared=True),
        Finding("b", "s", [], {}, impact=-50, compared=True),
        Finding("c", "s", [], {}, impact=30, headline=False, compared=True),
        Finding("d", "s", [], {}, impact=20, compared=True),
        # a standing figure, however large, is structure: not in the summary
        Finding("e", "s", [], {}, impact=99),
    ]
    assert [f.key for f in rank(findings, limit=2)] == ["b", "d"]
    findings.append(Finding("revenue", "s", [], {}, impact=1, pinned=True, compared=True))
    assert [f.key for f in rank(findings, limit=2)] == ["revenue", "b"]
    fact = Fact("k", 1.0, "count", Source("t", "c"), previous=2.0)
    assert Finding("f", "s", [fact], {}, impact=1).is_change  # from its fact
