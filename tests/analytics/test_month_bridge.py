"""The revenue bridge (revenue_bridge) and KPI targets (kpi_targets) on orders worked by hand."""

from __future__ import annotations

import datetime as dt
import math

import ibis
import pandas as pd
import pytest

from clientlens.analytics.kpis.bridge import revenue_bridge
from clientlens.analytics.kpis.targets import KpiTargets, kpi_targets
from clientlens.config import load_config
from clientlens.errors import ConfigError


def _orders(rows: list[tuple[str, str, float]]) -> ibis.Table:
    frame = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return ibis.memtable(frame)


def _bridge(rows, end: str) -> pd.DataFrame:
    out = revenue_bridge(_orders(rows), observation_end=dt.date.fromisoformat(end)).to_pandas()
    return out.set_index(["period_label", "comparison"])


def test_the_three_factors_and_new_and_returning_add_up_to_the_change():
    rows = [
        # January: a 2 orders (100 + 50), b 1 order (60): 3 orders, 2 customers, ¥210
        ("a", "2024-01-03", 100.0),
        ("a", "2024-01-20", 50.0),
        ("b", "2024-01-09", 60.0),
        # February: a 1 order (80), b 1 (40), c new (30): 3 orders, 3 customers, ¥150
        ("a", "2024-02-02", 80.0),
        ("b", "2024-02-11", 40.0),
        ("c", "2024-02-15", 30.0),
    ]
    bridge = _bridge(rows, "2024-02-29")
    feb = bridge.loc[("2024-02", "mom")]
    assert feb["base_period_label"] == "2024-01"
    assert feb["change"] == pytest.approx(150.0 - 210.0)
    # LMDI by hand: L = (150 − 210) / ln(150 / 210)
    mean = (150.0 - 210.0) / math.log(150.0 / 210.0)
    assert feb["customers_effect"] == pytest.approx(mean * math.log(3 / 2))
    assert feb["frequency_effect"] == pytest.approx(mean * math.log((3 / 3) / (3 / 2)))
    assert feb["aov_effect"] == pytest.approx(mean * math.log((150 / 3) / (210 / 3)))
    effects = feb["customers_effect"] + feb["frequency_effect"] + feb["aov_effect"]
    assert effects == pytest.approx(feb["change"])
    # c is February's new customer (¥30); January's new were a and b (¥210)
    assert feb["new_revenue"] == pytest.approx(30.0)
    assert feb["new_change"] == pytest.approx(30.0 - 210.0)
    assert feb["returning_change"] == pytest.approx(120.0 - 0.0)
    # no February a year before: nothing to compare with
    assert pd.isna(bridge.loc[("2024-02", "yoy")]["change"])


def test_a_month_after_a_seasonal_peak_and_last_year_s_change():
    rows = []
    # two years of ¥100 a month from one customer, each November ¥300 (the peak)
    for year in (2023, 2024):
        for month in range(1, 13):
            amount = 300.0 if month == 11 else 100.0
            rows.append(("a", f"{year}-{month:02d}-10", amount))
    rows.append(("b", "2024-12-12", 50.0))  # December 2024: ¥150
    bridge = _bridge(rows, "2024-12-31")
    dec = bridge.loc[("2024-12", "mom")]
    assert bool(dec["after_peak"])  # November was the highest of its 12 and ≥ 1.2 × mean
    assert dec["change_relative"] == pytest.approx(150 / 300 - 1)
    assert dec["last_year_change"] == pytest.approx(100 / 300 - 1)  # Dec 2023 after Nov 2023
    assert bridge.loc[("2024-12", "yoy")]["change_relative"] == pytest.approx(150 / 100 - 1)
    # November 2023 has no 12 months before it: no peak is called on less history
    assert not bool(bridge.loc[("2023-12", "mom")]["after_peak"])
    assert not bool(bridge.loc[("2024-11", "mom")]["after_peak"])


def _kpis() -> ibis.Table:
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2024-06-01"] * 3),
            "period_label": ["2024-06"] * 3,
            "is_complete": [True] * 3,
            "kpi": ["revenue", "churn_rate", "orders"],
            "unit": ["currency", "ratio", "count"],
            "value": [900.0, 0.25, 40.0],
        }
    )
    return ibis.memtable(frame)


def test_targets_are_met_above_or_below_as_the_kpi_wants():
    goals = KpiTargets("revenue=1000; churn_rate=0.3").targets
    out = kpi_targets(_kpis(), goals).to_pandas().set_index("kpi")
    assert list(out.index) == ["churn_rate", "revenue"]  # orders has no target
    assert out.loc["revenue", "gap"] == pytest.approx(-100.0)
    assert out.loc["revenue", "gap_relative"] == pytest.approx(-0.1)
    assert not out.loc["revenue", "met"]
    assert out.loc["churn_rate", "met"]  # 25% churn is better than a 30% target
    assert kpi_targets(_kpis(), {}).to_pandas().empty


def test_targets_from_clientlens_toml_and_clear_errors(tmp_path):
    (tmp_path / "clientlens.toml").write_text(
        "[kpi_targets]\nrevenue = 2000000\nrepeat_rate = 0.45\n", encoding="utf-8"
    )
    config = load_config(tmp_path, environ={})
    assert config.values["kpi_targets"].targets == {"revenue": 2_000_000.0, "repeat_rate": 0.45}
    assert str(config.values["kpi_targets"]) == "repeat_rate=0.45; revenue=2000000"
    assert (
        KpiTargets(str(config.values["kpi_targets"])).targets
        == config.values["kpi_targets"].targets
    )
    with pytest.raises(ConfigError, match="'sales' is not a KPI code"):
        KpiTargets("sales=10")
    with pytest.raises(ConfigError, match="write rates as shares"):
        KpiTargets({"repeat_rate": 45})
    with pytest.raises(ConfigError, match="is not a number"):
        KpiTargets("revenue=lots")
    env = load_config(tmp_path, environ={"CLIENTLENS_KPI_TARGETS": "nps=40"})
    assert env.values["kpi_targets"].targets == {"nps": 40.0}


def test_settings_set_replaces_a_targets_table(tmp_path):
    from clientlens.config import write_setting

    toml = tmp_path / "clientlens.toml"
    toml.write_text(
        'language = "en"\n\n[kpi_targets]\nrevenue = 1\nnps = 2\n\n[mapping.orders]\n"单号" = "order_id"\n',
        encoding="utf-8",
    )
    write_setting(tmp_path, "kpi_targets", "revenue=2000000")
    config = load_config(tmp_path, environ={})
    assert config.values["kpi_targets"].targets == {"revenue": 2_000_000.0}
    assert config.mappings == {"orders": {"单号": "order_id"}}  # the other table is kept
    assert "[kpi_targets]" not in toml.read_text(encoding="utf-8")
