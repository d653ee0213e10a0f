"""Loopboard's tests: unit/ (pure metrics), store/ (SQLite and PostgreSQL), app/ (AppTest), e2e/ (Chromium).

Tests may import everything in the project. Expected figures are computed independently of the code under test
(by hand, or with the csv module / openpyxl / a plain pandas groupby written in the test). golden/ holds the
page-level outputs compared exactly; regenerate with LOOPBOARD_UPDATE_GOLDEN=1 and review the diff by hand.
"""
