"""The dashboard's secure core: every route but /healthz and login needs a session; cookie
flags; CSRF; roles; the login throttle and the audit log; injection through filters and
traversal through downloads get clear 4xx answers and change nothing."""

from __future__ import annotations

import re

import pytest

from clientlens.web.app import route_table
from tests.web.conftest import PASSWORDS, Client

pytestmark = pytest.mark.slow  # the session's workspace is analysed once (~10 s)

OPEN = {("GET", "/healthz"), ("GET", "/login"), ("POST", "/login"), ("POST", "/api/v1/session")}


def test_every_route_but_healthz_and_login_needs_a_session(app, login):
    anonymous = login(None)
    routes = route_table(app)
    assert len(routes) > 40  # the walk sees the whole table
    checked = []
    for method, path in routes:
        url = re.sub(r"\{[^}]+\}", "x1", path)
        r = anonymous.http.request(method, url)
        if (method, path) in OPEN:
            continue
        if path.startswith("/api/"):
            assert r.status_code == 401, (method, path, r.status_code)
            assert r.json()["error"] == "login"
        else:
            assert r.status_code == 303, (method, path, r.status_code)
            assert r.headers["location"].startswith("/login?next=")
        checked.append(path)
    assert "/api/v1/customers/{customer_id}" in checked and "/reports/{job_id}/{name}" in checked
    assert anonymous.get("/healthz").json() == {"status": "ok"}


def test_session_cookie_is_http_only_secure_strict_and_expires(app):
    client = Client(app, None)
    r = client.http.post(
        "/api/v1/session", json={"username": "analyst", "password": PASSWORDS["analyst"]}
    )
    cookie = r.headers["set-cookie"].lower()
    assert "clientlens_session=" in cookie
    for flag in ("httponly", "secure", "samesite=strict", "max-age=28800"):
        assert flag in cookie
    assert r.json()["role"] == "analyst"
    assert client.get("/api/v1/session").json()["username"] == "analyst"


def test_forged_or_stale_sessions_are_refused(app, web_workspace):
    from clientlens.web.users import UserStore

    client = Client(app, "viewer")
    assert client.get("/api/v1/kpis").status_code == 200
    value = client.http.cookies.get("clientlens_session")
    forged = Client(app, None)
    forged.http.cookies.set("clientlens_session", value[:-2] + "xx")
    assert forged.get("/api/v1/kpis").status_code == 401
    store = UserStore(web_workspace)
    store.add("temp", "analyst", "temporary-pass")
    t = Client(app, None)
    assert (
        t.http.post(
            "/api/v1/session", json={"username": "temp", "password": "temporary-pass"}
        ).status_code
        == 200
    )
    assert t.get("/api/v1/kpis").status_code == 200
    store.passwd("temp", "another-pass-1")  # a password change ends the session
    assert t.get("/api/v1/kpis").status_code == 401
    store.remove("temp")


def test_unsafe_calls_need_the_csrf_token(login):
    analyst = login("analyst")
    r = analyst.http.post("/api/v1/reports", json={"lang": "en", "formats": ["xlsx"]})
    assert r.status_code == 403 and r.json()["error"] == "csrf"
    r = analyst.http.post("/logout", data={"csrf_token": "wrong"})
    assert r.status_code == 403
    r = analyst.http.post("/logout", data={"csrf_token": analyst.csrf})
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_the_login_form_needs_its_own_token(app):
    client = Client(app, None)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    data = {"username": "analyst", "password": PASSWORDS["analyst"], "next": "//evil.example/"}
    assert client.http.post("/login", data={**data, "csrf_token": "nope"}).status_code == 403
    r = client.http.post("/login", data={**data, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/overview"  # no open redirect
    assert client.get("/overview").status_code == 200


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("analyst", 403), ("admin", 200)])
def test_only_admins_see_users_and_audit(login, role, status):
    client = login(role)
    for url in ("/api/v1/admin/users", "/api/v1/admin/audit", "/admin/users", "/admin/audit"):
        assert client.get(url).status_code == status, url
    r = client.post(
        "/api/v1/admin/users",
        json={"username": f"n{role}", "password": "long-enough-1", "role": "viewer"},
    )
    assert r.status_code == (201 if role == "admin" else 403)


def test_failed_logins_are_throttled_and_audited(web_workspace):
    from clientlens.web.app import create_app

    app = create_app(web_workspace, settings={"web_login_attempts": 3})
    client = Client(app, None)
    bad = {"username": "analyst", "password": "wrong-password"}
    codes = [client.http.post("/api/v1/session", json=bad).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    good = {"username": "analyst", "password": PASSWORDS["analyst"]}
    r = client.http.post("/api/v1/session", json=good)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0  # locked, even when right
    admin = Client(app, "admin")
    rows = admin.get("/api/v1/admin/audit").json()["rows"]
    failed = [
        row for row in rows if row["action"] == "login_failed" and row["username"] == "analyst"
    ]
    assert len(failed) >= 3
    assert rows[0]["action"] == "login" and rows[0]["username"] == "admin"


INJECTIONS = [
    "' OR '1'='1",
    "x'); DROP TABLE rfm_scores; --",
    '" OR 1=1 --',
    "广东' UNION SELECT phone FROM customers --",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_sql_injection_through_each_filter_is_inert(login, payload):
    client = login("analyst")
    before = client.get("/api/v1/customers").json()["total"]
    assert before == 6
    for param in ("region", "channel"):
        r = client.get("/api/v1/customers", params={param: payload})
        assert r.status_code == 200 and r.json()["total"] == 0, (param, r.text)
    for param in ("segment", "risk_band", "start", "end", "sort", "order", "page"):
        r = client.get("/api/v1/customers", params={param: payload})
        assert r.status_code == 400, (param, r.text)
        body = r.json()
        assert body["error"] == "filter" and param in body["detail"]
        assert "Traceback" not in r.text
    assert client.get("/api/v1/customers").json()["total"] == before


def test_bad_filters_name_the_parameter_and_value(login):
    client = login("analyst")
    r = client.get("/api/v1/kpis?start=2024-13-01")
    assert r.status_code == 400
    assert (
        r.json()["detail"]
        == "Query parameter start='2024-13-01': write the date as YYYY-MM-DD, e.g. 2024-06-30."
    )
    page = client.get("/overview?segment=nope")
    assert (
        page.status_code == 400
        and "segment=&#39;nope&#39;" in page.text
        and "Traceback" not in page.text
    )


TRAVERSALS = [
    "/reports/../clientlens.toml",
    "/reports/%2e%2e/%2e%2e/clientlens.toml",
    "/reports/000000000000/..%2f..%2fsecret.key",
    "/reports/000000000000/%2e%2e%2fusers.sqlite",
    "/reports/..%2f..%2f/clientlens.duckdb",
    "/static/..%2fauth.py",
    "/static/%2e%2e%2f%2e%2e%2fclientlens.toml",
]


@pytest.mark.parametrize("url", TRAVERSALS)
def test_path_traversal_through_downloads_finds_nothing(login, url):
    client = login("admin")
    r = client.get(url)
    assert r.status_code == 404, (url, r.status_code)
    assert "[workspace]" not in r.text and "argon2" not in r.text and "Traceback" not in r.text


def test_a_report_file_outside_its_job_cannot_be_named(web_workspace):
    from clientlens.web.reports import ReportJobs

    jobs = ReportJobs(web_workspace)
    (jobs.base / "0123456789ab").mkdir(parents=True, exist_ok=True)
    (jobs.base / "0123456789ab" / "report.html").write_text("ok")
    (jobs.base / "0123456789ab" / "escape.html").symlink_to(web_workspace / "clientlens.toml")
    assert jobs.file("0123456789ab", "report.html") is not None
    for job, name in (
        ("0123456789ab", "../../secret.key"),
        ("../web", "users.sqlite"),
        ("0123456789ab", "escape.html"),
        ("0123456789ab", "job.json"),
    ):
        assert jobs.file(job, name) is None, (job, name)
