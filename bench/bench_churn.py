"""The trained churn model: accuracy against the truth and time, on the demo and CDNOW.

``--source demo`` (default): ``clientlens.demo.generate(N, seed)`` in DuckDB (in memory),
then train (:func:`train_churn`: features at the cutoffs, BG/NBD p_alive at each, fit,
calibration, validation, drivers, final fit) and score every customer at the observation
end with three reasons. Printed: seconds of each step, the out-of-time figures of the
model, the RFM logistic baseline, BG/NBD p_alive and the oracle that knows each
customer's true dropout process (:func:`clientlens.demo.oracle.churn_oracle`).

``--source cdnow``: CDNOW_master (23,570 customers) cut at 1997-09-30; the model is
trained on that history alone (60-day horizon, cutoffs two weeks apart) and scores every
customer on 1997-09-30; printed is the ROC-AUC for "buys again by 1998-06-30" of the
model and of BG/NBD's p_alive alone.

    nice -n 10 python bench/bench_churn.py --customers 100000
    nice -n 10 python bench/bench_churn.py --customers 1000000

The generated demo is cached under bench/.data/ (one pickle per size and seed).
    nice -n 10 python bench/bench_churn.py --source cdnow
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pickle
import sys
import time
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from clientlens.analytics.churn.reasons import needed_rows, top_reasons  # noqa: E402
from clientlens.analytics.churn.training import (  # noqa: E402
    TrainingOptions,
    labelled_frame,
    train_churn,
)
from clientlens.analytics.runner import cut_inputs  # noqa: E402
from clientlens.models.trained import classification_figures  # noqa: E402


def _row(name: str, f: dict) -> str:
    return (
        f"| {name} | {f['roc_auc']:.4f} | {f['pr_auc']:.4f} | {f['brier']:.4f} | "
        f"{f['ece']:.4f} | {f['lift_top_decile']:.3f} |"
    )


def _duck(tables: dict[str, pd.DataFrame]) -> dict[str, ibis.Table]:
    con = ibis.duckdb.connect()
    return {name: con.create_table(name, frame) for name, frame in tables.items()}


def demo(n: int, seed: int, horizon: int, settings: dict[str, int]) -> None:
    from clientlens.demo import generate
    from clientlens.demo.oracle import churn_oracle

    t = time.perf_counter()
    cache = HERE / ".data" / f"churn_demo_{n}_{seed}.pkl"
    if cache.is_file():  # the demo is deterministic: generated once per size and seed
        with cache.open("rb") as f:
            data = pickle.load(f)
    else:
        data = generate(n, seed=seed, locale="en")
        cache.parent.mkdir(exist_ok=True)
        with cache.open("wb") as f:
            pickle.dump(data, f, protocol=pickle.HIGHEST_PROTOCOL)
    inputs = cut_inputs(_duck(data.tables()), None)
    print(f"generate + load: {time.perf_counter() - t:.1f} s, {len(data.orders):,} orders")
    options = TrainingOptions(horizon_days=horizon, seed=seed, **settings)
    print(f"load average at the start: {os.getloadavg()[0]:.2f}")
    t, c = time.perf_counter(), time.process_time()
    model, card = train_churn(inputs, "2025-12-31", options)
    train_s, train_cpu = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    end = dt.date(2025, 12, 31)
    frame = labelled_frame(inputs, end, options, card["groups"], labelled=False)
    p = model.predict_proba(frame)
    reasons = top_reasons(frame, model.contributions(frame, card["reference"], needed_rows(frame)))
    score_s, score_cpu = time.perf_counter() - t, time.process_time() - c
    print(
        f"train: {train_s:.1f} s, {train_cpu:.1f} CPU s ({card['training']['fit_rows']:,} fit "
        f"rows, sample step {card['training']['sample_every_kth_customer']}); score "
        f"{len(p):,} customers with reasons: {score_s:.1f} s, {score_cpu:.1f} CPU s; total "
        f"{train_s + score_s:.1f} s, {train_cpu + score_cpu:.1f} CPU s; load average at the "
        f"end: {os.getloadavg()[0]:.2f}"
    )
    steps = ", ".join(f"{k} {w:.1f}/{c:.1f}" for k, (w, c) in card["seconds"].items())
    print(f"train steps (wall/CPU s): {steps}")
    cutoff = card["plan"]["validation_cutoff"]
    val = labelled_frame(inputs, dt.date.fromisoformat(cutoff), options, ["rfm"])
    oracle = val.merge(churn_oracle(data, cutoff, horizon), on="customer_id", how="left")
    best = classification_figures(oracle.churned.to_numpy(), oracle.p_churn.to_numpy())
    print(
        f"validation cutoff {cutoff}, horizon {horizon} days, "
        f"{int(best['customers']):,} customers, churn rate {best['base_rate']:.3f}"
    )
    print("| model | ROC-AUC | PR-AUC | Brier | ECE | lift top 10% |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, f in card["validation"].items():
        print(_row(name, f))
    print(_row("oracle (true process)", best))
    once = oracle.n_orders.to_numpy() == 1
    for part, rows in (("one_order", once), ("repeat", ~once)):
        truth = classification_figures(
            oracle.churned.to_numpy()[rows], oracle.p_churn.to_numpy()[rows]
        )
        mine = card["validation_by_orders"][part]
        print(
            f"{part}: {int(mine['customers']):,} customers, churn rate {mine['base_rate']:.3f}, "
            f"ROC-AUC model {mine['roc_auc']:.4f}, oracle {truth['roc_auc']:.4f}"
        )
    gap = best["roc_auc"] - card["validation"]["churn_model"]["roc_auc"]
    print(f"oracle − model ROC-AUC: {gap:.4f}; reasons of row 1: {reasons.iloc[0].tolist()}")


def cdnow() -> None:
    from tests.conftest import read_cdnow_master

    orders = read_cdnow_master().drop(columns="n_cds")
    orders["order_id"] = np.arange(len(orders)).astype(str)
    cut = orders[orders.order_date <= "1997-09-30"]
    inputs = _duck({"orders": cut})
    options = TrainingOptions(horizon_days=60, step_days=14, n_cutoffs=6)
    t = time.perf_counter()
    model, card = train_churn(inputs, "1997-09-30", options)
    frame = labelled_frame(inputs, dt.date(1997, 9, 30), options, card["groups"], labelled=False)
    p_churn = model.predict_proba(frame)
    seconds = time.perf_counter() - t
    holdout = orders[(orders.order_date > "1997-09-30") & (orders.order_date <= "1998-06-30")]
    buys = frame.customer_id.isin(holdout.customer_id.unique()).astype(int).to_numpy()
    model_auc = classification_figures(buys, 1 - p_churn)["roc_auc"]
    alive_auc = classification_figures(buys, frame.p_alive.to_numpy())["roc_auc"]
    print(
        f"CDNOW: {len(frame):,} customers, {buys.mean():.3f} buy again by 1998-06-30; "
        f"train + score {seconds:.1f} s"
    )
    print(f"ROC-AUC 'buys again': churn model {model_auc:.4f}, BG/NBD p_alive {alive_auc:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("demo", "cdnow"), default="demo")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--horizon-days", type=int, default=90)
    parser.add_argument("--max-training-customers", type=int, default=None)
    parser.add_argument("--cutoffs", type=int, default=None)
    args = parser.parse_args()
    settings = {}
    if args.max_training_customers is not None:
        settings["max_customers"] = args.max_training_customers
    if args.cutoffs is not None:
        settings["n_cutoffs"] = args.cutoffs
    if args.source == "cdnow":
        cdnow()
    else:
        demo(args.customers, args.seed, args.horizon_days, settings)


if __name__ == "__main__":
    main()
