"""Customer analyses: pure Ibis table-in, table-out functions.

Analyses live in domain subpackages (customers, segments, value, lifecycle, purchase,
kpis), each listing its own; :mod:`clientlens.analytics.registry` gathers them for
``clientlens analyze``. Shared period helpers are in :mod:`clientlens.analytics.periods`.
"""
