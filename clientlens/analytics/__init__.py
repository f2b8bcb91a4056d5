"""Customer analyses: pure Ibis table-in, table-out functions.

Each module holds one analysis; :mod:`clientlens.analytics.registry` lists the
analyses ``clientlens analyze`` runs.
"""
