"""Random ids for every request (request ids, trace ids), from one buffer of the OS's random source:
reading it per request is a system call each time; this reads 4 KiB at once. Reset in a forked child,
so that no two processes hand out the same ids."""

from __future__ import annotations

import binascii
import os
from typing import Final

_CHUNK: Final = 4096


class _Entropy:
    """The buffer and how much of it is handed out (an object: compiled, its fields are faster to
    reach than module globals)."""

    __slots__ = ("buffer", "used")

    def __init__(self) -> None:
        self.buffer = b""
        self.used = 0

    def take(self, n: int) -> bytes:
        end = self.used + n
        if end > len(self.buffer):
            self.buffer = os.urandom(_CHUNK)
            self.used, end = 0, n
        chunk = self.buffer[self.used : end]
        self.used = end
        return chunk

    def forget(self) -> None:
        self.buffer, self.used = b"", 0


_ENTROPY: Final = _Entropy()
_B64: Final = binascii.b2a_base64  # Final: compiled, no module attribute lookup per call


def random_bytes(n: int) -> bytes:
    """`n` (at most 4096) bytes from the OS's random source, each handed out once."""
    return _ENTROPY.take(n)


def uuid4_text(entropy: bytes) -> str:
    """16 random bytes as a version 4 UUID, the form of AWS request ids (`str(uuid.UUID(bytes=...,
    version=4))`, without building the UUID object)."""
    return _uuid4_from_hex(entropy.hex(), entropy[8])


def _uuid4_from_hex(h: str, byte8: int) -> str:
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[byte8 >> 4 & 3]}{h[17:20]}-{h[20:32]}"


def new_uuid4() -> str:
    return uuid4_text(random_bytes(16))


class _EpochHex:
    """`int(now)` as 8 hex digits, recomputed once per second (formatting costs more than the rest
    of a trace id)."""

    __slots__ = ("second", "text")

    def __init__(self) -> None:
        self.second = -1
        self.text = ""

    def of(self, epoch: float) -> str:
        second = int(epoch)
        if second != self.second:
            self.second = second
            self.text = f"{second:08x}"
        return self.text


_EPOCH_HEX: Final = _EpochHex()


def epoch_hex(epoch: float) -> str:
    """The time part of an X-Ray trace id (`1-{8 hex digits of the epoch second}-{24 hex digits}`)."""
    return _EPOCH_HEX.of(epoch)


class _RandomText:
    """Random hex digits and base64 characters, decoded from the OS's random source 4 KiB at a time
    (a request takes 56 of the one and 16 of the other: slicing costs less than encoding per id)."""

    __slots__ = ("b64", "b64_used", "hex", "hex_used")

    def __init__(self) -> None:
        self.forget()

    def forget(self) -> None:
        self.hex, self.hex_used, self.b64, self.b64_used = "", 0, "", 0

    def hex_digits(self, n: int) -> str:
        end = self.hex_used + n
        if end > len(self.hex):
            self.hex = os.urandom(_CHUNK // 2).hex()
            self.hex_used, end = 0, n
        text = self.hex[self.hex_used : end]
        self.hex_used = end
        return text

    def base64_chars(self, n: int) -> str:
        end = self.b64_used + n
        if end > len(self.b64):
            self.b64 = _B64(os.urandom(_CHUNK // 4 * 3), newline=False).decode("ascii")
            self.b64_used, end = 0, n
        text = self.b64[self.b64_used : end]
        self.b64_used = end
        return text


_TEXT: Final = _RandomText()


def request_ids(epoch: float) -> tuple[str, str, str]:
    """A request's ids: (request id: a version 4 UUID; extended request id: 16 base64 characters;
    X-Ray trace id `1-{epoch hex}-{24 hex digits}`)."""
    h = _TEXT.hex_digits(56)
    variant = "89ab"[ord(h[16]) & 3]  # RFC 9562: 10xx
    request_id = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"
    return request_id, _TEXT.base64_chars(16), f"1-{_EPOCH_HEX.of(epoch)}-{h[32:56]}"


os.register_at_fork(after_in_child=_ENTROPY.forget)
os.register_at_fork(after_in_child=_TEXT.forget)
