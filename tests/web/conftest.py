"""A small analysed workspace with three dashboard users, and clients logged in as each.

Six customers with names, phones and e-mails (so masking can be seen), twelve orders up
to 2024-06-30, analysed once per session with the results the pages read from orders and
customers alone (the CLV and churn models are left out: slow, and not identified on six
customers).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

ORDERS = pd.DataFrame(
    {
        "order_id": [f"O{i}" for i in range(12)],
        "customer_id": ["a", "a", "a", "b", "b", "c", "d", "e", "f", "a", "b", "c"],
        "order_date": [
            "2024-01-05",
            "2024-03-10",
            "2024-06-01",
            "2024-02-01",
            "2024-05-20",
            "2023-12-01",
            "2024-04-15",
            "2024-06-10",
            "2024-06-20",
            "2023-06-03",
            "2023-07-09",
            "2023-08-01",
        ],
        "amount": [100.0, 50.0, 150.0, 80.0, 20.0, 60.0, 40.0, 30.0, 70.0, 20.0, 35.0, 44.0],
    }
)
CUSTOMERS = pd.DataFrame(
    {
        "customer_id": list("abcdef"),
        "name": ["张伟", "李娜", "王芳", "刘洋", "陈静", "Anna Smith"],
        "phone": [
            "13812341234",
            "13900001111",
            "13700002222",
            "13600003333",
            "13500004444",
            "15000005555",
        ],
        "email": [
            "zhangwei@example.com",
            "lina@example.com",
            "wf@example.com",
            "ly@example.com",
            "cj@example.com",
            "anna@example.com",
        ],
        "province": ["广东", "广东", "江苏", "浙江", "北京", "上海"],
        "acquisition_channel": [
            "自然流量",
            "搜索广告",
            "自然流量",
            "直播带货",
            "搜索广告",
            "自然流量",
        ],
    }
)
TICKETS = pd.DataFrame(
    {
        "ticket_id": ["T1", "T2"],
        "customer_id": ["a", "a"],
        "opened_at": ["2024-05-02 09:00", "2024-06-28 18:30"],
        "first_response_at": ["2024-05-02 10:15", None],
        "closed_at": ["2024-05-03 12:00", None],
        "category": ["logistics", "quality"],
        "severity": ["medium", "high"],
    }
)
"""Customer a's complaints: one answered and closed, one still awaiting a first reply."""
ANALYSED = [
    "customer_summary",
    "customer_base",
    "rfm_scores",
    "rfm_segments",
    "data_quality",
    "data_coverage",
    "kpis",
    "profile_distribution",
    "customer_value",
    "lifecycle_stages",
    "lifecycle_summary",
    "lifecycle_transitions",
    "audiences",
    "audience_summary",
    "cohort_retention",
    "retention_baseline",
    "purchase_order_buckets",
]
PASSWORDS = {
    "admin": "admin-password-1",
    "analyst": "analyst-password-1",
    "viewer": "viewer-password-1",
}
"""User name = role; their passwords."""


@pytest.fixture(scope="session")
def web_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from clientlens import Workspace
    from clientlens.web.users import UserStore

    path = tmp_path_factory.mktemp("web") / "ws"
    ws = Workspace.init(path, settings={"today": "2026-11-24"})
    ws.import_table("orders", ORDERS)
    ws.import_table("customers", CUSTOMERS)
    ws.import_table("tickets", TICKETS)
    result = ws.analyze(as_of="2024-06-30", only=ANALYSED)
    assert {o.status for o in result.outcomes} == {"ok"}
    ws.close()
    store = UserStore(path)
    for role, password in PASSWORDS.items():
        store.add(role, role, password)
    return path


def test_client_class() -> Any:
    import warnings

    # Starlette 1.x warns at import that its TestClient will move to httpx2, which the
    # locked environment does not have; the client works as documented meanwhile.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from fastapi.testclient import TestClient
    return TestClient


class Client:
    """A TestClient logged in through the API, sending the CSRF token on unsafe calls."""

    def __init__(self, app: Any, role: str | None):
        TestClient = test_client_class()
        self.http = TestClient(app, base_url="https://testserver", follow_redirects=False)
        self.csrf = ""
        if role is not None:
            r = self.http.post(
                "/api/v1/session", json={"username": role, "password": PASSWORDS[role]}
            )
            assert r.status_code == 200, r.text
            self.csrf = r.json()["csrf_token"]

    def get(self, url: str, **kw: Any) -> Any:
        return self.http.get(url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        kw.setdefault("headers", {})["X-CSRF-Token"] = self.csrf
        return self.http.post(url, **kw)


@pytest.fixture(scope="session")
def app(web_workspace: Path) -> Any:
    from clientlens.web.app import create_app

    return create_app(web_workspace)


@pytest.fixture
def login(app: Any) -> Iterator[Any]:
    """``login("viewer")`` → a client with that user's session; ``login(None)``: none."""
    clients: list[Client] = []

    def make(role: str | None) -> Client:
        client = Client(app, role)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.http.close()
