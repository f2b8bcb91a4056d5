"""What customers will do next, beyond churn: spend in the coming days, and the business's
monthly revenue, orders and active customers months ahead.

``spend_forecast_validation`` trains a regression of each customer's spend in the next
days on point-in-time features and validates it out of time against the naive "the next
days = the last days"; ``spend_forecast`` scores every customer with it, beside the CLV
model's expected purchases and next-purchase timing. ``revenue_forecast_validation`` backtests ETS models against the seasonal-naive and naive
benchmarks on each monthly series and chooses one; ``revenue_forecast`` forecasts with it,
with 80% and 95% intervals.

Registering an analysis of this domain: its module with a module-level ``ANALYSES``
list, and one entry in :data:`ANALYSES` below.
"""

from clientlens.analytics.base import Analysis
from clientlens.analytics.forecast import revenue_tables, spend_tables

ANALYSES: list[Analysis] = [*spend_tables.ANALYSES, *revenue_tables.ANALYSES]
