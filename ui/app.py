"""Entry point of the Streamlit app: `leanwatch ui` runs this file with streamlit."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="leanwatch", layout="wide")
navigation = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Overview", url_path="", default=True),
        st.Page(PAGES / "tags.py", title="Tags", url_path="tags"),
    ]
)
navigation.run()
