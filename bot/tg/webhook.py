"""The webhook server: a small HTTP/1.1 endpoint that checks Telegram's secret header before it
reads a body, caps bodies and header/idle times, stores each update in the inbox and only then
answers 200."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime

from bot.storage.durable import Inbox, InboxRow
from bot.storage.health import is_write_failure
from bot.tg.intake import ErrorBurst, Processor, rows_of

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20  # Telegram's updates are far smaller
MAX_HEADER = 16 << 10
HEADER_TIMEOUT = 10.0  # to send the request line and headers
BODY_TIMEOUT = 10.0  # to send the body
IDLE_TIMEOUT = 60.0  # between requests on a kept-alive connection
MAX_CONNECTIONS = 256  # beyond this a new connection is closed at once
SECRET_HEADER = b"x-telegram-bot-api-secret-token"

_REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 408: "Request Timeout", 411: "Length Required",
            413: "Payload Too Large", 431: "Request Header Fields Too Large",
            500: "Internal Server Error", 503: "Service Unavailable"}  # fmt: skip


class _Refused(Exception):
    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


class WebhookServer:
    """Serves POST `path` for Telegram."""

    def __init__(
        self,
        inbox: Inbox,
        processor: Processor,
        path: str,
        secret: str,
        max_pending: int,
        clock: Callable[[], datetime],
        header_timeout: float = HEADER_TIMEOUT,
        body_timeout: float = BODY_TIMEOUT,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        self.inbox, self.processor = inbox, processor
        self.header_timeout, self.body_timeout = header_timeout, body_timeout
        self.idle_timeout = idle_timeout
        self.path = "/" + path.lstrip("/")
        self.secret = secret.encode()
        self.max_pending = max_pending
        self.clock = clock
        self.errors = ErrorBurst(log, time.monotonic)
        self._server: asyncio.Server | None = None
        self._connections = 0
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self, host: str, port: int) -> int:
        """Listen on host:port (0: any free port); the port."""
        self._server = await asyncio.start_server(self._serve, host, port, limit=MAX_HEADER)
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop accepting connections and close the listening socket."""
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            self.errors.flush()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections += 1
        self._writers.add(writer)
        try:
            if self._connections > MAX_CONNECTIONS:
                self.errors.error("webhook: too many open connections; closing new ones")
                return
            first = True
            while True:
                try:
                    keep = await self._one_request(reader, writer, first)
                except _Refused as refused:
                    self.errors.error(f"webhook: {refused.status} {refused}")
                    await _respond(writer, refused.status, close=True)
                    return
                first = False
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, TimeoutError):
            return
        finally:
            self._connections -= 1
            self._writers.discard(writer)
            writer.close()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, first: bool
    ) -> bool:
        """Handle one request; False when the connection is to be closed."""
        try:
            async with asyncio.timeout(self.header_timeout if first else self.idle_timeout):
                line = await reader.readline()
            if not line:
                return False
            async with asyncio.timeout(self.header_timeout):
                head = await reader.readuntil(b"\r\n\r\n") if line.strip() else b""
        except TimeoutError:
            if first:
                raise _Refused(408, "client too slow sending its headers") from None
            return False  # an idle kept-alive connection
        except (asyncio.LimitOverrunError, ValueError):
            raise _Refused(431, "headers too large") from None
        parts = line.decode("latin-1").split()
        if len(parts) != 3:
            raise _Refused(400, "malformed request line")
        method, target, _ = parts
        headers = _headers(head)
        if target.split("?", 1)[0] != self.path:
            raise _Refused(404, "unknown path")
        if method != "POST":
            raise _Refused(405, "not a POST")
        # The secret is checked before a byte of the body is read.
        given = headers.get(SECRET_HEADER, b"")
        if not hmac.compare_digest(given, self.secret):
            raise _Refused(403, "wrong or missing secret token")
        length_text = headers.get(b"content-length")
        if length_text is None or not length_text.strip().isdigit():
            raise _Refused(411, "no Content-Length")
        length = int(length_text)
        if length > MAX_BODY:
            raise _Refused(413, f"body of {length} bytes")
        try:
            async with asyncio.timeout(self.body_timeout):
                body = await reader.readexactly(length)
        except TimeoutError:
            raise _Refused(408, "client too slow sending its body") from None
        status = await self._store(body)
        close = headers.get(b"connection", b"").lower() == b"close"
        await _respond(writer, status, close=close)
        return not close and status == 200

    async def _store(self, body: bytes) -> int:
        """Store the update, then 200; 503 while the backlog is full (Telegram retries)."""
        try:
            update = json.loads(body)
        except ValueError:
            self.errors.error("webhook: body is not JSON")
            return 400
        rows = rows_of([update])
        if not rows:
            self.errors.error("webhook: body is not an update")
            return 400
        try:
            if await self.inbox.pending_count() > self.max_pending:
                return 503
            if await self.inbox.add(rows, self.clock()):
                self.processor.wake()
        except Exception as exc:
            if not is_write_failure(exc):
                raise
            log.error("inbox not writable (%s): update processed without it", exc)
            update_id, _, text = rows[0]
            await self.processor.process(InboxRow(update_id, None, text, 0), durable=False)
        return 200


def _headers(head: bytes) -> dict[bytes, bytes]:
    out: dict[bytes, bytes] = {}
    for raw in head.split(b"\r\n"):
        name, sep, value = raw.partition(b":")
        if sep:
            out[name.strip().lower()] = value.strip()
    return out


async def _respond(writer: asyncio.StreamWriter, status: int, close: bool) -> None:
    reason = _REASONS.get(status, "Error")
    headers = [f"HTTP/1.1 {status} {reason}", "Content-Length: 0"]
    if status == 503:
        headers.append("Retry-After: 5")
    if close:
        headers.append("Connection: close")
    writer.write(("\r\n".join(headers) + "\r\n\r\n").encode())
    with contextlib.suppress(ConnectionError):
        await writer.drain()
