"""Inspectors: a new finding's themes with confidence, and where it was found before."""
import pandas as pd
import streamlit as st

from classifier.app.common import model
from classifier.insight import charts

st.title("Check a finding against history")
text = st.text_area("Finding", key="finding", height=120,
                    placeholder="e.g. The Area must ensure that disclosure record sheets are "
                                "completed in every case.")
top_k = st.slider("Similar past findings to show", 1, 20, 5, key="top_k")

if st.button("Check", type="primary", key="check") and text.strip():
    from classifier.jobs.classify import check_finding

    model()  # load once, cached for every session
    with st.spinner("Classifying…"):
        result = check_finding(text, top_k=top_k)
    st.session_state["check_result"] = result
elif st.session_state.get("check") and not text.strip():
    st.warning("Type or paste a finding first.")

result = st.session_state.get("check_result")
if result:
    st.subheader(f"Themes: {result['themes']}")
    if result["needs_review"]:
        st.warning("Needs review: a theme's probability is close to its decision threshold.")
    probs = pd.DataFrame({"theme": list(result["probabilities"]),
                          "probability": list(result["probabilities"].values()),
                          "threshold": [result["thresholds"][t] for t in result["probabilities"]]})
    st.vega_lite_chart(probs, charts.probabilities(), width="stretch")
    st.caption("Bars: calibrated probability. Red ticks: each theme's decision threshold.")

    st.subheader("Most similar past findings (the evidence)")
    similar = pd.DataFrame(result["similar"])
    st.dataframe(similar[["similarity", "themes", "area", "part", "kind", "text", "source"]],
                 hide_index=True, width="stretch", key="similar_table")
    r = result["recurrence"]
    st.info(f"Recurrence (cosine similarity ≥ {r['threshold']}): {r['findings']} past findings "
            f"in {r['n_areas']} Areas ({', '.join(r['areas']) or '—'}) and {r['n_parts']} Parts "
            f"({', '.join(r['parts']) or '—'}).")
