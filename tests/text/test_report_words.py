"""The demo report's words: every text it asks for exists, every code it shows has words,
and the English report of a Chinese shop shows no Chinese except customers' own words."""

from __future__ import annotations

import html
import json
import re

import pytest

from clientlens import Workspace
from clientlens.demo import generate, load_demo
from clientlens.report import build_report
from clientlens.text.catalog import Catalog

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory):
    ws = Workspace.init(tmp_path_factory.mktemp("words") / "ws", settings={"today": "2026-11-24"})
    load_demo(ws, generate(600, seed=2, locale="zh"))
    result = ws.analyze()
    assert not result.failed, [(o.name, o.reason) for o in result.failed]
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def reports(demo_ws, tmp_path_factory):
    """Both languages' HTML, with every catalog lookup made while building them."""
    asked: list[tuple[str, str]] = []
    unnamed: list[tuple[str, str]] = []
    template, name = Catalog.template, Catalog.name

    def recording_template(self: Catalog, key: str) -> str:
        asked.append((self.lang, key))
        return template(self, key)

    def recording_name(self: Catalog, area: str, code: object) -> str:
        if f"{area}.{code}" not in self:
            unnamed.append((self.lang, f"{area}.{code}"))
        return name(self, area, code)

    out = tmp_path_factory.mktemp("out")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Catalog, "template", recording_template)
        mp.setattr(Catalog, "name", recording_name)
        paths = {
            lang: build_report(demo_ws, lang=lang, formats=("html", "xlsx"), out_dir=out)
            for lang in ("zh", "en")
        }
    return paths, asked, unnamed


@pytest.mark.slow
def test_the_demo_report_asks_only_for_texts_that_exist(reports):
    paths, asked, unnamed = reports
    # A missing key raises while building; these say the build read the catalog throughout.
    for lang in ("zh", "en"):
        keys = {k for lg, k in asked if lg == lang}
        assert {"report.title", "section.segments", "segment.rfm8.important_value"} <= keys
        assert {"stage.at_risk", "weekday.0", "abc.A", "format.month"} <= keys
        assert paths[lang]["html"].is_file()
    assert unnamed == []  # every code in the results has words


def _shown(path) -> tuple[str, dict[str, str]]:
    """The HTML's visible text (no scripts) and each chart spec's JSON."""
    page = path.read_text(encoding="utf-8")
    body = page[page.index("<body") :]
    specs = dict(
        re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', body, re.S)
    )
    text = html.unescape(
        re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", body, flags=re.S))
    )
    return text, specs


def _customers_own_words(ws: Workspace) -> list[str]:
    """Customer names and feedback comments: quoted as they are in any language."""
    names = ws.table("customers").select("name").to_pandas()["name"].dropna().tolist()
    comments = ws.table("feedback").select("comment").to_pandas()["comment"].dropna().tolist()
    return sorted(set(names) | set(comments), key=len, reverse=True)


@pytest.mark.slow
def test_english_report_of_a_chinese_shop_shows_english(reports, demo_ws):
    paths, _, _ = reports
    text, specs = _shown(paths["en"]["html"])
    zh_text, zh_specs = _shown(paths["zh"]["html"])
    assert CJK.search(zh_text) and any(CJK.search(s) for s in zh_specs.values())  # can fail
    assert {"spec-profile-profile_province", "spec-purchase-category_mix"} <= set(specs)
    for own in _customers_own_words(demo_ws):
        text = text.replace(own, "")
        specs = {
            k: s.replace(json.dumps(own, ensure_ascii=False)[1:-1], "") for k, s in specs.items()
        }
    assert sorted(set(CJK.findall(text))) == []
    leaking = {k: sorted(set(CJK.findall(s)))[:10] for k, s in specs.items() if CJK.search(s)}
    assert leaking == {}
    assert "Guangdong" in specs["spec-profile-profile_province"]
    assert "Apparel &amp; bags" in text or "Apparel & bags" in specs["spec-purchase-category_mix"]
