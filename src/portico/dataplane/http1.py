"""HTTP/1.1 response serialisation (RFC 9112 section 4-6) and the listener's own error replies.

Pure functions and values, no I/O: the listener in `server.py` writes what these return.
"""

from __future__ import annotations

import time
from email.utils import formatdate
from http import HTTPStatus
from typing import Final

from portico.wire import Response

# b"HTTP/1.1 200 OK\r\n" for every status the standard library names.
_STATUS_LINES: Final[dict[int, str]] = {s.value: f"HTTP/1.1 {s.value} {s.phrase}\r\n" for s in HTTPStatus}

# Lengths of content-length, transfer-encoding, date, connection: the names the serialiser handles.
_FRAMING_NAME_LENGTHS: Final = frozenset({14, 17, 4, 10})

# Statuses that never carry a body nor a Content-Length (RFC 9110 8.6, 15.3.5, 15.4.5).
_NO_BODY_STATUSES: Final = frozenset({204, 304})

_wall_clock: Final = time.time  # Final: compiled, no module attribute lookup per call

CONTINUE: Final = b"HTTP/1.1 100 Continue\r\n\r\n"


def status_line(status: int) -> str:
    line = _STATUS_LINES.get(status)
    if line is None:
        line = f"HTTP/1.1 {status} Unknown\r\n"
    return line


class DateCache:
    """The `Date` header line, recomputed at most once per second."""

    __slots__ = ("_line", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._line = ""

    def line(self) -> str:
        now = _wall_clock()
        second = int(now)
        if second != self._second:
            self._second = second
            self._line = f"Date: {formatdate(now, usegmt=True)}\r\n"
        return self._line


def encode_response(
    response: Response, *, head: bool, close: bool, keep_alive_header: bool, date: DateCache
) -> tuple[bytes, bytes, bool]:
    """Serialise `response` into (head bytes, body bytes, close).

    The handler's headers are kept as given (case, order, duplicates). `Content-Length` is added
    unless the handler set it or `Transfer-Encoding` (then the body is sent as given, already
    framed); `Date` is added when absent; `Connection: close` when the connection closes after
    this response (`close` also becomes true if the handler asked for it). `keep_alive_header`
    adds `Connection: keep-alive` for HTTP/1.0 clients that keep the connection.
    """
    status = response.status
    body = response.body
    raw = response.head  # serialised already (wire.Response): written after the status line
    no_body = status < 200 or status in _NO_BODY_STATUSES
    if raw and not response.headers:  # all serialised but the framing (an HTTP_PROXY response)
        return _encode_serialised(status, raw, body, head, no_body, close, keep_alive_header, date)
    parts = [] if raw else [status_line(status)]
    has_length = has_date = has_connection = False
    for name, value in response.headers:
        if ":" in name:
            raise ValueError(f"invalid response header {name!r}")
        if len(name) in _FRAMING_NAME_LENGTHS:  # only these can be one of the names below
            lname = name.lower()
            if lname == "content-length" or lname == "transfer-encoding":
                if no_body:
                    continue
                has_length = True
            elif lname == "date":
                has_date = True
            elif lname == "connection":
                if value.lower() == "close":
                    close = True
                elif close:
                    continue  # the listener closes: do not announce keep-alive
                has_connection = True
        parts.append(f"{name}: {value}\r\n")
    if not has_length and not no_body:
        parts.append(f"Content-Length: {len(body)}\r\n")
    if not has_date:
        parts.append(date.line())
    if not has_connection:
        if close:
            parts.append("Connection: close\r\n")
        elif keep_alive_header:
            parts.append("Connection: keep-alive\r\n")
    parts.append("\r\n")
    text = "".join(parts)
    if text.count("\n") != len(parts) or text.count("\r") != len(parts):  # one CRLF ends each part
        raise ValueError(f"invalid response header {_line_break_in(response)!r}")
    try:
        head_bytes = text.encode("latin-1")
    except UnicodeEncodeError:
        head_bytes = text.encode("utf-8")  # non-Latin-1 header values go out as UTF-8
    if raw:
        head_bytes = (status_line(status) + raw).encode("latin-1") + head_bytes
    if head or no_body:
        body = b""
    return head_bytes, body, close


def _encode_serialised(
    status: int,
    raw: str,
    body: bytes,
    head: bool,
    no_body: bool,
    close: bool,
    keep_alive_header: bool,
    date: DateCache,
) -> tuple[bytes, bytes, bool]:
    """`encode_response` of a response whose headers are all in `head` (none of them framing)."""
    length = "" if no_body else f"Content-Length: {len(body)}\r\n"
    connection = (
        "Connection: close\r\n" if close else "Connection: keep-alive\r\n" if keep_alive_header else ""
    )
    text = f"{status_line(status)}{raw}{length}{date.line()}{connection}\r\n"
    return text.encode("latin-1"), b"" if head or no_body else body, close


def _line_break_in(response: Response) -> str:
    return next((n for n, v in response.headers if "\n" in n + v or "\r" in n + v), "")


def error_response(status: int, message: str) -> Response:
    body = b'{"message":"%s"}' % message.encode()
    return Response(status, [("Content-Type", "application/json")], body)


def bad_request() -> Response:
    return error_response(400, "Bad Request")


def too_long() -> Response:
    return error_response(413, "Request Too Long")


def headers_too_large() -> Response:
    return error_response(431, "Request Header Fields Too Large")


def request_timeout() -> Response:
    return error_response(408, "Request Timeout")


def internal_error() -> Response:
    return error_response(500, "Internal server error")
