import pytest

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
