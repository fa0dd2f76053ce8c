"""The Streamlit pages; `app.py` at the top of the repository routes to them."""
