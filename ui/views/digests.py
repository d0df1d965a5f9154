"""Digests: the weekly digests written by `leanwatch digest`, to read and download."""

from __future__ import annotations

import streamlit as st

from ui.reading import settings

st.title("Digests")
folder = settings().data_dir / "digests"
pages = sorted(folder.glob("*.md"), reverse=True) if folder.is_dir() else []
if not pages:
    st.info(
        "No digest yet. Write this week's with `leanwatch digest` (or `--week 2026-W14`); the "
        "schedule in the README writes one every Monday."
    )
    st.stop()
name = st.selectbox("Digest", [page.stem for page in pages], key="digest")
markdown = (folder / f"{name}.md").read_text(encoding="utf-8")
html = folder / f"{name}.html"
download_md, download_html, feed = st.columns(3)
download_md.download_button("Markdown", markdown, file_name=f"leanwatch-{name}.md", on_click="ignore")
if html.is_file():
    download_html.download_button(
        "E-mail HTML",
        html.read_bytes(),
        file_name=f"leanwatch-{name}.html",
        mime="text/html",
        on_click="ignore",
    )
if (folder / "feed.atom").is_file():
    feed.caption(f"Subscribe: {folder / 'feed.atom'}")
# Shown as text, line by line: titles inside come from papers and feeds and are never rendered as markup.
for line in markdown.splitlines():
    if line.startswith("# "):
        st.header(line[2:], anchor=False)
    elif line.startswith("## "):
        st.subheader(line[3:], anchor=False)
    elif line.strip():
        st.text(line)
