import subprocess
import sys

import pytest

from clientlens import config
from clientlens.config import load_config, settings_markdown
from clientlens.errors import ConfigError
from tests.conftest import REPO


def test_priority_defaults_file_env_overrides(tmp_path):
    (tmp_path / "clientlens.toml").write_text(
        'rfm_bins = 4\ncurrency = "USD"\n[mapping.orders]\n"流水号" = "order_id"\n'
    )
    cfg = load_config(tmp_path, environ={"CLIENTLENS_CURRENCY": "EUR"})
    assert (cfg.rfm_bins, cfg.currency, cfg.language) == (4, "EUR", "zh")
    assert cfg.sources["rfm_bins"].endswith("clientlens.toml")
    assert cfg.sources["currency"] == "CLIENTLENS_CURRENCY"
    assert cfg.mapping("orders") == {"流水号": "order_id"}
    cfg = load_config(tmp_path, overrides={"rfm_bins": "3"}, environ={})
    assert (cfg.rfm_bins, cfg.sources["rfm_bins"]) == (3, "command line")


def test_bad_values_name_the_source(tmp_path):
    (tmp_path / "clientlens.toml").write_text('rfm_bins = "many"\n')
    with pytest.raises(
        ConfigError, match=r"clientlens.toml: setting 'rfm_bins' must be of type int"
    ):
        load_config(tmp_path, environ={})
    with pytest.raises(ConfigError, match="one of zh, en"):
        load_config(None, environ={"CLIENTLENS_LANGUAGE": "fr"})
    with pytest.raises(ConfigError, match="Unknown setting 'colour'"):
        load_config(None, overrides={"colour": "red"}, environ={})


def test_settings_doc_is_generated_from_the_declaration():
    assert (REPO / "docs/settings.md").read_text(encoding="utf-8") == settings_markdown()


def test_analysis_settings_are_part_of_the_settings_with_their_users():
    names = [s.name for s in config.SETTINGS]
    assert names[: len(config.CORE_SETTINGS)] == [s.name for s in config.CORE_SETTINGS]
    assert {"rfm_bins", "churn_window_days", "lifecycle_dormant_days", "clv_margin"} <= set(names)
    assert "rfm_bins" not in {s.name for s in config.CORE_SETTINGS}
    assert len(names) == len(set(names))
    assert config.used_by("rfm_bins") == ("rfm_scores",)
    assert config.used_by("lifecycle_dormant_days") == ("lifecycle_stages", "lifecycle_transitions")
    assert config.used_by("seed") == ()
    # the table of analysis settings names the analyses that use each
    assert (
        "| `rfm_bins` | int | `5` | `CLIENTLENS_RFM_BINS` | `rfm_scores` | Number of quantile "
        in settings_markdown()
    )


def test_band_edges_are_parsed_where_they_are_given(tmp_path):
    (tmp_path / "clientlens.toml").write_text("profile_age_bands = [20, 40]\n")
    cfg = load_config(tmp_path, environ={"CLIENTLENS_PROFILE_INCOME_BANDS": "1000, 5000"})
    assert (tuple(cfg.profile_age_bands), tuple(cfg.profile_income_bands)) == (
        (20, 40),
        (1000, 5000),
    )
    with pytest.raises(
        ConfigError,
        match=r"CLIENTLENS_PROFILE_AGE_BANDS: setting 'profile_age_bands': band edges must be "
        r"increasing",
    ):
        load_config(None, environ={"CLIENTLENS_PROFILE_AGE_BANDS": "30,20"})


def test_assignments_are_parsed_by_their_declarations():
    assert config.parse_assignments(["rfm_bins=4", "clv_margin = 0.3"]) == {
        "rfm_bins": 4,
        "clv_margin": 0.3,
    }
    assert type(config.parse_assignments(["clv_margin=1"])["clv_margin"]) is float
    with pytest.raises(
        ConfigError, match=r"^--set rfm_bins=x: setting 'rfm_bins' must be of type int"
    ):
        config.parse_assignments(["rfm_bins=x"])
    with pytest.raises(ConfigError, match=r"--set rfm_bin=4: Unknown setting 'rfm_bin' \(did you"):
        config.parse_assignments(["rfm_bin=4"])
    with pytest.raises(ConfigError, match="write it as NAME=VALUE"):
        config.parse_assignments(["rfm_bins"])
    with pytest.raises(ConfigError, match="must be one of mean, median"):
        config.parse_assignments(["rfm_threshold=mode"])


def test_config_gathers_the_analyses_only_when_asked():
    code = (
        "import sys, clientlens.config as c\n"
        "before = 'clientlens.analytics.registry' in sys.modules\n"
        "n = len(c.SETTINGS)\n"
        "print(before, 'clientlens.analytics.registry' in sys.modules, n > len(c.CORE_SETTINGS))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    assert out.split() == ["False", "True", "True"]
