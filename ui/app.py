"""Entry point of the Streamlit app: `leanwatch ui` runs this file with streamlit."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from leanwatch.errors import LeanwatchError
from ui.reading import update_banner

# Not "pages/": Streamlit would also serve that folder as legacy pages, and deep links would skip the
# navigation below.
PAGES = Path(__file__).parent / "views"

st.set_page_config(page_title="leanwatch", layout="wide")
navigation = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Overview", url_path="", default=True),
        st.Page(PAGES / "papers.py", title="Papers", url_path="papers"),
        st.Page(PAGES / "trends.py", title="Trends", url_path="trends"),
        st.Page(PAGES / "compute.py", title="Compute", url_path="compute"),
        st.Page(PAGES / "frontier.py", title="Frontier", url_path="frontier"),
        st.Page(PAGES / "labs.py", title="Labs", url_path="labs"),
        st.Page(PAGES / "verification.py", title="Verification", url_path="verification"),
        st.Page(PAGES / "digests.py", title="Digests", url_path="digests"),
    ]
)
update_banner()
try:
    navigation.run()
except LeanwatchError as exc:
    # A store problem (an unreadable snapshot, a store from an older leanwatch) is said in words.
    st.error(f"This page cannot be shown: {exc}")
except Exception as exc:  # a page must never show a traceback to a reader
    logging.getLogger("leanwatch.ui").exception("page failed")
    st.error(f"This page failed ({type(exc).__name__}: {exc}). The details are in the server log.")
