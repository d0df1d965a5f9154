"""Labs: posts per lab over time, and each post with the papers it links."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.reading import rows, snapshot_key, web_link

_WEEKLY = (
    "SELECT date_trunc('month', published) AS month, coalesce(lab, feed) AS lab, count(*) FROM posts "
    "WHERE published IS NOT NULL GROUP BY ALL ORDER BY month"
)
_POSTS = """
SELECT coalesce(o.lab, o.feed) AS lab, o.title, CAST(o.published AS DATE) AS day, o.url,
       string_agg(q.paper_id, ' ' ORDER BY q.paper_id) AS papers
FROM posts o LEFT JOIN post_papers q USING (post_id)
WHERE (? IS NULL OR coalesce(o.lab, o.feed) = ?)
GROUP BY ALL ORDER BY day DESC NULLS LAST LIMIT 500
"""

st.title("Labs")
snapshot = snapshot_key()
monthly = pd.DataFrame(rows(snapshot, _WEEKLY), columns=["month", "lab", "posts"])
if monthly.empty:
    st.info(
        "No lab posts yet. Fetch the configured lab feeds with `leanwatch ingest blogs` (or `leanwatch "
        "update`), or load saved feeds with `leanwatch ingest blogs --from DIR`."
    )
    st.stop()
st.subheader("Posts per month")
st.bar_chart(monthly.pivot_table(index="month", columns="lab", values="posts", fill_value=0), stack=True)
labs = sorted(monthly.lab.unique())
lab = st.selectbox("Lab", ["all labs", *labs], key="lab")
chosen = None if lab == "all labs" else lab
posts = pd.DataFrame(
    rows(snapshot, _POSTS, (chosen, chosen)), columns=["lab", "title", "date", "url", "papers"]
)
posts["papers"] = posts["papers"].fillna("")
posts["url"] = posts["url"].map(web_link)
st.caption(f"{len(posts):,} posts, newest first (at most 500); papers: the arXiv papers a post links.")
st.dataframe(
    posts,
    hide_index=True,
    column_config={"url": st.column_config.LinkColumn("post", display_text="open")},
)
