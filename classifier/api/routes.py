"""The API's endpoints, versioned under ``/v1``: thin calls into the jobs and the store.

Every endpoint but ``/v1/health`` needs a bearer token (``python -m classifier tokens
create``); what a token may do is decided by :mod:`classifier.access`, and the store refuses a
write its role does not allow whatever an endpoint does. Shapes are documented at ``/docs``.
"""

import copy
import math
from datetime import date
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
from fastapi import Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from classifier import __version__
from classifier.access import Actor, require
from classifier.errors import InputError, NotSignedIn

MAX_TEXTS = 1000          # texts per /v1/classify request
MAX_TEXT_CHARS = 20_000   # characters per text
PAGE = 100                # findings per page by default
MAX_PAGE = 1000

_bearer = HTTPBearer(auto_error=False, description="a token from `python -m classifier tokens "
                                                   "create --role ROLE --name NAME`")


class ClassifyRequest(BaseModel):
    texts: list[str] = Field(..., max_length=MAX_TEXTS,
                             description=f"findings to classify (at most {MAX_TEXTS})")


class Decision(BaseModel):
    themes: list[str] = Field(..., min_length=1, max_length=20,
                              description='theme ids, or ["other"]')
    note: str = Field("", max_length=2000)


def _plain(value):
    """JSON-safe: numpy scalars to Python, NaN and NaT to null, dates to ISO strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT or value is None:
        return None
    if isinstance(value, (date, pd.Timestamp)):
        return value.isoformat()[:10]
    return value


def _themes(value: str) -> list[str]:
    return [t for t in str(value or "other").split(";") if t]


def create_app(models_dir: Path | None = None) -> FastAPI:
    """The API over the findings database and model of this configuration."""
    from classifier.api.problems import install
    from classifier.jobs.classify import get_store

    app = FastAPI(title="Inspection findings: themes", version=__version__,
                  description="Classify inspection findings into codebook themes and query the "
                              "findings database. Errors are RFC 9457 problem details.")
    install(app)

    def actor(credentials: Annotated[HTTPAuthorizationCredentials | None,
                                     Depends(_bearer)]) -> Actor:
        if credentials is None or not credentials.credentials.strip():
            raise NotSignedIn("no API token: send 'Authorization: Bearer TOKEN' (an admin makes "
                              "one with `python -m classifier tokens create`)")
        found = get_store(models_dir).token_actor(credentials.credentials.strip())
        if found is None:
            raise NotSignedIn("the API token is not valid or was revoked; ask an admin for a "
                              "new one")
        return found

    Who = Annotated[Actor, Depends(actor)]
    served: dict[str, object] = {}

    def model():
        """The model with its embedding cache off: a server's texts are mostly new, and a
        cache growing with every request would grow the server's memory for months."""
        from classifier.jobs.classify import get_model

        loaded = get_model(models_dir)
        if served.get("source") is not loaded:  # first call, or the model was reloaded
            quiet = copy.copy(loaded)
            quiet.embedder = loaded.embedder.without_cache()
            served.update(source=loaded, model=quiet)
        return served["model"]

    @app.get("/v1/health", tags=["service"])
    def health() -> dict:
        """Is the server up (no token needed)."""
        return {"status": "ok", "version": __version__}

    @app.post("/v1/classify", tags=["classify"])
    def classify(body: ClassifyRequest, who: Who) -> dict:
        """Texts in, one result per text in input order, and the model version (viewer)."""
        from classifier.jobs.classify import classify_frame

        require(who, "classify")
        for i, text in enumerate(body.texts):
            if not text.strip():
                raise InputError(f"texts[{i}] is empty; every text must be a finding")
            if len(text) > MAX_TEXT_CHARS:
                raise InputError(f"texts[{i}] has {len(text):,} characters; the limit is "
                                 f"{MAX_TEXT_CHARS:,} (split long reports with POST /v1/reports)")
        chosen = model()
        out = classify_frame(pd.DataFrame({"text": body.texts}), "text", model=chosen)
        ids = chosen.codebook.ids
        results = [{"themes": _themes(rec["themes"]),
                    "probabilities": {t: round(float(rec[f"p_{t}"]), 4) for t in ids},
                    "needs_review": bool(rec["needs_review"])}
                   for rec in out.to_dict("records")]
        return {"results": results, "model_version": chosen.manifest_["model_version"]}

    @app.get("/v1/reports", tags=["reports"])
    def list_reports(who: Who) -> dict:
        """Every stored report: id, title, publisher, date, findings, file_name (viewer)."""
        require(who, "read")
        frame = get_store(models_dir, who).reports()
        cols = ["id", "title", "publisher", "date", "kind", "file_name", "findings"]
        return {"items": [_plain({c: rec[c] for c in cols}) for rec in frame.to_dict("records")]}

    @app.post("/v1/reports", status_code=201, tags=["reports"])
    def add_report(who: Who, file: Annotated[UploadFile, File(description="the report")],
                   title: Annotated[str | None, Form()] = None,
                   publisher: Annotated[str | None, Form()] = None,
                   date: Annotated[str | None, Form(description="YYYY-MM-DD")] = None) -> dict:
        """Segment, classify and store one report, all or nothing (admin)."""
        from classifier.ingest.reportmeta import parse_date
        from classifier.jobs.classify import classify_uploads, safe_name

        require(who, "add_report")
        meta = {"title": (title or "").strip() or None, "publisher": publisher,
                "date": parse_date(date)}
        name = safe_name(file.filename or "upload")
        frame, failures, outcome = classify_uploads(
            [(name, file.file.read())], add_to_history=True, meta=[meta],
            models_dir=models_dir, actor=who)
        if failures:
            raise InputError(f"{failures[0][0]}: {failures[0][1]}")
        stored_name, result = outcome.reports[0]
        return {"report_id": result.report_id, "findings": result.findings,
                "existed": result.existed, "file_name": stored_name}

    @app.get("/v1/findings", tags=["findings"])
    def findings(request: Request, who: Who, theme: str | None = None,
                 year: int | None = None, report: int | None = None,
                 area: str | None = None, publisher: str | None = None,
                 after: Annotated[int, Query(ge=0, description="from the last page's next")] = 0,
                 limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE) -> dict:
        """Stored findings with their effective labels, by id, filtered exactly; ``next`` is
        the URL of the following page, or null (viewer)."""
        require(who, "read")
        store = get_store(models_dir, who)
        frame = store.findings_frame()
        keep = frame["finding_id"] > after
        if theme is not None:
            wanted = store.codebook.parse(theme) or ["other"]  # unknown: a one-line 400
            flags = frame["themes"].fillna("other").str.split(";")
            keep &= flags.map(lambda got: bool(set(wanted) & set(got)))
        if year is not None:
            keep &= frame["year"] == year
        if report is not None:
            keep &= frame["report_id"] == report
        if area is not None:
            keep &= frame["area"] == area
        if publisher is not None:
            keep &= frame["publisher"] == publisher
        page = frame[keep].sort_values("finding_id").head(limit + 1)
        cols = ["report_id", "report", "publisher", "date", "year", "area", "part", "kind",
                "number", "section", "location", "text", "label_source", "needs_review",
                "model_version", "decided_by"]
        items = [{"id": int(rec["finding_id"]), **_plain({c: rec.get(c) for c in cols}),
                  "themes": _themes(rec["themes"])}
                 for rec in page.head(limit).to_dict("records")]
        more = len(page) > limit
        nxt = str(request.url.include_query_params(after=items[-1]["id"])) if more else None
        return {"items": items, "next": nxt}

    @app.get("/v1/similar", tags=["findings"])
    def similar(who: Who, text: Annotated[str, Query(min_length=1, max_length=MAX_TEXT_CHARS)],
                k: Annotated[int, Query(ge=1, le=50)] = 5) -> dict:
        """The themes of ``text`` and the k most similar stored findings (viewer)."""
        from classifier.jobs.classify import check_finding

        require(who, "classify")
        if not text.strip():
            raise InputError("text is empty; give the finding to compare")
        result = check_finding(text, top_k=k, models_dir=models_dir)
        result["themes"] = _themes(result["themes"])
        for row in result["similar"]:
            row["themes"] = _themes(row["themes"])
        return _plain(result)

    @app.post("/v1/findings/{finding_id}/decision", status_code=201, tags=["findings"])
    def decide(finding_id: int, body: Decision, who: Who) -> dict:
        """Record a human decision on a finding, under the token's name (reviewer)."""
        require(who, "decide")
        store = get_store(models_dir, who)
        row = store.record_decision(finding_id, ";".join(body.themes), note=body.note)
        return _plain({"finding_id": finding_id, "themes": _themes(row["themes"]),
                       "decided_by": row["decided_by"], "decided_at": str(row["decided_at"]),
                       "previous_themes": _themes(row["previous_themes"]),
                       "previous_source": row["previous_source"], "note": row["note"]})

    return app
