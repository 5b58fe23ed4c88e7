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


def request_ids(epoch: float) -> tuple[str, str, str]:
    """A request's ids from 40 random bytes: (request id: a version 4 UUID; extended request id:
    16 base64 characters; X-Ray trace id `1-{epoch hex}-{24 hex digits}`)."""
    entropy = _ENTROPY.take(40)
    h = entropy.hex()
    extended = binascii.b2a_base64(entropy[16:28], newline=False).decode("ascii")
    return _uuid4_from_hex(h, entropy[8]), extended, f"1-{_EPOCH_HEX.of(epoch)}-{h[56:80]}"


os.register_at_fork(after_in_child=_ENTROPY.forget)
