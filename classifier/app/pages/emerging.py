"""Emerging themes: what the `other` findings have in common, as candidate codebook changes."""
import pandas as pd
import streamlit as st

from classifier.app.common import escape_markdown, model, store

st.title("Emerging themes")
st.caption("Findings with none of the five themes (in the database and in this session's uploads), "
           "clustered by meaning. Each cluster is a candidate for a new theme.")
n = st.slider("Clusters", 2, 12, 6, key="n_clusters")

if st.button("Find clusters", type="primary", key="cluster"):
    import numpy as np

    from classifier.insight.emerging import cluster_other

    from classifier.jobs.classify import ensure_embeddings

    m = model()
    db = store()
    ensure_embeddings(db, m)
    index, _ = db.vectors(m.embedder.fingerprint)
    stored = db.findings_frame()
    stored = stored[stored["themes"] == "other"].assign(source=lambda f: f["report"])
    row_of = {int(fid): i for i, fid in enumerate(index.ids)}
    stored = stored[stored["finding_id"].isin(row_of)]
    frame = stored
    vectors = index.vectors[[row_of[int(f)] for f in stored["finding_id"]]].reshape(
        len(stored), -1) if len(stored) else np.zeros((0, m.embedder.dimension), np.float32)
    batch = st.session_state.get("batch")
    if batch is not None and len(batch[0]):
        up = batch[0][batch[0]["themes"] == "other"]
        if len(up):
            frame = pd.concat([frame, up.assign(source=up["source_file"])], ignore_index=True)
            vectors = np.vstack([vectors, m.embedder.encode(up["text"].tolist())])
    st.session_state["clusters"] = cluster_other(frame.reset_index(drop=True), vectors,
                                                 n_clusters=n)

for c in st.session_state.get("clusters", []):
    terms = escape_markdown(", ".join(c["top_terms"]))
    with st.expander(f"{c['size']} findings — {escape_markdown(', '.join(c['top_terms'][:4]))}",
                     expanded=True):
        st.write("**Top terms:** " + terms)
        st.dataframe(pd.DataFrame(c["examples"])[["text", "source"]], hide_index=True,
                     width="stretch")
