"""Loopboard's pure core: ingest, the KPI catalog and engine, funnel, cohorts and the command line.

Nothing here imports streamlit, sqlalchemy or altair (tests/unit/test_purity.py enforces it), so every figure the
app shows can be reproduced from the command line and unit-tested without a browser or a database.
"""
