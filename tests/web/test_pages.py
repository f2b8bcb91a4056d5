"""What the pages and the API show: every page answers in both languages with words from
the catalog; the customer list filters, sorts and pages; viewers see personal data masked
in pages, API answers and exports; reports are generated in the background and
downloaded (and audited); the user commands."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from clientlens.text import catalog
from clientlens.web.pages import PAGES

pytestmark = pytest.mark.slow  # the session's workspace is analysed once (~10 s)

RAW = ("13812341234", "zhangwei@example.com", "张伟")
MASKED = ("138****1234", "z***@example.com", "张*")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_answers_in_both_languages(login, lang):
    client = login("analyst")
    words = catalog(lang)
    for page in PAGES:
        r = client.get(f"/{page.key}?lang={lang}")
        assert r.status_code == 200, page.key
        assert f"<h1>{words['web.page.' + page.key]}</h1>" in r.text
        assert "Traceback" not in r.text
        api = client.get(f"/api/v1/{page.api}")
        assert api.status_code == 200 and api.json()["observation_end"] == "2024-06-30"
    overview = client.get(f"/overview?lang={lang}").text
    assert words["kpi.revenue"] in overview  # a KPI card of the latest month
    assert client.get("/customers/a?lang=" + lang).status_code == 200


def test_the_kpi_api_is_the_kpis_result_with_the_date_range(login):
    client = login("analyst")
    whole = client.get("/api/v1/kpis").json()["tables"]["kpis"]
    part = client.get("/api/v1/kpis?start=2024-05-01&end=2024-06-30").json()["tables"]["kpis"]
    assert whole["total"] > part["total"] > 0
    assert {row["period_label"] for row in part["rows"]} == {"2024-05", "2024-06"}
    revenue = [r for r in part["rows"] if r["kpi"] == "revenue" and r["period_label"] == "2024-06"]
    assert revenue[0]["value"] == pytest.approx(150.0 + 30.0 + 70.0)  # orders of June 2024


def _built(client, app, url):
    """``url``'s JSON once the filters' subset run is built (202 while it is)."""
    first = client.get(url)
    if first.status_code == 202:
        state = first.json()["subset"]
        assert state["status"] in {"queued", "building"}
        assert first.headers["Retry-After"]
        build = app.state.web.subsets.wait(state["key"], timeout=300)
        assert build is not None and build.status == "ready", build
    again = client.get(url)
    assert again.status_code == 200, again.text
    return again.json()


def test_a_region_filter_shows_the_region_s_own_figures(login, app):
    client = login("analyst")
    url = "/api/v1/kpis?" + urlencode({"region": "广东", "start": "2024-06-01"})
    data = _built(client, app, url)
    assert data["subset"]["status"] == "ready" and data["subset"]["customers"] == 2
    revenue = [r for r in data["tables"]["kpis"]["rows"] if r["kpi"] == "revenue"]
    june = [r for r in revenue if r["period_label"] == "2024-06"]
    assert june[0]["value"] == pytest.approx(150.0)  # customer a's June order; b bought none
    # the latest run of all customers is untouched, and the page says whose figures it shows
    whole = client.get("/api/v1/kpis?start=2024-06-01").json()
    assert whole["subset"] is None
    assert whole["run_id"] != data["run_id"]
    for lang, words in (("en", "Region: Guangdong only (customers: 2)"), ("zh", "地区：广东")):
        page = client.get("/overview?" + urlencode({"region": "广东", "lang": lang}))
        assert page.status_code == 200
        assert 'data-status="ready"' in page.text and words in page.text


def test_a_filter_nobody_matches_says_so(login, app):
    client = login("analyst")
    url = "/api/v1/segments?" + urlencode({"channel": "电视购物"})
    first = client.get(url)
    assert first.status_code == 202
    build = app.state.web.subsets.wait(first.json()["subset"]["key"], timeout=300)
    assert build is not None and build.status == "empty"
    page = client.get("/segments?channel=电视购物&lang=en")
    assert 'data-status="empty"' in page.text
    assert "No customer matches Channel: 电视购物" in page.text
    # the filter form offers the channels the customers have
    assert '<option value="自然流量">' in page.text
    assert "Traceback" not in page.text


def test_the_customer_list_filters_sorts_and_pages(login):
    client = login("analyst")
    everyone = client.get("/api/v1/customers?sort=revenue").json()
    assert everyone["total"] == 6
    assert [r["customer_id"] for r in everyone["rows"]][:2] == ["a", "b"]  # 320, 135
    assert everyone["rows"][0]["revenue"] == pytest.approx(320.0)
    guangdong = client.get("/api/v1/customers", params={"region": "广东"}).json()
    assert sorted(r["customer_id"] for r in guangdong["rows"]) == ["a", "b"]
    channel = client.get("/api/v1/customers", params={"channel": "搜索广告"}).json()
    assert sorted(r["customer_id"] for r in channel["rows"]) == ["b", "e"]
    ascending = client.get("/api/v1/customers?sort=customer_id&order=asc").json()
    assert [r["customer_id"] for r in ascending["rows"]] == list("abcdef")
    segment = everyone["rows"][0]["segment"]
    same = client.get(f"/api/v1/customers?segment={segment}").json()
    assert "a" in {r["customer_id"] for r in same["rows"]}
    assert all(r["segment"] == segment for r in same["rows"])


def test_customer_360_has_the_orders_and_the_profile(login):
    client = login("analyst")
    one = client.get("/api/v1/customers/a").json()
    assert one["profile"]["phone"] == "13812341234"
    assert [o["order_id"] for o in one["orders"]] == ["O2", "O1", "O0", "O9"]  # newest first
    assert one["rfm"]["orders"] == 4
    assert client.get("/api/v1/customers/nobody").status_code == 404
    page = client.get("/customers/a?lang=en").text
    assert "13812341234" in page and "Guangdong" in page  # province in English
    answered, waiting = sorted(one["tickets"], key=lambda k: k["ticket_id"])
    assert answered["first_response_at"].startswith("2024-05-02T10:15")
    assert waiting["first_response_at"] is None
    assert "first reply 2024-05-02 10:15" in page and "closed 2024-05-03 12:00" in page
    assert "awaiting a first reply" in page
    assert "首次响应 2024-05-02 10:15" in client.get("/customers/a?lang=zh").text


def test_viewers_see_personal_data_masked_everywhere(login):
    viewer, analyst = login("viewer"), login("analyst")
    for text in (
        viewer.get("/api/v1/customers?sort=customer_id&order=asc").text,
        viewer.get("/api/v1/customers/a").text,
        viewer.get("/customers?sort=customer_id&order=asc").text,
        viewer.get("/customers/a").text,
        viewer.get("/churn").text,
        viewer.get("/api/v1/exports/customers.csv").text,
    ):
        for raw in RAW:
            assert raw not in text
        assert MASKED[0] in text
    rows = list(
        csv.DictReader(
            io.StringIO(
                viewer.get("/api/v1/exports/customers.csv?sort=customer_id&order=asc").text.lstrip(
                    "\ufeff"
                )
            )
        )
    )
    assert (rows[0]["customer_id"], rows[0]["phone"], rows[0]["email"], rows[0]["name"]) == (
        "a",
        *MASKED,
    )
    assert RAW[0] in analyst.get("/api/v1/exports/customers.csv").text


def test_exports_and_report_downloads_are_audited(login):
    analyst, admin = login("analyst"), login("admin")
    assert analyst.get("/api/v1/exports/customers.csv?region=广东").status_code == 200
    r = analyst.post("/api/v1/reports", json={"lang": "en", "formats": ["html", "xlsx"]})
    assert r.status_code == 202
    job = r.json()["job_id"]
    for _ in range(240):
        status = analyst.get(f"/api/v1/reports/{job}").json()
        if status["status"] != "running":
            break
        time.sleep(0.5)
    assert status["status"] == "done", status
    html = next(f for f in status["files"] if f.endswith(".html"))
    download = analyst.get(f"/reports/{job}/{html}")
    assert download.status_code == 200 and "<html" in download.text
    assert RAW[0] not in download.text  # the report holds ids and figures only
    assert job in analyst.get("/reports").text
    rows = admin.get("/api/v1/admin/audit").json()["rows"]
    actions = [(r["username"], r["action"]) for r in rows]
    assert ("analyst", "export") in actions and ("analyst", "report_download") in actions


def test_the_templates_ask_only_for_keys_the_catalog_has():
    folder = Path(__file__).resolve().parents[2] / "clientlens" / "web" / "templates"
    keys = set(catalog("en"))
    asked = set()
    for path in folder.glob("*.html"):
        asked |= set(re.findall(r"t\('([a-z_.]+)'\)", path.read_text(encoding="utf-8")))
    assert len(asked) > 60
    assert sorted(asked - keys) == []


def _cli(workspace: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clientlens", "--lang", "en", "-w", str(workspace), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )


def test_the_user_commands(tmp_path):
    from clientlens.web.users import UserStore

    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "clientlens.toml").write_text("", encoding="utf-8")
    added = _cli(
        ws,
        "user",
        "add",
        "li.na",
        "--role",
        "analyst",
        "--password-stdin",
        stdin="a good password\n",
    )
    assert added.returncode == 0, added.stderr
    assert "User li.na added (analyst)." in added.stdout
    assert UserStore(ws).verify("li.na", "a good password").role == "analyst"
    short = _cli(ws, "user", "add", "bo", "--role", "viewer", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
    role = _cli(
        ws, "user", "add", "bo", "--role", "boss", "--password-stdin", stdin="a good password\n"
    )
    assert role.returncode == 2 and "admin, analyst or viewer" in role.stderr
    assert "li.na" in _cli(ws, "user", "list").stdout
    assert (
        _cli(
            ws, "user", "passwd", "li.na", "--password-stdin", stdin="another password\n"
        ).returncode
        == 0
    )
    assert UserStore(ws).verify("li.na", "a good password") is None
    stored = b"".join(p.read_bytes() for p in (ws / "web").glob("users.sqlite*"))
    assert b"a good password" not in stored and b"$argon2id$" in stored
    assert _cli(ws, "user", "remove", "li.na").returncode == 0
    gone = _cli(ws, "user", "remove", "li.na")
    assert gone.returncode == 2 and "No user 'li.na'" in gone.stderr
