"""The request body limit, for declared lengths and chunked uploads alike, and bodies that are
not JSON documents.

An ASGI middleware: a `Content-Length` over the limit is refused before a byte is read; any
other body is read up to the limit and refused the moment it goes over, so a chunked upload
cannot slip past. A JSON body that cannot be read as a document (not UTF-8, nested deeper
than a scenario ever is, a number of thousands of digits) is answered 400 with the reason in
one line. The application then gets the body it would have read.
"""

from __future__ import annotations

import json
from typing import Any

from api.problems import PROBLEM, TITLES
from optimizer.scenario import InvalidInput, parse_json

Scope = dict[str, Any]
Message = dict[str, Any]


class BodyLimit:
    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await self._refuse(scope, send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(scope, send)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole = b"".join(chunks)
        if whole and b"json" in headers.get(b"content-type", b""):
            try:
                parse_json(whole, "request body")
            except InvalidInput as error:
                detail = f"the request body is not a JSON document: {error.problems[0]}"
                await self._answer(scope, send, 400, detail)
                return
        replay: list[Message] = [{"type": "http.request", "body": whole, "more_body": False}]

        async def replayed() -> Message:
            if replay:
                return replay.pop()
            message: Message = await receive()
            return message

        await self.app(scope, replayed, send)

    async def _refuse(self, scope: Scope, send: Any) -> None:
        detail = f"the request body is over the limit of {self.max_bytes:,} bytes"
        await self._answer(scope, send, 413, detail)

    async def _answer(self, scope: Scope, send: Any, status: int, detail: str) -> None:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": TITLES[status],
                "status": status,
                "detail": detail,
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", PROBLEM.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
