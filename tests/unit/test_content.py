"""Content type conversions and payload compression (pure)."""

from __future__ import annotations

import base64
import gzip
import zlib

import pytest

from portico.mapping.content import (
    CONVERT_TO_BINARY,
    CONVERT_TO_TEXT,
    ConversionError,
    UnsupportedEncoding,
    compress,
    convert,
    decompress,
    is_binary,
    negotiate,
    should_compress,
)

PNG = b"\x89PNG\r\n\x1a\n\x00\xff"
B64 = base64.b64encode(PNG)


def test_binary_media_types() -> None:
    assert is_binary("image/png", ["image/png"])
    assert is_binary("image/png", ["IMAGE/*"])
    assert is_binary("application/pdf", ["*/*"])
    assert not is_binary("image/png", ["image/jpeg", "application/*"])
    assert not is_binary(None, ["*/*"])
    assert not is_binary("image/png", [])


# Request table: (payload binary?, contentHandling) -> integration payload
@pytest.mark.parametrize(
    ("payload", "binary", "handling", "expected"),
    [
        (b"text", False, None, b"text"),
        (B64, False, CONVERT_TO_BINARY, PNG),
        (b"text", False, CONVERT_TO_TEXT, b"text"),
        (PNG, True, None, PNG),
        (PNG, True, CONVERT_TO_BINARY, PNG),
        (PNG, True, CONVERT_TO_TEXT, B64),
    ],
)
def test_request_conversions(payload: bytes, binary: bool, handling: str | None, expected: bytes) -> None:
    assert convert(payload, binary, binary, handling) == expected


# Response table: (payload binary?, Accept binary?, contentHandling) -> method response payload
@pytest.mark.parametrize(
    ("payload", "payload_binary", "accept_binary", "handling", "expected"),
    [
        (b"text", False, False, None, b"text"),
        (B64, False, False, CONVERT_TO_BINARY, PNG),
        (b"text", False, False, CONVERT_TO_TEXT, b"text"),
        (B64, False, True, None, PNG),
        (B64, False, True, CONVERT_TO_BINARY, PNG),
        (b"text", False, True, CONVERT_TO_TEXT, b"text"),
        (PNG, True, False, None, B64),
        (PNG, True, False, CONVERT_TO_BINARY, PNG),
        (PNG, True, False, CONVERT_TO_TEXT, B64),
        (PNG, True, True, None, PNG),
        (PNG, True, True, CONVERT_TO_BINARY, PNG),
        (PNG, True, True, CONVERT_TO_TEXT, B64),
    ],
)
def test_response_conversions(
    payload: bytes, payload_binary: bool, accept_binary: bool, handling: str | None, expected: bytes
) -> None:
    assert convert(payload, payload_binary, accept_binary, handling) == expected


def test_text_that_is_not_base64_cannot_become_binary() -> None:
    with pytest.raises(ConversionError):
        convert(b"not base64!", False, False, CONVERT_TO_BINARY)


def test_decompress() -> None:
    data = b'{"type": "dog", "price": 249.99}'
    assert decompress(gzip.compress(data), "gzip") == data
    assert decompress(zlib.compress(data), "deflate") == data
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    assert decompress(raw.compress(data) + raw.flush(), "Deflate") == data
    assert decompress(data, "identity") == data
    assert decompress(data, None) == data
    assert decompress(gzip.compress(zlib.compress(data)), "deflate, gzip") == data


@pytest.mark.parametrize(("body", "coding"), [(b"x", "br"), (b"plain", "gzip"), (b"plain", "deflate")])
def test_decompress_failures(body: bytes, coding: str) -> None:
    with pytest.raises(UnsupportedEncoding):
        decompress(body, coding)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("*", None),
        ("gzip", "gzip"),
        ("deflate,gzip", "deflate"),
        ("gzip, deflate, br", "gzip"),
        ("deflate;q=0.5,gzip;q=1.0", "gzip"),
        ("gzip;q=1.0,identity;q=0.5,*;q=0", "gzip"),
        ("br;q=1.0, gzip;q=0.8", None),  # the highest-priority coding must be supported
        ("identity", None),
        ("gzip;q=0", None),
    ],
)
def test_negotiate(header: str | None, expected: str | None) -> None:
    assert negotiate(header) == expected


def test_compress_round_trip_and_threshold() -> None:
    data = b"a" * 100
    assert gzip.decompress(compress(data, "gzip")) == data
    assert zlib.decompress(compress(data, "deflate")) == data
    assert should_compress(100, 0, False)
    assert should_compress(100, 100, False)
    assert not should_compress(99, 100, False)
    assert not should_compress(100, None, False)
    assert not should_compress(100, 0, True)
