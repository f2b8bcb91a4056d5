"""Analyses declare their settings: registration checks them, the runner hands them typed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import clientlens.analytics.kpis as kpis_domain
from clientlens import Workspace
from clientlens.analytics import registry
from clientlens.analytics.base import Analysis, AnalysisContext, Column
from clientlens.analytics.runner import run_analyses
from clientlens.analytics.segments.rfm_segments import ANALYSES as RFM_ANALYSES
from clientlens.analytics.segments.rfm_segments import RFM_BINS
from clientlens.analytics.value.clv import CLV_MARGIN
from clientlens.config import Setting
from clientlens.errors import ConfigError

END = dt.date(2024, 1, 31)
RFM_SCORES = next(a for a in RFM_ANALYSES if a.name == "rfm_scores")


def _analysis(name: str, *settings: Setting, build=None) -> Analysis:
    def nothing(inputs, ctx):
        return pd.DataFrame({"x": [1]})

    return Analysis(
        name=name,
        requires=("orders",),
        build=build or nothing,
        settings=settings,
        columns={"x": Column("int64", "A number.", "一个数。")},
    )


def test_a_shared_declaration_lists_every_user():
    window = Setting("window_days", int, 30, "A window.")
    found = registry.declared_settings([_analysis("a", window), _analysis("b", window)])
    assert found["window_days"] == (window, ("a", "b"))


def test_a_name_declared_twice_with_another_default_fails_registration():
    first = _analysis("a", Setting("window_days", int, 30, "A window."))
    second = _analysis("b", Setting("window_days", int, 60, "A window."))
    with pytest.raises(
        ConfigError,
        match=r"Setting 'window_days' is declared twice, differently: by analysis 'a' "
        r"\(int, default 30\) and by analysis 'b' \(int, default 60\)",
    ):
        registry.declared_settings([first, second])
    # and a core setting cannot be redeclared by an analysis
    reseeded = _analysis("c", Setting("seed", int, 7, "Seed of every random step."))
    with pytest.raises(ConfigError, match="by the core settings"):
        registry.declared_settings(
            [reseeded], core=[Setting("seed", int, 0, "Seed of every random step.")]
        )


def test_the_registry_refuses_a_conflicting_analysis(monkeypatch):
    other_bins = Setting("rfm_bins", int, 4, RFM_BINS.help)
    monkeypatch.setattr(
        kpis_domain, "ANALYSES", [*kpis_domain.ANALYSES, _analysis("x", other_bins)]
    )
    with pytest.raises(ConfigError, match="'rfm_bins' is declared twice"):
        registry.all_analyses()


def test_a_default_must_be_a_value_of_its_own_declaration():
    with pytest.raises(ConfigError, match="must be one of a, b"):
        registry.declared_settings([_analysis("a", Setting("mode", str, "c", "Mode.", ("a", "b")))])


def test_context_gives_the_declared_default_parsed_values_and_refuses_undeclared():
    ctx = AnalysisContext(observation_end=END, settings={"rfm_bins": "4"})
    assert ctx.setting("rfm_bins") == 4 and type(ctx.setting("rfm_bins")) is int
    assert ctx.setting("clv_margin") == 1.0  # not given: the declared default
    with pytest.raises(ConfigError, match="Unknown setting 'colour'"):
        ctx.setting("colour")
    own = ctx.for_analysis(_analysis("probe", CLV_MARGIN))
    assert (own.setting("clv_margin"), own.setting("seed")) == (1.0, 0)  # own and core
    with pytest.raises(ConfigError, match="'probe' reads setting 'rfm_bins' but does not declare"):
        own.setting("rfm_bins")


def _orders() -> pd.DataFrame:
    # eight customers with eight different recencies
    return pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(8)],
            "customer_id": [f"c{i}" for i in range(8)],
            "order_date": pd.to_datetime([f"2024-01-{d:02d}" for d in range(2, 10)]),
            "amount": [10.0 * (i + 1) for i in range(8)],
        }
    )


def test_an_environment_value_reaches_the_analysis_typed(tmp_path, monkeypatch):
    monkeypatch.setenv("CLIENTLENS_RFM_BINS", "4")
    monkeypatch.setenv("CLIENTLENS_CLV_MARGIN", "1")
    seen: dict[str, object] = {}

    def probe(inputs, ctx):
        seen.update(bins=ctx.setting("rfm_bins"), margin=ctx.setting("clv_margin"))
        return pd.DataFrame({"x": [1]})

    def sneaky(inputs, ctx):
        return pd.DataFrame({"x": [ctx.setting("lifecycle_dormant_days")]})

    ws = Workspace.init(tmp_path / "ws", settings={"today": "2026-11-24"})
    try:
        ws.import_table("orders", _orders())
        result = run_analyses(
            ws,
            analyses=[
                RFM_SCORES,
                _analysis("probe", RFM_BINS, CLV_MARGIN, build=probe),
                _analysis("sneaky", build=sneaky),
            ],
        )
        scores = ws.table("rfm_scores").to_pandas()
    finally:
        ws.close()
    assert seen == {"bins": 4, "margin": 1.0}
    assert (type(seen["bins"]), type(seen["margin"])) == (int, float)
    assert sorted(set(scores.r_score)) == [1, 2, 3, 4]  # four scores, not five
    failed = {o.name: o.reason for o in result.failed}
    assert list(failed) == ["sneaky"]
    assert "reads setting 'lifecycle_dormant_days' but does not declare it" in failed["sneaky"]


def test_every_analysis_declares_the_settings_it_documents():
    # an analysis whose description or columns name a setting declares it
    names = {s.name for a in registry.all_analyses() for s in a.settings}
    for a in registry.all_analyses():
        text = " ".join([a.description, *map(str, a.columns.values())])
        mentioned = {n for n in names if n in text}
        assert mentioned <= {s.name for s in a.settings}, a.name
