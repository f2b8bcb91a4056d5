"""Feedback text at a million: ``clientlens.sentiment`` and the feedback analyses.

Two steps, each in a fresh process (jieba's cache of segmented text and the loaded
models must not carry over from one to the other):

1. ``sentiment``: ``clientlens.sentiment(texts)`` on 1,000,000 short texts, language
   detected per text. Target: under 120 s.
2. ``analysis``: ``Workspace.analyze(only=[feedback_scored, feedback_themes,
   feedback_theme_months])`` on a workspace holding 1,000,000 feedback rows with
   those comments (the import is not timed). Target: under 180 s.

The texts are not the demo's (300 distinct comments, which deduplication makes free):
80% are Chinese, one to three clauses drawn at random from the clauses of the shopping
corpus (../shared/data/online_shopping_10_cats.zip, clauses of 2–40 characters),
joined with "，"; 20% English, one or two sentences drawn from the hand-labelled
samples in tests/nlp. Nearly every text is distinct; clauses repeat, as they do in real
feedback. The distinct counts are printed.

    nice -n 10 python bench/bench_sentiment.py --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

CORPUS = REPO.parent / "shared" / "data" / "online_shopping_10_cats.zip"
TARGETS = {"sentiment": 120.0, "analysis": 180.0}


def make_texts(rows: int, seed: int = 0) -> list[str]:
    import numpy as np
    import pandas as pd

    with zipfile.ZipFile(CORPUS) as z, z.open("online_shopping_10_cats.csv") as f:
        reviews = pd.read_csv(f)["review"].dropna().astype(str)
    clauses = pd.Series(
        [c for r in reviews for c in re.split(r"[，。！？!?,.；;～~\s]+", r.replace("\ufeff", ""))]
    )
    clauses = clauses[clauses.str.len().between(2, 40)].to_numpy()
    english = pd.concat(
        pd.read_csv(REPO / "tests" / "nlp" / name)["text"]
        for name in ("english_sample.csv", "english_sample_2.csv")
    ).to_numpy()
    rng = np.random.default_rng(seed)
    n_en = rows // 5
    n_zh = rows - n_en
    k = rng.integers(1, 4, n_zh)
    picks = rng.integers(0, len(clauses), (n_zh, 3))
    zh = ["，".join(clauses[picks[i, : k[i]]]) for i in range(n_zh)]
    pairs = rng.integers(0, len(english), (n_en, 2))
    two = rng.random(n_en) < 0.5
    en = [
        f"{english[a]} {english[b]}" if t else str(english[a])
        for (a, b), t in zip(pairs, two, strict=True)
    ]
    texts = np.array(zh + en, dtype=object)
    rng.shuffle(texts)
    return list(texts)


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def step_sentiment(rows: int) -> dict[str, float]:
    texts = make_texts(rows)
    import clientlens as cl

    wall, cpu = time.perf_counter(), _cpu()
    out = cl.sentiment(texts)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    return {
        "rows": len(out),
        "distinct": len(set(texts)),
        "seconds": wall,
        "cpu_seconds": cpu,
        "zh_share": float((out["language"] == "zh").mean()),
        "en_share": float((out["language"] == "en").mean()),
        "positive_share": float((out["label"] == "positive").mean()),
    }


def step_analysis(rows: int, workdir: Path) -> dict[str, float]:
    import numpy as np
    import pandas as pd

    from clientlens import Workspace

    texts = make_texts(rows)
    rng = np.random.default_rng(1)
    customers = np.array([f"C{i:07d}" for i in range(rows // 3)], dtype=object)
    ws_path = workdir / "ws"
    ws = Workspace.init(ws_path, settings={"today": "2026-11-24"})
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 730, rows), "D")
    ws.import_table(
        "orders",
        pd.DataFrame(
            {
                "order_id": ["o1", "o2"],
                "customer_id": customers[:2],
                "order_date": ["2024-01-01", "2025-12-31"],
                "amount": [10.0, 20.0],
            }
        ),
    )
    ws.import_table(
        "feedback",
        pd.DataFrame(
            {
                "customer_id": rng.choice(customers, rows),
                "date": day.strftime("%Y-%m-%d"),
                "kind": "review",
                "score": rng.integers(1, 6, rows).astype(float),
                "comment": texts,
            }
        ),
    )
    names = ["feedback_scored", "feedback_themes", "feedback_theme_months"]
    wall, cpu = time.perf_counter(), _cpu()
    result = ws.analyze(only=names)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    by_name = {o.name: o for o in result.outcomes}
    failed = [(o.name, o.reason) for o in result.outcomes if o.status != "ok" and o.name in names]
    if failed:
        raise SystemExit(f"analysis failed: {failed}")
    themes = ws.results.table("feedback_themes").to_pandas()
    ws.close()
    return {
        "rows": rows,
        "seconds": wall,
        "cpu_seconds": cpu,
        **{f"{n}_seconds": by_name[n].seconds for n in names},
        "themes": len(themes),
        "themes_found": ", ".join(
            f"{t} {v:,}" for t, v in zip(themes.theme, themes.volume, strict=True)
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--step", choices=("sentiment", "analysis"), default=None)
    parser.add_argument("--workdir", type=Path, default=HERE / ".data" / "sentiment")
    args = parser.parse_args()
    if args.step is None:
        print(f"machine: {os.cpu_count()} CPUs; load average {os.getloadavg()}")
        for step in ("sentiment", "analysis"):
            subprocess.run(
                [sys.executable, __file__, "--rows", str(args.rows), "--step", step,
                 "--workdir", str(args.workdir)],
                check=True,
            )  # fmt: skip
        print(f"load average after: {os.getloadavg()}")
        return 0
    if args.step == "sentiment":
        figures = step_sentiment(args.rows)
    else:
        import shutil

        shutil.rmtree(args.workdir, ignore_errors=True)
        args.workdir.mkdir(parents=True)
        figures = step_analysis(args.rows, args.workdir)
    target = TARGETS[args.step]
    verdict = "met" if figures["seconds"] < target else "NOT met"
    print(json.dumps({"step": args.step, **figures}, ensure_ascii=False, default=str))
    print(
        f"{args.step}: {figures['seconds']:.1f} s wall, {figures['cpu_seconds']:.1f} s CPU, "
        f"target under {target:.0f} s {verdict}; load average {os.getloadavg()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
