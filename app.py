"""Streamlit front end: `streamlit run app.py` (or `make run`).

Thin by design: every page calls the `classifier` package. The overview reads the
findings database only; the model (and torch) load on the pages that need them.
"""
import streamlit as st

from classifier.app.auth import gate
from classifier.app.common import database

st.set_page_config(page_title="Inspection findings: themes", layout="wide")
gate(database())  # with users configured, nothing below runs before sign-in

pages = [
    st.Page("classifier/app/pages/overview.py", title="Overview", icon="📊", default=True),
    st.Page("classifier/app/pages/check.py", title="Check a finding", icon="🔎"),
    st.Page("classifier/app/pages/batch.py", title="Classify reports", icon="📄"),
    st.Page("classifier/app/pages/reports.py", title="Reports", icon="🗂️"),
    st.Page("classifier/app/pages/review.py", title="Review", icon="✅"),
    st.Page("classifier/app/pages/emerging.py", title="Emerging themes", icon="🧭"),
    st.Page("classifier/app/pages/about.py", title="About", icon="ℹ️"),
]
st.navigation(pages).run()
