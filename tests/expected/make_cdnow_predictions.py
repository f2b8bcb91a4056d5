"""Make tests/expected/cdnow_predictions.csv and cdnow_new_customer.csv with lifetimes.

Run once, outside the project venv (lifetimes 0.11.3 needs numpy < 2):

    make bench-env
    .venv-compare/bin/python tests/expected/make_cdnow_predictions.py

Predictions of lifetimes' BG/NBD, Pareto/NBD, MBG/NBD and Gamma-Gamma fitters on the
2,357 CDNOW customers (time unit: weeks) at fixed parameters (the published estimates),
so the comparison tests the prediction formulas, not the optimisers. lifetimes is not a
dependency of ClientLens; these files are its reference answers.
"""

from pathlib import Path

import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter, ModifiedBetaGeoFitter, ParetoNBDFitter

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1].parent / "shared" / "data" / "cdnow_customers_summary_with_transactions.csv"

PARAMS = {
    "bg": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    "pareto": {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669},
    "mbg": {"r": 0.525, "alpha": 6.183, "a": 0.891, "b": 1.614},
    "gg": {"p": 6.25, "q": 3.74, "v": 15.44},
}
HORIZON_WEEKS = 39
PMF_WEEKS = 10
CLV_MONTHS, CLV_MONTHLY_DISCOUNT = 12, 0.01  # lifetimes: freq="W" means 4.345 weeks a month


def fitter(cls, params):
    model = cls()
    model.params_ = pd.Series(params)
    if hasattr(model, "conditional_expected_number_of_purchases_up_to_time"):
        model.predict = model.conditional_expected_number_of_purchases_up_to_time
    return model


raw = pd.read_csv(DATA)
x, tx, T, zbar = raw["x"], raw["t_x"], raw["T"], raw["zbar"]
bg = fitter(BetaGeoFitter, PARAMS["bg"])
pareto = fitter(ParetoNBDFitter, PARAMS["pareto"])
mbg = fitter(ModifiedBetaGeoFitter, PARAMS["mbg"])
gg = fitter(GammaGammaFitter, PARAMS["gg"])

out = pd.DataFrame(
    {"customer_id": raw["ID"], "frequency": x, "recency": tx, "T": T, "monetary_value": zbar}
)
for name, model in (("bg", bg), ("pareto", pareto), ("mbg", mbg)):
    out[f"{name}_expected_{HORIZON_WEEKS}w"] = (
        model.conditional_expected_number_of_purchases_up_to_time(HORIZON_WEEKS, x, tx, T)
    )
    out[f"{name}_p_alive"] = model.conditional_probability_alive(x, tx, T)
for n in range(3):
    out[f"pareto_p{n}_{PMF_WEEKS}w"] = [
        pareto.conditional_probability_of_n_purchases_up_to_time(n, PMF_WEEKS, xi, ti, Ti)
        for xi, ti, Ti in zip(x, tx, T, strict=True)
    ]
out["gg_expected_spend"] = gg.conditional_expected_average_profit(x, zbar)
out["bg_gg_clv_12m"] = gg.customer_lifetime_value(
    bg, x, tx, T, zbar, time=CLV_MONTHS, discount_rate=CLV_MONTHLY_DISCOUNT, freq="W"
).to_numpy()
out.to_csv(HERE / "cdnow_predictions.csv", index=False, float_format="%.12g")

rows = []
for t in (1.0, 10.0, 39.0, 78.0):
    for name, model in (("bg", bg), ("pareto", pareto), ("mbg", mbg)):
        row = {
            "model": name,
            "t_weeks": t,
            "expected_purchases": float(model.expected_number_of_purchases_up_to_time(t)),
        }
        if name != "pareto":  # lifetimes has the unconditional pmf for BG/NBD and MBG/NBD only
            for n in range(3):
                row[f"p{n}"] = float(model.probability_of_n_purchases_up_to_time(t, n))
        rows.append(row)
pd.DataFrame(rows).to_csv(HERE / "cdnow_new_customer.csv", index=False, float_format="%.12g")
print(len(out), "customers and", len(rows), "new-customer rows written")
