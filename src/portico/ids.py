"""Random ids for every request (request ids, trace ids), from one buffer of the OS's random source:
reading it per request is a system call each time; this reads 4 KiB at once. Reset in a forked child,
so that no two processes hand out the same ids."""

from __future__ import annotations

import os

_CHUNK = 4096
_buffer = b""
_used = 0


def random_bytes(n: int) -> bytes:
    """`n` (at most 4096) bytes from the OS's random source, each handed out once."""
    global _buffer, _used
    end = _used + n
    if end > len(_buffer):
        _buffer = os.urandom(_CHUNK)
        _used, end = 0, n
    chunk = _buffer[_used:end]
    _used = end
    return chunk


def _forget() -> None:
    global _buffer, _used
    _buffer, _used = b"", 0


def uuid4_text(entropy: bytes) -> str:
    """16 random bytes as a version 4 UUID, the form of AWS request ids (`str(uuid.UUID(bytes=...,
    version=4))`, without building the UUID object)."""
    h = entropy.hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[entropy[8] >> 4 & 3]}{h[17:20]}-{h[20:32]}"


def new_uuid4() -> str:
    return uuid4_text(random_bytes(16))


os.register_at_fork(after_in_child=_forget)
