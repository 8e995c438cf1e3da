"""The learner's app as the checks serve it: what it raises and answers is recorded.

`observe_app` wraps the ASGI app (and, for a check that drives the app itself, notes its
answers); `response_hook` notes the answers an httpx client gets. Both feed the same
`Observations` (`observe.py`), which the diagnoses read.
"""

from __future__ import annotations

import json
from typing import Any

from fastlings.plugin.observe import BODY_LIMIT, Answer, Observations, raised
from fastlings.plugin.routes import route_list


def observe_app(app: Any, observations: Observations, *, driven: bool = False) -> Any:
    """An ASGI callable that serves `app` and records what it raises, and which requests it
    returned from without a complete response (then it answers 500 itself, as uvicorn does).

    `driven`: a check calls the ASGI app itself (to time a stream as it arrives, or to hang up
    part-way). Each 4xx/5xx answer is then recorded here, as the httpx hook does for a client,
    and a response the app left unfinished is left as it is: the check sees what the app did."""

    async def observed(scope: Any, receive: Any, send: Any) -> None:
        sent: set[str] = set()
        status, body = 0, bytearray()

        async def watched(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                sent.add("start")
                status = int(message["status"])
            elif message["type"] == "http.response.body":
                if len(body) < BODY_LIMIT:
                    body.extend(message.get("body", b""))
                if not message.get("more_body"):
                    sent.add("end")
                    if driven:
                        headers = {k.lower(): v for k, v in scope.get("headers", [])}
                        record_answer(
                            app,
                            observations,
                            scope.get("method", ""),
                            scope.get("path", ""),
                            status,
                            bytes(body).decode("utf-8", errors="replace"),
                            headers.get(b"content-type", b"").decode("latin-1"),
                        )
            await send(message)
            if "end" in sent:
                sent.add("delivered")  # the last body message reached the client

        http = scope["type"] == "http"
        try:
            await app(scope, receive, watched if http else send)
        except Exception as exc:
            found = raised(exc, observations.learner_file)
            # A 500 is the one Starlette's ServerErrorMiddleware sends for this very exception
            # before it raises it on; any other answer the client had before the app raised.
            found.after_response = http and "delivered" in sent and status != 500
            observations.raised.append(found)
            raise
        if http and "end" not in sent and not driven:
            observations.unanswered.append(f"{scope.get('method', '')} {scope.get('path', '')}")
            await _finish_unanswered(send, started="start" in sent)

    return observed


UNANSWERED_HEADER = "x-fastlings-unanswered"
"""Marks the 500 the checks' server sent because the app returned without a response."""


async def _finish_unanswered(send: Any, started: bool) -> None:
    """End a response the app left unfinished: a 500 when it never started one."""
    if not started:
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (UNANSWERED_HEADER.encode(), b"1"),
        ]
        await send({"type": "http.response.start", "status": 500, "headers": headers})
        await send({"type": "http.response.body", "body": b"Internal Server Error"})
    else:
        await send({"type": "http.response.body", "body": b""})


EXPECTED_STATUS = "fastlings.expected_status"
"""The httpx request extension by which a check marks the status it expects (not diagnosed)."""


def response_hook(app: Any, observations: Observations) -> Any:
    """An httpx response hook that records each 4xx/5xx answer."""

    async def hook(response: Any) -> None:
        if response.request.extensions.get(EXPECTED_STATUS) == response.status_code:
            return  # the check asked for this status (an unknown path, a refused origin)
        if response.status_code >= 400:
            await response.aread()
        request = response.request
        record_answer(
            app,
            observations,
            request.method,
            request.url.path,
            response.status_code,
            response.text if response.status_code >= 400 else "",
            request.headers.get("content-type", ""),
        )

    return hook


def record_answer(
    app: Any,
    observations: Observations,
    method: str,
    path: str,
    status: int,
    text: str,
    content_type: str,
) -> None:
    """Note a request's answer: a success by its method and path, a 4xx/5xx in full."""
    if status < 400:
        observations.succeeded.add((method, path))
        return
    detail: list[dict[str, Any]] = []
    if status == 422:
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        entries = parsed.get("detail") if isinstance(parsed, dict) else None
        if isinstance(entries, list):
            detail = [e for e in entries if isinstance(e, dict)][:8]
    observations.answers.append(
        Answer(
            method=method,
            path=path,
            status=status,
            body=text[:BODY_LIMIT],
            sent_json="json" in content_type,
            detail=detail,
            content_type=content_type.split(";")[0],
            routes=route_list(app) if status in (404, 405) else [],
        )
    )
