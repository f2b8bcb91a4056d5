"""The dashboard in a real headless Chromium (Debian's, through Playwright's
``executable_path``): log in, every page in both languages (one screenshot each, kept
in the test's directory or $WEB_SCREENSHOTS), a filter, a drill from a chart mark
to its customers and on to a customer 360 page, a report generated and downloaded, and
a viewer who sees masked phone numbers on pages, in API answers and in exports and gets
403 from admin pages and routes."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clientlens.text import catalog
from clientlens.web.pages import PAGES
from tests.conftest import CHROMIUM
from tests.web.conftest import PASSWORDS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(web_workspace: Path) -> Iterator[str]:
    import uvicorn

    from clientlens.web.app import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(web_workspace), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("WEB_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _log_in(browser: Any, server: str, role: str, lang: str = "zh") -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    words = catalog(lang)
    page.goto(f"{server}/login?lang={lang}")
    page.get_by_label(words["web.login.username"]).fill(role)
    page.get_by_label(words["web.login.password"]).fill(PASSWORDS[role])
    page.get_by_role("button", name=words["web.login.submit"]).click()
    page.wait_for_url("**/overview")
    return page


def test_every_page_in_both_languages_with_charts(browser, server, shots):
    page = _log_in(browser, server, "analyst")
    for lang in ("zh", "en"):
        words = catalog(lang)
        for p in PAGES:
            page.goto(f"{server}/{p.key}?lang={lang}")
            heading = page.get_by_role("heading", level=1, name=words[f"web.page.{p.key}"])
            assert heading.is_visible(), (lang, p.key)
            specs = page.locator("script.spec").count()
            if specs:
                page.locator(".vega svg").nth(specs - 1).wait_for()
            page.screenshot(path=str(shots / f"{lang}-{p.key}.png"), full_page=True)
        page.goto(f"{server}/reports?lang={lang}")
        page.screenshot(path=str(shots / f"{lang}-reports.png"), full_page=True)
    assert page.errors == []
    assert len(list(shots.glob("*.png"))) == 2 * (len(PAGES) + 1)


def test_filter_drill_to_customers_and_customer_360(browser, server):
    page = _log_in(browser, server, "analyst")
    words = catalog("zh")
    page.goto(f"{server}/customers")
    page.get_by_label(words["web.filters.region"]).fill("广东")
    page.get_by_role("button", name=words["web.filters.apply"]).click()
    page.wait_for_url("**region=*")
    count = words["web.customers.count"].format(count="2")
    assert page.get_by_text(count, exact=True).is_visible()  # the subset note also says it
    # a segment's bar on the Segments page lists that segment's customers
    page.goto(f"{server}/segments")
    mark = page.locator("#section-segments .vega path[aria-roledescription='bar']").first
    mark.wait_for()
    mark.click()
    page.wait_for_url("**/customers?segment=*")
    segment = page.url.split("segment=")[1].split("#")[0].split("&")[0]
    rows = page.locator("#customer-list tbody tr")
    listed = page.request.get(f"{server}/api/v1/customers?segment={segment}").json()
    assert listed["total"] >= 1 and rows.count() == listed["total"]
    assert all(segment in (r["segment"], r["segment8"]) for r in listed["rows"])
    rows.first.locator("a").click()
    page.wait_for_url("**/customers/*")
    assert page.get_by_role("heading", level=2, name=words["web.customer.orders"]).is_visible()
    assert page.errors == []


def test_a_filter_recomputes_the_summary_pages(browser, server, shots):
    page = _log_in(browser, server, "analyst", "en")
    words = catalog("en")
    page.goto(f"{server}/overview?lang=en")
    page.get_by_label(words["web.filters.region"]).fill("浙江")
    page.get_by_role("button", name=words["web.filters.apply"]).click()
    page.wait_for_url("**region=*")
    # the page shows the build's progress and reloads itself until the figures are ready
    state = page.locator('#subset-state[data-status="ready"]')
    state.wait_for(timeout=180_000)
    assert "Region: Zhejiang only (customers: 1)" in state.inner_text()
    page.screenshot(path=str(shots / "en-overview-region.png"), full_page=True)
    # every summary page reads the region's run, without building it again
    page.goto(f"{server}/value?lang=en&region=浙江")
    assert page.locator('#subset-state[data-status="ready"]').is_visible()
    cards = page.request.get(f"{server}/api/v1/kpis?region=浙江").json()
    assert cards["subset"]["customers"] == 1
    assert page.errors == []


def test_generate_and_download_a_report(browser, server, tmp_path):
    page = _log_in(browser, server, "analyst", lang="en")
    words = catalog("en")
    page.goto(f"{server}/reports?lang=en")
    page.get_by_role("button", name=words["web.reports.generate"]).click()
    link = page.locator("#report-jobs a[download]").filter(has_text=".html").first
    link.wait_for(timeout=120_000)  # the list reloads while the report is written
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.stat().st_size > 10_000 and "<html" in saved.read_text(encoding="utf-8")


def test_a_viewer_sees_masked_phones_and_no_admin(browser, server, tmp_path):
    page = _log_in(browser, server, "viewer")
    page.goto(f"{server}/customers?sort=customer_id&order=asc")
    table = page.locator("#customer-list").inner_text()
    assert "138****1234" in table and "13812341234" not in table
    api = page.request.get(f"{server}/api/v1/customers/a")
    assert api.ok and api.json()["profile"]["phone"] == "138****1234"
    with page.expect_download() as info:
        page.get_by_role("link", name=catalog("zh")["web.customers.export"]).click()
    saved = tmp_path / "export.csv"
    info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert "138****1234" in text and "13812341234" not in text
    for url in ("/admin/users", "/admin/audit"):
        assert page.goto(f"{server}{url}").status == 403
    for url in ("/api/v1/admin/users", "/api/v1/admin/audit"):
        assert page.request.get(f"{server}{url}").status == 403
    assert page.get_by_role("link", name=catalog("zh")["web.page.users"]).count() == 0
