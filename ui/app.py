"""Entry point of the Streamlit app: `leanwatch ui` runs this file with streamlit."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

# Not "pages/": Streamlit would also serve that folder as legacy pages, and deep links would skip the
# navigation below.
PAGES = Path(__file__).parent / "views"

st.set_page_config(page_title="leanwatch", layout="wide")
navigation = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Overview", url_path="", default=True),
        st.Page(PAGES / "tags.py", title="Tags", url_path="tags"),
        st.Page(PAGES / "compute.py", title="Compute", url_path="compute"),
    ]
)
navigation.run()
