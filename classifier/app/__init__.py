"""The Streamlit app: the server that warms it, the cached resources its pages share, and the pages."""
