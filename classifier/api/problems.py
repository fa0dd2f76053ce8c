"""Errors as RFC 9457 problem details, and request size limits.

Every error a client can get is ``application/problem+json`` with the one-line message the
CLI would print as ``detail``: the package's errors map to a status by kind (not signed in
401, role too low 403, not found 404, throttled 429, any other fixable input 400), and a body
over its path's limit is answered 413 before the endpoint runs, so nothing of it is stored.
"""
from __future__ import annotations

import json
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from classifier.errors import (ArtefactError, ClassifierError, Forbidden, NotFound, NotSignedIn,
                               TooManyAttempts)

PROBLEM = "application/problem+json"

_STATUS = [(NotSignedIn, 401), (Forbidden, 403), (NotFound, 404), (TooManyAttempts, 429),
           (ArtefactError, 503), (ClassifierError, 400)]


def problem(status: int, detail: str, instance: str = "", headers: dict | None = None
            ) -> JSONResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail}
    if instance:
        body["instance"] = instance
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": 'Bearer realm="classifier"'}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def status_of(exc: ClassifierError) -> int:
    return next(code for kind, code in _STATUS if isinstance(exc, kind))


def _validation_line(exc: RequestValidationError) -> str:
    """FastAPI's list of validation errors as one line: where, and what is wrong."""
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body",)) or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def install(app: FastAPI) -> None:
    """Answer every error as problem details."""
    from classifier.store import DatabaseError

    @app.exception_handler(ClassifierError)
    async def _classifier_error(request: Request, exc: ClassifierError):
        status = 503 if isinstance(exc, DatabaseError) else status_of(exc)
        return problem(status, str(exc), request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return problem(400, _validation_line(exc), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return problem(exc.status_code, detail, request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):  # no traceback to the client
        return problem(500, "internal error; the server log says more", request.url.path)


class BodyLimit:
    """ASGI middleware: refuse a request body over ``limits[path]`` (else ``default``) bytes
    with 413. A declared Content-Length over the limit is refused before any byte is read (a
    client sending ``Expect: 100-continue`` never sends the body); a body without one is
    counted as it arrives and refused when it passes the limit."""

    def __init__(self, app, default: int, limits: dict[str, int] | None = None):
        self.app, self.default, self.limits = app, default, limits or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.limits.get(scope["path"], self.default)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await self._refuse(scope, receive, send, limit)
        state = {"received": 0, "over": False, "started": False, "done": False}

        async def counted():
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                state["done"] = True
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["over"] = True
                    return {"type": "http.disconnect"}  # the endpoint stops reading here
            return message

        async def guarded(message):
            if state["over"]:
                return  # the app's answer to a cut-off body is replaced by the 413 below
            state["started"] = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:  # noqa: BLE001 - a cut-off body may end in any parser's error
            if not state["over"]:
                raise
        if state["over"] and not state["started"]:
            # read (and drop) up to as much again, so a client still sending can read the
            # answer instead of meeting a closed connection; past that, just close
            while not state["done"] and state["received"] <= 2 * limit:
                await counted()
            await self._refuse(scope, receive, send, limit)

    @staticmethod
    async def _refuse(scope, receive, send, limit: int):
        detail = (f"request body is larger than the {limit // 2**20 or 1} MB this endpoint "
                  f"accepts ({limit:,} bytes); nothing was stored")
        body = json.dumps({"type": "about:blank", "title": "Content Too Large", "status": 413,
                           "detail": detail, "instance": scope["path"]}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", PROBLEM.encode()),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
