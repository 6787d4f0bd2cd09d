"""The request-body cap (SECURITY.md, "Oversized input"): an ASGI middleware that reads each request body
under a per-path cap before the app sees it, and answers 413 (or 400 for a malformed ``Content-Length``)
in the problem shape of :mod:`edge.problems`.

A declared ``Content-Length`` over the cap is refused before anything is read; a streamed body is counted
as it arrives and refused the moment it passes the cap. The body read is put in ``scope[BODY_KEY]``
(:func:`body_of`) and replayed to the app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from edge.problems import PROBLEM_TYPE, problem_answer
from vccore.errors import Code

BODY_KEY: Final = "skillcred.body"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def body_of(scope: Scope) -> bytes:
    """The body :class:`BodyCap` read for this request (empty if there was none)."""
    value = scope.get(BODY_KEY, b"")
    return value if isinstance(value, bytes) else b""


async def send_problem(send: Send, status: int, code: Code, detail: str) -> None:
    """Answer with a problem document over raw ASGI."""
    status, headers, body = problem_answer(status, code, detail)
    raw = [(b"content-type", PROBLEM_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class BodyCap:
    """ASGI middleware: read each request body under ``cap_for(path)`` bytes into ``scope[BODY_KEY]``."""

    def __init__(self, app: ASGIApp, *, cap_for: Callable[[str], int]) -> None:
        self.app = app
        self.cap_for = cap_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.cap_for(str(scope.get("path", "")))
        declared = [v for k, v in scope.get("headers", []) if k.lower() == b"content-length"]
        if declared:
            text = declared[0].decode("latin-1").strip()
            if len(declared) > 1 or not text.isdigit() or len(text) > 18:
                await send_problem(send, 400, Code.PARSING_ERROR, "bad Content-Length")
                return
            if int(text) > cap:
                await send_problem(send, 413, Code.RESOURCE_LIMIT_EXCEEDED, f"the body exceeds {cap} bytes")
                return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > cap:
                await send_problem(send, 413, Code.RESOURCE_LIMIT_EXCEEDED, f"the body exceeds {cap} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app({**scope, BODY_KEY: body}, replay, send)
