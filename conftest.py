"""The doctests (the package's docstrings and the ```pycon examples of docs/*.md): each
runs in a fresh directory laid out like a checkout.

The directory holds ``orders.csv``, a tiny shop's orders, for the examples that import a
file, and ``../shared/data`` is the public data, as it is beside the repository, for the
examples that fit the published models. Nothing an example writes lands in the repo, and
no CLIENTLENS_* setting of the developer's shell reaches it (tests/conftest.py does the
same for the tests).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent / "shared"

ORDERS_CSV = """\
order_id,customer_id,order_date,amount
O1,a,2024-01-05,100.0
O2,a,2024-03-10,50.0
O3,a,2024-06-01,150.0
O4,b,2024-02-01,80.0
O5,b,2024-05-20,20.0
O6,c,2023-12-01,60.0
"""


@pytest.fixture(autouse=True)
def doctest_directory(request: pytest.FixtureRequest) -> None:
    if not isinstance(request.node, pytest.DoctestItem):
        return
    root: Path = request.getfixturevalue("tmp_path")
    monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
    (root / "shared").symlink_to(SHARED, target_is_directory=True)
    work = root / "work"
    work.mkdir()
    (work / "orders.csv").write_text(ORDERS_CSV, encoding="utf-8")
    monkeypatch.chdir(work)
    for name in [n for n in os.environ if n.startswith("CLIENTLENS_")]:
        if name != "CLIENTLENS_REQUIRE":
            monkeypatch.delenv(name)
