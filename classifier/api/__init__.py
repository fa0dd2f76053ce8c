"""The HTTP API (FastAPI on uvicorn): the same jobs and rules as the CLI and app, for other systems."""
