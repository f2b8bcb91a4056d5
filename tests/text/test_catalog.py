"""The text catalog: both languages hold the same keys with the same fields, every key the
code asks for exists, and every code a result table can carry has words."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from clientlens.analytics.lifecycle.lifecycle_rules import NONE, STAGE_CODES
from clientlens.analytics.purchase.trends import METRICS
from clientlens.analytics.segments.segments_catalog import SCHEMES
from clientlens.analytics.value.clv import SEGMENT_CODES
from clientlens.analytics.value.clv_selection import note_text
from clientlens.analytics.value.value_summary import ABC_CLASSES, TOP_PERCENTS
from clientlens.errors import ConfigError
from clientlens.text import LANGUAGES, catalog, detect_language, text

PACKAGE = Path(__file__).resolve().parents[2] / "clientlens"


def _fields(template: str) -> list[tuple[str, str]]:
    """The ``{name:spec}`` fields of a template, in order of first use."""
    out = []
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is not None and (name, spec or "") not in out:
            out.append((name, spec or ""))
    return out


def test_both_languages_have_the_same_keys_and_fields():
    zh, en = catalog("zh"), catalog("en")
    assert list(zh) == list(en)  # same keys, in the same order (one line per key)
    different = {k: (zh[k], en[k]) for k in zh if sorted(_fields(zh[k])) != sorted(_fields(en[k]))}
    assert different == {}
    assert len(zh) > 350


def test_every_text_is_filled_in_and_formats():
    for lang in LANGUAGES:
        c = catalog(lang)
        empty = [k for k in c if not c[k].strip() and k != "clv_note.join"]
        assert empty == [], lang
        for key in c:
            # every field filled with a number formats (the specs in the catalog are numeric)
            c(key, **{name: 1 for name, _ in _fields(c[key])})


def test_a_missing_key_and_an_unknown_language_say_what_is_wrong():
    with pytest.raises(KeyError, match=r"en text catalog has no key 'report\.nope'"):
        text("en", "report.nope")
    with pytest.raises(ConfigError, match="language 'fr' is not supported"):
        text("fr", "report.title")
    assert catalog("en").name("stage", "not_a_stage") == "not_a_stage"


def test_language_rule_of_messages(monkeypatch):
    monkeypatch.delenv("CLIENTLENS_LANGUAGE", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert detect_language() == "zh"
    assert detect_language("en") == "en"  # --lang wins
    monkeypatch.setenv("CLIENTLENS_LANGUAGE", "en")
    assert detect_language() == "en"
    monkeypatch.delenv("CLIENTLENS_LANGUAGE")
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert detect_language("fr") == "en"


# -- every key the code asks for --------------------------------------------------------

# The catalog calls and where their key is: ctx.t(key), t(key), text(lang, key) and
# ctx.name(area, code) -> (index of the key argument, area prefix).
_CALLS = {"t": (0, ""), "text": (1, ""), "name": (0, "")}
_PREFIXED = {"cli.py": "cli.", "models/charts.py": "chart."}
"""Modules whose ``_t(key)`` adds an area prefix."""


def _literal_keys() -> tuple[set[str], set[str]]:
    """Keys the package spells out (exact), and the fixed prefixes of keys it builds
    (``f"kpi.{kpi}"`` -> ``kpi.``), from every catalog call in the source."""
    exact: set[str] = set()
    prefixes: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            on_ctx = isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "ctx"
            if fname == "_t" and rel in _PREFIXED:
                index, prefix = 0, _PREFIXED[rel]
            elif fname == "name" and not on_ctx:
                continue  # an Ibis expression's .name(), not the catalog's
            elif fname in _CALLS:
                index, prefix = _CALLS[fname]
            else:
                continue
            if len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                if fname == "name":
                    prefixes.add(arg.value + ".")
                else:
                    exact.add(prefix + arg.value)
            elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                prefixes.add(prefix + str(arg.values[0].value))
            elif isinstance(arg, ast.BinOp) and isinstance(arg.left, ast.Constant):
                prefixes.add(prefix + str(arg.left.value))
    return exact, prefixes


def test_every_key_the_code_spells_out_exists():
    exact, prefixes = _literal_keys()
    keys = set(catalog("en"))
    assert len(exact) > 150  # the scan finds the calls
    assert sorted(exact - keys) == []
    assert sorted(p for p in prefixes if not any(k.startswith(p) for k in keys)) == []


def test_every_key_the_templates_and_cli_loops_ask_for_exists():
    import re

    keys = set(catalog("en"))
    template = (PACKAGE / "report" / "templates" / "report.html.j2").read_text(encoding="utf-8")
    used = set(re.findall(r"\bt\('([^']+)'", template))
    assert "section.summary" in used and sorted(used - keys) == []
    # cli.py names table headers, kinds and statuses in tuples and expressions it hands _t
    cli = ast.parse((PACKAGE / "cli.py").read_text(encoding="utf-8"))
    words = {
        n.value
        for n in ast.walk(cli)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and n.value.startswith(("col_", "kind_"))
    }
    assert len(words) >= 15 and sorted(f"cli.{w}" for w in words if f"cli.{w}" not in keys) == []
    assert {"cli.status_ok", "cli.status_skipped", "cli.status_failed"} <= keys


# -- every code a result can carry has words ---------------------------------------------


def test_every_result_code_has_words_in_both_languages():
    wanted = [f"segment.{s}.{seg.code}" for s, segs in SCHEMES.items() for seg in segs]
    wanted += [f"segment_action.{s}.{seg.code}" for s, segs in SCHEMES.items() for seg in segs]
    wanted += [f"stage.{c}" for c in (NONE, *STAGE_CODES)]
    wanted += [f"weekday.{d}" for d in range(7)]
    wanted += [f"kpi.{m}" for m in METRICS]
    wanted += [f"abc.{c}" for c in ABC_CLASSES]
    wanted += [f"clv_segment.{c}" for c in SEGMENT_CODES]
    wanted += ["group.all", "group.unknown", "value_group.top_share", "value_group.gini"]
    for lang in LANGUAGES:
        assert [k for k in wanted if k not in catalog(lang)] == [], lang
    assert text("en", "value_group.top_share", pct=TOP_PERCENTS[-1]) == "Top 20% of customers"


@pytest.mark.parametrize(
    ("key", "zh", "en"),
    [
        ("segment.rfm11.champions", "冠军客户", "Champions"),
        ("segment.rfm11.lost", "已流失客户", "Lost"),
        ("segment.rfm8.important_develop", "重要发展客户", "High-value new"),
        ("segment.rfm8.general_retain", "一般保持客户", "Low-value slipping"),
        ("segment_action.rfm11.champions", "奖励、新品优先体验、邀请推荐", None),
        ("stage.dormant", "沉睡", "Dormant"),
        ("stage.new", "新客", "New"),
        ("stage.reactivated", "回流", "Reactivated"),
        ("weekday.6", "周日", "Sunday"),
        ("kpi.repeat_rate", "当月复购率", "Repeat-purchase rate (month)"),
        ("abc.A", "A类客户（核心）", "Class A (core)"),
        ("clv_segment.high", "高价值客户", "High value"),
        ("group.unknown", "未知", "Unknown"),
    ],
)
def test_codes_read_as_before_in_both_languages(key, zh, en):
    assert text("zh", key) == zh
    if en is not None:
        assert text("en", key) == en


def test_the_8_segments_have_english_names_an_analyst_would_write():
    en = {seg.code: seg.name("en") for seg in SCHEMES["rfm8"]}
    assert en == {
        "important_value": "High-value loyal",
        "important_develop": "High-value new",
        "important_retain": "High-value slipping",
        "important_winback": "High-value lapsed",
        "general_value": "Low-value loyal",
        "general_develop": "Low-value new",
        "general_retain": "Low-value slipping",
        "general_winback": "Low-value lapsed",
    }
    assert [seg.name("zh") for seg in SCHEMES["rfm8"]][:2] == ["重要价值客户", "重要发展客户"]


def test_clv_notes_are_worded_from_codes_and_values():
    params = '{"model": "BG/NBD", "holdout_days": 91, "calibration_end": "2024-03-31"}'
    assert note_text("en", "chosen", params).startswith(
        "BG/NBD chosen: lowest holdout MAE per customer over 91 days after 2024-03-31"
    )
    assert note_text("zh", "chosen", params).startswith(
        "选择 BG/NBD 模型：在 2024-03-31 之后 91 天"
    )
    both = '{"model": "BG/NBD", "holdout_days": 91, "calibration_end": "2024-03-31", "detail": "x"}'
    assert note_text("en", "chosen final_not_converged", both).endswith(
        "aggregate error). Final fit: did not converge (x)."
    )
    assert note_text("zh", "chosen final_not_converged", both).endswith("。最终拟合未收敛（x）。")
