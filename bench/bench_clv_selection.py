"""CLV model selection (the ``clv_models`` analysis) across low, medium and high dropout.

Each population is 30,000 customers whose orders are drawn from a purchase model's own
generative story with known parameters (rates per day), over two years:

* Pareto/NBD: Poisson(λ) purchases during an exponential(μ) lifetime,
  λ ~ Gamma(r, α), μ ~ Gamma(s, β);
* BG/NBD: Poisson(λ) purchases, after each repeat purchase a dropout with probability
  p ~ Beta(a, b);
* bench/_synth.py's no-dropout log (everybody buys at random until the end), the case
  where no purchase model is identified.

Each customer's first purchase falls uniformly in the two years; amounts are gamma.
``clv_models`` (candidates on at most 5,000 customers, the final fit on all, the spend
model) runs on DuckDB through Ibis as ``clientlens analyze`` runs it, each population in
its own process, and its seconds are printed with what each candidate ended as. Target:
every population under 10 s.

    python bench/bench_clv_selection.py
    python bench/bench_clv_selection.py --only pareto_low synth
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

N_CUSTOMERS = 30_000
HISTORY_DAYS = 730
START = pd.Timestamp("2024-01-01")
TARGET_SECONDS = 10.0
SPEND_MODELS = ("GammaGamma", "MeanOrderValue")

POPULATIONS: dict[str, tuple[str, dict[str, float]]] = {
    # mean lifetime s/β per day: 1/40,000 days, with and without heterogeneity
    "pareto_low": ("pareto", {"r": 0.8, "alpha": 40.0, "s": 0.5, "beta": 2e4}),
    "pareto_low_homogeneous": ("pareto", {"r": 2.0, "alpha": 60.0, "s": 8.0, "beta": 3e5}),
    # CDNOW (Fader, Hardie & Lee 2005), weeks converted to days
    "pareto_medium": ("pareto", {"r": 0.553, "alpha": 74.0, "s": 0.606, "beta": 81.7}),
    "pareto_high": ("pareto", {"r": 0.6, "alpha": 30.0, "s": 1.5, "beta": 60.0}),
    # dropout after a purchase with probability a/(a+b): 0.25%, 25% (CDNOW), 40%
    "bgnbd_low": ("bgnbd", {"r": 0.5, "alpha": 30.0, "a": 0.05, "b": 20.0}),
    "bgnbd_medium": ("bgnbd", {"r": 0.243, "alpha": 30.9, "a": 0.793, "b": 2.426}),
    "bgnbd_high": ("bgnbd", {"r": 0.8, "alpha": 20.0, "a": 2.0, "b": 3.0}),
    "synth": ("synth", {}),
}


def _orders(customer: np.ndarray, day: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    order = np.lexsort((day, customer))
    customer, day = customer[order], day[order]
    return pd.DataFrame(
        {
            "order_id": np.arange(len(day)).astype(str),
            "customer_id": np.char.add("C", np.char.zfill(customer.astype(str), 6)),
            "order_date": START + pd.to_timedelta(np.floor(day), "D"),
            "amount": np.round(rng.gamma(3.0, 30.0, len(day)) + 1.0, 2),
        }
    )


def simulate_pareto(params: dict[str, float], n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    first = rng.uniform(0, HISTORY_DAYS, n)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    mu = rng.gamma(params["s"], 1.0 / params["beta"], n)
    window = np.minimum(rng.exponential(1.0 / mu), HISTORY_DAYS - first)
    repeats = rng.poisson(lam * window)
    who = np.repeat(np.arange(n), repeats)
    when = first[who] + rng.random(who.size) * window[who]
    return _orders(np.r_[np.arange(n), who], np.r_[first, when], rng)


def simulate_bgnbd(params: dict[str, float], n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    first = rng.uniform(0, HISTORY_DAYS, n)
    lam = rng.gamma(params["r"], 1.0 / params["alpha"], n)
    p = rng.beta(params["a"], params["b"], n)
    who, when = [np.arange(n)], [first]
    t, active = first.copy(), np.arange(n)
    while active.size:
        t[active] += rng.exponential(1.0 / lam[active])
        buyers = active[t[active] < HISTORY_DAYS]
        who.append(buyers)
        when.append(t[buyers])
        active = buyers[rng.random(buyers.size) >= p[buyers]]
    return _orders(np.concatenate(who), np.concatenate(when), rng)


def population(name: str, seed: int = 0) -> pd.DataFrame:
    kind, params = POPULATIONS[name]
    if kind == "pareto":
        return simulate_pareto(params, N_CUSTOMERS, seed)
    if kind == "bgnbd":
        return simulate_bgnbd(params, N_CUSTOMERS, seed)
    from bench._synth import synth_orders

    return synth_orders(N_CUSTOMERS, seed)


def run(name: str) -> dict:
    import ibis

    from clientlens.analytics.customers.rfm import rfm_summary
    from clientlens.analytics.value.clv import clv_models

    orders = population(name)
    end = orders["order_date"].max().normalize().date().isoformat()
    table = ibis.memtable(orders[["customer_id", "order_date", "amount"]])
    summary = rfm_summary(table, observation_end=end)
    fits = _time_fits()
    t0, c0 = time.perf_counter(), _cpu_seconds()
    models = clv_models(table, summary, observation_end=end)
    seconds, cpu = time.perf_counter() - t0, _cpu_seconds() - c0
    rows = models[["model", "stage", "chosen", "converged", "note"]].to_dict("records")
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "orders": len(orders),
        "rows": rows,
        "fits": fits,
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _time_fits() -> list[float]:
    """Record the wall seconds of each model fit clv_models makes (candidates, final)."""
    from clientlens.analytics.value import clv, clv_selection

    seconds: list[float] = []
    fit = clv_selection.fit_model

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fit(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - t0)

    clv_selection.fit_model = clv.fit_model = timed
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", choices=list(POPULATIONS))
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run(args.child), default=bool))
        return
    names = args.only or list(POPULATIONS)
    print(f"clv_models on {N_CUSTOMERS:,}-customer populations ({HISTORY_DAYS} days)")
    worst = 0.0
    for name in names:
        out = subprocess.run(
            [sys.executable, __file__, "--child", name],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            print(f"{name:<24} failed: {out.stderr.strip().splitlines()[-1]}")
            worst = float("inf")
            continue
        result = json.loads(out.stdout.strip().splitlines()[-1])
        worst = max(worst, result["seconds"])
        _kind, params = POPULATIONS[name]
        shown = ", ".join(f"{k} {v:g}" for k, v in params.items()) or "no dropout"
        print(
            f"{name:<24} {result['seconds']:6.2f} s ({result['cpu_seconds']:.2f} CPU s)  "
            f"{result['orders']:>8,} orders  ({shown})"
        )
        purchase_rows = [r for r in result["rows"] if r["model"] not in SPEND_MODELS]
        for row, fit_seconds in zip(purchase_rows, result["fits"], strict=False):
            mark = "*" if row["chosen"] else " "
            state = "converged" if row["converged"] else "not converged"
            print(
                f"    {mark} {row['stage']:<11} {row['model']:<16} {fit_seconds:6.2f} s  "
                f"{state:<14} {row['note']}"
            )
    verdict = "met" if worst < TARGET_SECONDS else "NOT met"
    print(f"slowest {worst:.2f} s; target every population < {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
