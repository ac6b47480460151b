"""Event ids: random version-4 UUIDs in canonical form, never repeated, not even by a
forked child."""

from __future__ import annotations

import os
import signal
import uuid

from ntbkit.messaging import event_ids
from ntbkit.messaging.event_ids import new_event_id


def test_ids_are_canonical_random_uuids() -> None:
    for _ in range(600):  # across block refills
        event_id = new_event_id()
        parsed = uuid.UUID(event_id)
        assert str(parsed) == event_id
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)


def test_ids_do_not_repeat() -> None:
    ids = [new_event_id() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)


def test_a_forked_child_draws_other_ids_than_its_parent() -> None:
    new_event_id()  # the parent is in the middle of a block
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the child: send its next ids, then leave without cleanup
        os.write(write, "\n".join(new_event_id() for _ in range(8)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(child, 0)
    with os.fdopen(read) as pipe:
        childs = set(pipe.read().split("\n"))
    assert len(childs) == 8
    assert childs.isdisjoint(new_event_id() for _ in range(8))


def test_a_child_forked_while_another_thread_draws_an_id_can_draw_ids() -> None:
    held = event_ids._block._lock
    held.acquire()  # as if a relay thread were inside take() at the fork
    try:
        child = os.fork()
        if child == 0:
            signal.alarm(5)  # a lock held forever would end the child here
            new_event_id()
            os._exit(0)
        _, status = os.waitpid(child, 0)
    finally:
        held.release()
    assert os.waitstatus_to_exitcode(status) == 0
