"""Request ids from the pooled random buffer (portico/ids.py)."""

from __future__ import annotations

import os
import uuid

from portico.ids import new_uuid4, random_bytes, request_ids


def test_random_bytes_are_handed_out_once() -> None:
    chunks = [random_bytes(40) for _ in range(500)]  # several refills of the 4 KiB buffer
    assert all(len(chunk) == 40 for chunk in chunks)
    assert len(set(chunks)) == len(chunks)
    assert len(random_bytes(4096)) == 4096


def test_ids_are_version_4_uuids() -> None:
    ids = {new_uuid4() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(uuid.UUID(text).version == 4 and str(uuid.UUID(text)) == text for text in ids)


def test_a_forked_child_does_not_repeat_the_parents_ids() -> None:
    random_bytes(8)  # the parent has buffers with bytes and text still to hand out
    request_ids(0.0)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next bytes and ids, then leave at once
        os.write(write, random_bytes(32) + "|".join(request_ids(0.0)).encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 200)
    os.close(read)
    os.waitpid(pid, 0)
    assert len(child) > 32
    assert child[:32] != random_bytes(32)  # without the reset both would take the same next bytes
    assert child[32:].decode().split("|") != list(request_ids(0.0))
