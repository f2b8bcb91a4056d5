"""`clientlens init` asks for the currency; `clientlens settings --set` changes it later."""

from __future__ import annotations

import io
import sys
import tomllib

import pytest

from clientlens import Workspace
from clientlens.cli import main
from clientlens.config import write_setting
from clientlens.errors import ConfigError


def _run(monkeypatch, capsys, *args: str, stdin: io.StringIO | None = None):
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.setattr(sys, "argv", ["clientlens", "--lang", "en", *args])
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", stdin)
    with pytest.raises(SystemExit) as exit_info:
        main()
    out = capsys.readouterr()
    return int(exit_info.value.code or 0), out.out, out.err


class _Terminal(io.StringIO):
    """Standard input as a person at a terminal types it."""

    def isatty(self) -> bool:
        return True


def _toml(path) -> dict:
    return tomllib.loads((path / "clientlens.toml").read_text(encoding="utf-8"))


def test_init_currency_option_is_written_to_the_workspace(tmp_path, monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, "init", str(tmp_path / "ws"), "--currency", "brl")
    assert code == 0
    assert _toml(tmp_path / "ws") == {"currency": "BRL"}
    assert "Currency: BRL (change it with `clientlens settings --set currency=USD`)" in out
    assert Workspace(tmp_path / "ws").config.currency == "BRL"


def test_init_in_a_script_takes_the_default_without_asking(tmp_path, monkeypatch, capsys):
    # pytest's standard input is no terminal, as in a script or CI: no prompt, CNY, said so
    code, out, _ = _run(monkeypatch, capsys, "init", str(tmp_path / "ws"), stdin=io.StringIO(""))
    assert code == 0
    assert _toml(tmp_path / "ws") == {"currency": "CNY"}
    assert "Currency of the amounts" not in out
    assert "Currency: CNY" in out


def test_init_at_a_terminal_asks_for_the_currency(tmp_path, monkeypatch, capsys):
    code, out, _ = _run(monkeypatch, capsys, "init", str(tmp_path / "ws"), stdin=_Terminal("eur\n"))
    assert code == 0
    assert "Currency of the amounts in your data (three-letter code" in out
    assert _toml(tmp_path / "ws") == {"currency": "EUR"}


def test_a_bad_currency_is_one_line_and_creates_nothing(tmp_path, monkeypatch, capsys):
    code, _, err = _run(monkeypatch, capsys, "init", str(tmp_path / "ws"), "--currency", "yuan")
    assert code == 2
    assert err.strip() == (
        "Error: --currency: setting 'currency': 'yuan' is not a currency code: write its "
        "three letters, e.g. CNY, USD, EUR, BRL."
    )
    assert not (tmp_path / "ws").exists()


def test_settings_set_changes_the_currency_later(tmp_path, monkeypatch, capsys):
    Workspace.init(tmp_path / "ws", currency="CNY").close()
    code, out, _ = _run(
        monkeypatch,
        capsys,
        "--workspace",
        str(tmp_path / "ws"),
        "settings",
        "--set",
        "currency=usd",
    )
    assert code == 0
    assert "Saved currency = 'USD'" in out
    text = (tmp_path / "ws" / "clientlens.toml").read_text(encoding="utf-8")
    assert text.count("currency") == 1  # the line was replaced, the comments kept
    assert "# engine = " in text
    assert Workspace(tmp_path / "ws").config.sources["currency"].endswith("clientlens.toml")
    assert Workspace(tmp_path / "ws").config.currency == "USD"


def test_write_setting_adds_a_line_above_the_first_table(tmp_path):
    (tmp_path / "clientlens.toml").write_text(
        '[mapping.orders]\n"交易流水号" = "order_id"\n', encoding="utf-8"
    )
    assert write_setting(tmp_path, "rfm_bins", "4") == 4
    assert _toml(tmp_path) == {"rfm_bins": 4, "mapping": {"orders": {"交易流水号": "order_id"}}}
    with pytest.raises(ConfigError, match="setting 'rfm_bins' must be of type int"):
        write_setting(tmp_path, "rfm_bins", "four")
    assert _toml(tmp_path)["rfm_bins"] == 4  # a refused value changes nothing
