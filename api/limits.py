"""The request body limit, for declared lengths and chunked uploads alike.

An ASGI middleware: a `Content-Length` over the limit is refused before a byte is read; any
other body is read up to the limit and refused the moment it goes over, so a chunked upload
cannot slip past. The application then gets the body it would have read.
"""

from __future__ import annotations

import json
from typing import Any

from api.problems import PROBLEM, TITLES

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
        replay = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replayed() -> Message:
            if replay:
                return replay.pop()
            return await receive()

        await self.app(scope, replayed, send)

    async def _refuse(self, scope: Scope, send: Any) -> None:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": TITLES[413],
                "status": 413,
                "detail": f"the request body is over the limit of {self.max_bytes:,} bytes",
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
