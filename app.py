"""Loopboard's entry point: page config, navigation by section, and the sidebar every page shares. Routing only."""

from __future__ import annotations

import streamlit as st

from ui import sidebar, state
from ui.i18n import t

st.set_page_config(page_title="Loopboard", page_icon=":material/insights:", layout="wide")
state.init_state()
sidebar.render()

navigation = st.navigation(
    {
        t("nav.data"): [st.Page("pages/data.py", title=t("page.data"), icon=":material/upload_file:", default=True)],
        t("nav.analyse"): [
            st.Page("pages/kpi_pool.py", title=t("page.kpi_pool"), icon=":material/account_tree:"),
            st.Page("pages/funnel.py", title=t("page.funnel"), icon=":material/filter_alt:"),
        ],
    }
)
navigation.run()
