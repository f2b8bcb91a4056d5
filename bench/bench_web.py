"""Dashboard and API latency under load: N concurrent users against a loopback server,
optionally while `clientlens analyze` runs beside it on the same workspace.

Steps:

1. workspace: an analysed workspace (``--workspace``), or the demo business at
   ``--customers`` built under bench/.data/web-<N>/ (``clientlens demo``; not timed);
2. server: ``clientlens serve`` in its own process on 127.0.0.1, one bench user;
3. warm-up: each URL once, timed apart (the first read of a run copies the personal-data
   snapshot and builds the report sections a page shows, which later requests reuse); a
   page under a segment or region filter is asked for until its subset run is built,
   and the build's seconds are printed;
4. load: ``--users`` threads, each logged in through ``POST /api/v1/session``, request
   the URL mix in turn until ``--requests`` requests are done (bounded); with
   ``--with-analyze`` a `clientlens analyze` subprocess starts with the load, and the
   server moves to the new run when it is published.

Prints p50 / p95 / p99 / max latency (ms) per URL kind and overall, errors, the server's
CPU seconds (user + sys, from /proc) and the load average before and after.

    python bench/bench_web.py --customers 1000000 --users 20 --requests 4000 --with-analyze
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PASSWORD = "bench-password-1"
TARGET_MS = 300.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def _workspace(args: argparse.Namespace) -> Path:
    if args.workspace:
        return Path(args.workspace)
    path = HERE / ".data" / f"web-{args.customers}"
    if not (path / "results" / "LATEST").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "clientlens",
                "demo",
                str(path),
                "--customers",
                str(args.customers),
            ],
            check=True,
            cwd=REPO,
        )
    return path


def _urls(sample_ids: list[str]) -> list[tuple[str, str]]:
    one = sample_ids[0]
    pages = [
        (f"page:{p}", f"/{p}")
        for p in (
            "overview",
            "customers",
            "segments",
            "value",
            "lifecycle",
            "behaviour",
            "churn",
            "data",
        )
    ]
    api = [
        ("api:kpis", "/api/v1/kpis"),
        ("api:segments", "/api/v1/segments"),
        ("api:churn", "/api/v1/churn"),
        ("api:customers", "/api/v1/customers?page=3"),
        ("api:customers?segment", "/api/v1/customers?segment=champions&sort=clv_12m"),
        ("api:customers?region", "/api/v1/customers?region=%E5%B9%BF%E4%B8%9C"),
        ("api:customer", f"/api/v1/customers/{one}"),
        ("page:customer", f"/customers/{one}"),
    ]
    return pages + api + SUBSET_URLS


SUBSET_URLS = [
    ("page:overview?region", "/overview?region=%E5%B9%BF%E4%B8%9C"),
    ("page:segments?region", "/segments?region=%E5%B9%BF%E4%B8%9C"),
    ("api:kpis?segment", "/api/v1/kpis?segment=champions"),
    ("page:churn?segment", "/churn?segment=champions"),
]
"""Summary pages under a segment or region filter: they read the filter's subset run,
built in the background on the first request (timed at the warm-up)."""


def _built(c: object, url: str) -> tuple[float, int]:
    """Ask for ``url`` until its subset run is built (202 while it is): seconds, status."""
    t0 = time.perf_counter()
    while True:
        r = c.get(url)  # type: ignore[attr-defined]
        if r.status_code != 202 and 'data-refresh="2"' not in r.text:
            return time.perf_counter() - t0, int(r.status_code)
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workspace")
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--with-analyze", action="store_true")
    args = parser.parse_args()

    import httpx

    sys.path.insert(0, str(REPO))
    from clientlens.web.users import UserStore

    ws = _workspace(args)
    store = UserStore(ws)
    if store.get("bench") is None:
        store.add("bench", "analyst", PASSWORD)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "clientlens", "-w", str(ws), "serve", "--port", str(port)],
        cwd=REPO,
        env={**os.environ, "CLIENTLENS_WEB_SECURE_COOKIE": "false"},
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)

        def client() -> httpx.Client:
            c = httpx.Client(base_url=base, timeout=60)
            r = c.post("/api/v1/session", json={"username": "bench", "password": PASSWORD})
            r.raise_for_status()
            return c

        first = client()
        ids = [r["customer_id"] for r in first.get("/api/v1/customers").json()["rows"]]
        urls = _urls(ids)
        print(
            f"workspace {ws}  customers={args.customers:,}  users={args.users}  requests={args.requests}"
        )
        print(f"load average before: {os.getloadavg()}")
        for kind, url in urls:
            if (kind, url) in SUBSET_URLS:
                seconds, status = _built(first, url)
                print(f"warm-up {kind:24s} {seconds:8.1f} s   ({status}; subset run built)")
                continue
            t0 = time.perf_counter()
            status = first.get(url).status_code
            print(f"warm-up {kind:24s} {1000 * (time.perf_counter() - t0):8.0f} ms  ({status})")
        cpu0 = _cpu_seconds(server.pid)
        analyze = None
        if args.with_analyze:
            analyze = subprocess.Popen(
                [sys.executable, "-m", "clientlens", "-w", str(ws), "analyze"],
                cwd=REPO,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        timings: dict[str, list[float]] = {}
        errors: list[str] = []
        pending = [0]  # 202s: a new run is out and the filter's subset is being rebuilt
        counter = iter(range(args.requests))
        lock = threading.Lock()

        def user(index: int) -> None:
            c = client()
            position = index
            while True:
                with lock:
                    if next(counter, None) is None:
                        return
                kind, url = urls[position % len(urls)]
                position += 1
                t0 = time.perf_counter()
                r = c.get(url)
                ms = 1000 * (time.perf_counter() - t0)
                with lock:
                    timings.setdefault(kind, []).append(ms)
                    if r.status_code == 202 or 'data-refresh="2"' in r.text:
                        pending[0] += 1
                    elif r.status_code != 200:
                        errors.append(f"{kind} {r.status_code}")

        wall0 = time.perf_counter()
        threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - wall0
        cpu = _cpu_seconds(server.pid) - cpu0
        analyze_note = ""
        if analyze is not None:
            still = analyze.poll() is None
            analyze.wait()
            analyze_note = f"; analyze beside it {'outlasted the load' if still else 'finished during the load'} (exit {analyze.returncode})"

        def pct(values: list[float], q: float) -> float:
            ordered = sorted(values)
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

        print(f"\n{'kind':24s} {'n':>5s} {'p50':>7s} {'p95':>7s} {'p99':>7s} {'max':>7s}  (ms)")
        everything = [v for vs in timings.values() for v in vs]
        for kind, values in [*sorted(timings.items()), ("all", everything)]:
            print(
                f"{kind:24s} {len(values):5d} {statistics.median(values):7.0f} {pct(values, 0.95):7.0f} "
                f"{pct(values, 0.99):7.0f} {max(values):7.0f}"
            )
        p95 = pct(everything, 0.95)
        print(
            f"\n{len(everything)} requests in {wall:.1f} s wall ({len(everything) / wall:.0f}/s), "
            f"server CPU {cpu:.1f} s (user+sys){analyze_note}; subset pages still being "
            f"built: {pending[0]}; errors: {len(errors)} {errors[:5]}"
        )
        print(
            f"p95 {p95:.0f} ms: {'under' if p95 < TARGET_MS else 'OVER'} the {TARGET_MS:.0f} ms target"
        )
        print(f"load average after: {os.getloadavg()}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
