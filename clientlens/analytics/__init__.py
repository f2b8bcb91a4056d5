"""Customer analyses: pure Ibis table-in, table-out functions.

Analyses live in domain subpackages (customers, segments, value, lifecycle, purchase,
kpis), each listing its own; :mod:`clientlens.analytics.registry` gathers them for
``clientlens analyze``. Helpers the analyses share are in :mod:`clientlens.analytics.common`
(input checks, date cuts, exact medians, ratios, labels) and
:mod:`clientlens.analytics.periods` (months, ISO weeks, epoch days, 环比 / 同比).
"""
