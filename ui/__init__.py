"""Streamlit-only helpers: session keys, content-keyed caches, user actions, display tables, i18n and charts.

May import streamlit, altair, `metrics` and `store`; pages import from here. Nothing here computes a KPI: figures
come from `metrics`, this layer only caches, formats and draws them.
"""
