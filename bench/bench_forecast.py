"""Purchase prediction beyond churn: accuracy against the baselines and time, demo and CDNOW.

``--source demo`` (default): ``clientlens.demo.generate(N, seed)`` in DuckDB (in memory),
inputs cut as ``analyze`` cuts them. Printed, each with wall and CPU seconds:

1. the spend model (:func:`train_spend`: features of a seeded sample at the cutoffs, the
   validation fit and the final fit) and its out-of-time MAE / RMSE against the naive
   baseline "the next 90 days = the last 90 days";
2. scoring every customer (:func:`spend_forecast`: features at the observation end, the
   model, and the CLV purchase model's expected purchases and next-purchase timing; the
   CLV model itself, ``clv_models``, is fitted before the clock starts: it is the value
   domain's time, not this one's);
3. the monthly forecast's backtest (:func:`revenue_forecast_validation`) with each
   series' chosen method's MAPE against seasonal-naive and naive, and the forecast.

The sum of the timed steps is what ``analyze`` gains from the forecast domain.

``--source cdnow``: CDNOW_master (23,570 customers, 1997-01 to 1998-06): the spend model
at a 90-day horizon and the monthly forecast on its 18 months.

    nice -n 10 python bench/bench_forecast.py --customers 100000
    nice -n 10 python bench/bench_forecast.py --source cdnow
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from clientlens.analytics.customers.rfm import rfm_summary  # noqa: E402
from clientlens.analytics.forecast.revenue_forecast import (  # noqa: E402
    monthly_series,
    revenue_forecast,
    revenue_forecast_validation,
)
from clientlens.analytics.forecast.spend_forecast import spend_forecast  # noqa: E402
from clientlens.analytics.forecast.spend_training import SpendOptions, train_spend  # noqa: E402
from clientlens.analytics.purchase.trends import purchase_trend  # noqa: E402
from clientlens.analytics.runner import cut_inputs  # noqa: E402
from clientlens.analytics.value.clv import clv_models, clv_table  # noqa: E402

TIMES: list[tuple[str, float, float]] = []


def timed(label: str, fn: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    w, c = time.perf_counter() - wall, time.process_time() - cpu
    TIMES.append((label, w, c))
    print(f"{label}: {w:.1f} s wall, {c:.1f} s CPU", flush=True)
    return out


def _duck(tables: dict[str, pd.DataFrame]) -> dict[str, ibis.Table]:
    con = ibis.duckdb.connect()
    return {name: con.create_table(name, frame) for name, frame in tables.items()}


def run(inputs: dict[str, ibis.Table], end: str, options: SpendOptions) -> None:
    orders = inputs["orders"]
    summary = rfm_summary(orders, observation_end=end)
    con_summary = summary.to_pandas()
    models = clv_models(orders, ibis.memtable(con_summary), observation_end=end)
    clv = clv_table(ibis.memtable(con_summary), models)
    print(f"clv purchase model (not timed): {models[models.stage == 'final'].model.iloc[0]}")

    model, card = timed(
        "spend model: train and validate", lambda: train_spend(inputs, end, options)
    )
    v = card["validation"]
    m, n = v["spend_model"], v["naive_last_period"]
    print(
        f"validation cutoff {card['plan']['validation_cutoff']}, {card['horizon_days']}-day "
        f"horizon, {int(m['customers']):,} customers validated (sample "
        f"{card['training']['sample_customers']:,} of {card['training']['customers']:,}), "
        f"{card['training']['fit_rows']:,} fit rows"
    )
    print("| forecast | MAE | RMSE | total predicted | total actual |")
    print("|---|---:|---:|---:|---:|")
    for name, f in (("spend model", m), ("naive: next = last", n)):
        print(
            f"| {name} | {f['mae']:.2f} | {f['rmse']:.2f} | {f['total_predicted']:,.0f} | "
            f"{f['total_actual']:,.0f} |"
        )
    print(f"MAE vs naive: {m['mae'] / n['mae'] - 1:+.1%}")
    scoring = {
        **inputs,
        "customer_summary": ibis.memtable(con_summary),
        "clv_models": ibis.memtable(models),
        "clv": ibis.memtable(clv),
    }
    scores = timed(
        "spend forecast: score every customer",
        lambda: spend_forecast(scoring, model, card, observation_end=end),
    )
    timing = scores["next_purchase_days"]
    print(
        f"{len(scores):,} customers scored; predicted spend {scores.predicted_spend.sum():,.0f}, "
        f"naive {scores.naive_spend.sum():,.0f}; median next purchase within 365 days for "
        f"{timing.notna().mean():.1%} (median of those {timing.median():.0f} days)"
    )

    def monthly() -> tuple[pd.DataFrame, pd.DataFrame]:
        trend = purchase_trend(orders, observation_end=end).to_pandas()
        first = pd.Timestamp(orders.order_date.min().execute()).date()
        months = monthly_series(trend, first)
        return months, revenue_forecast_validation(months)

    months, val = timed("monthly forecast: backtest", monthly)
    timed("monthly forecast: forecast", lambda: revenue_forecast(months, val))
    print(
        f"{len(months)} complete months ({months.month.iloc[0]} to {months.month.iloc[-1]}); "
        f"backtest: last 6 months as origins, up to 6 months ahead"
    )
    print("| series | chosen | MAPE % | seasonal-naive MAPE % | naive MAPE % |")
    print("|---|---|---:|---:|---:|")
    for series, g in val.groupby("series", sort=False):
        g = g.set_index("method")
        chosen = g[g.chosen].index[0]
        print(
            f"| {series} | {chosen} | {g.loc[chosen, 'mape_pct']:.2f} | "
            f"{g.loc['seasonal_naive', 'mape_pct']:.2f} | {g.loc['naive', 'mape_pct']:.2f} |"
        )
    wall = sum(t[1] for t in TIMES)
    cpu = sum(t[2] for t in TIMES)
    print(f"forecast domain in all: {wall:.1f} s wall, {cpu:.1f} s CPU; load {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("demo", "cdnow"), default="demo")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-training-customers", type=int, default=50_000)
    args = parser.parse_args()
    options = SpendOptions(max_customers=args.max_training_customers, seed=args.seed)
    print(f"load before: {os.getloadavg()}")
    if args.source == "cdnow":
        from tests.conftest import read_cdnow_master

        orders = read_cdnow_master().drop(columns="n_cds")
        orders["order_id"] = np.arange(len(orders)).astype(str)
        run(_duck({"orders": orders}), "1998-06-30", options)
        return
    from clientlens.demo import generate

    t = time.perf_counter()
    data = generate(args.customers, seed=args.seed, locale="en")
    inputs = cut_inputs(_duck(data.tables()), None)
    print(f"generate + load: {time.perf_counter() - t:.1f} s, {len(data.orders):,} orders")
    run(inputs, "2025-12-31", options)


if __name__ == "__main__":
    main()
