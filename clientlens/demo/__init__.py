"""A realistic synthetic Chinese e-commerce business with known ground truth.

>>> from clientlens.demo import generate
>>> demo = generate(n_customers=2_000, seed=1, locale="zh")
>>> demo.orders.columns.tolist()
['order_id', 'customer_id', 'order_date', 'amount', 'status', 'channel', 'cost']

``generate`` returns a :class:`DemoData` holding the eight canonical tables and a
``truth`` frame (each customer's hidden segment, purchase rate, dropout date, ...);
``load_demo`` imports the tables into a workspace and writes the truth beside them.
"""

from clientlens.demo.generate import LOCALES, DemoData, generate
from clientlens.demo.load import TRUTH_FILE, load_demo

__all__ = ["LOCALES", "TRUTH_FILE", "DemoData", "generate", "load_demo"]
