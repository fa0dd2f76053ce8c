"""Streamlit front end: `streamlit run app.py` (or `make run`).

Thin by design: every page calls the `classifier` package. The overview reads the
findings database only; the model (and torch) load on the pages that need them.
"""
import streamlit as st

st.set_page_config(page_title="Inspection findings: themes", layout="wide")

pages = [
    st.Page("app_pages/overview.py", title="Overview", icon="📊", default=True),
    st.Page("app_pages/check.py", title="Check a finding", icon="🔎"),
    st.Page("app_pages/batch.py", title="Classify reports", icon="📄"),
    st.Page("app_pages/reports.py", title="Reports", icon="🗂️"),
    st.Page("app_pages/review.py", title="Review", icon="✅"),
    st.Page("app_pages/emerging.py", title="Emerging themes", icon="🧭"),
    st.Page("app_pages/about.py", title="About", icon="ℹ️"),
]
st.navigation(pages).run()
