"""Payload encodings (Developer Guide: "Content type conversions in API Gateway", "Enable payload
compression for an API", "Call an API method with a compressed payload", "Receive an API response
with a compressed payload").

- A payload is binary when its media type (request `Content-Type`, or the first `Accept` media type for
  responses) matches one of the API's `binaryMediaTypes` (`image/png`, `image/*`, `*/*`).
- `contentHandling` names what the integration (request) or the client (response) gets: CONVERT_TO_TEXT
  base64-encodes a binary payload, CONVERT_TO_BINARY base64-decodes a text payload (a payload that is
  not base64 is a configuration error: 500); without it a payload is converted only when it is text
  going to a binary `Accept` (decoded) or binary going to a text `Accept` (encoded). Encoding happens
  before the mapping template (which reads the base64 text, as documented), decoding after it.
- Request bodies with `Content-Encoding: gzip|deflate|identity` are decompressed; any other coding, or
  a payload not compressed with the coding named, is 415 Unsupported Media Type.
- Responses are compressed when the API has `minimumCompressionSize`, the body is at least that long,
  has no `Content-Encoding` yet, and the client's highest-priority `Accept-Encoding` is gzip or deflate
  (no `Accept-Encoding` means `*`: no compression).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Iterable

CONVERT_TO_TEXT = "CONVERT_TO_TEXT"
CONVERT_TO_BINARY = "CONVERT_TO_BINARY"
CODINGS = ("gzip", "deflate", "identity")


class ConversionError(ValueError):
    """A text payload that CONVERT_TO_BINARY cannot base64-decode."""


class UnsupportedEncoding(ValueError):
    """A `Content-Encoding` API Gateway does not support, or a payload not encoded as it says."""


def is_binary(media: str | None, binary_media_types: Iterable[str]) -> bool:
    """Whether a media type (lower-case, without parameters) matches one of `binaryMediaTypes`."""
    if not media:
        return False
    kind, _, _sub = media.partition("/")
    for pattern in binary_media_types:
        pattern = pattern.lower()
        if pattern in (media, "*/*") or (pattern.endswith("/*") and pattern[:-2] == kind):
            return True
    return False


ENCODE = "encode"  # binary payload to base64 text: before any mapping template (it sees the base64 text)
DECODE = "decode"  # base64 text to binary: after the mapping template (it may write the base64 text)


def conversion(payload_binary: bool, accept_binary: bool, handling: str | None) -> str | None:
    """ENCODE, DECODE or None, per `contentHandling` (the two conversion tables of the Developer Guide)."""
    if handling == CONVERT_TO_TEXT:
        wanted_binary = False
    elif handling == CONVERT_TO_BINARY:
        wanted_binary = True
    else:
        wanted_binary = accept_binary
    if payload_binary == wanted_binary:
        return None
    return ENCODE if payload_binary else DECODE


def encode(body: bytes) -> bytes:
    return base64.b64encode(body)


def decode(body: bytes) -> bytes:
    try:
        return base64.b64decode(body.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConversionError("Unable to base64-decode the payload for CONVERT_TO_BINARY") from None


def convert(body: bytes, payload_binary: bool, accept_binary: bool, handling: str | None) -> bytes:
    """The payload converted as `conversion` says (without a mapping template in between)."""
    kind = conversion(payload_binary, accept_binary, handling)
    if kind is None:
        return body
    return encode(body) if kind == ENCODE else decode(body)


def decompress(body: bytes, content_encoding: str | None) -> bytes:
    """Undo `Content-Encoding` (codings applied in order, undone in reverse)."""
    if not content_encoding or not body:
        return body
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        if coding not in CODINGS:
            raise UnsupportedEncoding(f"Unsupported Content-Encoding: {coding}")
        try:
            if coding == "gzip":
                body = gzip.decompress(body)
            elif coding == "deflate":
                body = _inflate(body)
        except (OSError, EOFError, zlib.error):
            raise UnsupportedEncoding(f"The payload is not {coding}-encoded") from None
    return body


def _inflate(body: bytes) -> bytes:
    try:
        return zlib.decompress(body)
    except zlib.error:
        return zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate, as some clients send it


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


def negotiate(accept_encoding: str | None) -> str | None:
    """The coding to compress with (`gzip` or `deflate`), or None to send the payload as it is."""
    if not accept_encoding:
        return None
    best: tuple[float, str] | None = None
    for entry in accept_encoding.split(","):
        coding, *params = entry.split(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        quality = _quality(params)
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, coding)
    if best is None or best[1] not in ("gzip", "deflate"):
        return None
    return best[1]


def compress(body: bytes, coding: str) -> bytes:
    if coding == "gzip":
        return gzip.compress(body, mtime=0)
    return zlib.compress(body)


def should_compress(size: int, minimum: int | None, already_encoded: bool) -> bool:
    return minimum is not None and size >= minimum and not already_encoded
