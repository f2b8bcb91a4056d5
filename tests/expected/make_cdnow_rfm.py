"""Make tests/expected/cdnow_master_rfm.csv with lifetimes (run once, outside the project venv).

    python3 -m venv /tmp/lt && /tmp/lt/bin/pip install lifetimes==0.11.3 "pandas<2.2" "numpy<2"
    /tmp/lt/bin/python tests/expected/make_cdnow_rfm.py

lifetimes is not a dependency of ClientLens; this file is its reference answer.
"""

from pathlib import Path

import pandas as pd
from lifetimes.utils import summary_data_from_transaction_data

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1].parent / "shared" / "data" / "CDNOW_master.txt"

orders = pd.read_csv(DATA, sep=r"\s+", dtype={"customer_id": str, "date": str})
orders["date"] = pd.to_datetime(orders["date"], format="%Y%m%d")
summary = summary_data_from_transaction_data(
    orders, "customer_id", "date", monetary_value_col="dollar_value", freq="D"
)
summary.reset_index().to_csv(HERE / "cdnow_master_rfm.csv", index=False, float_format="%.12g")
print(len(summary), "customers written")
