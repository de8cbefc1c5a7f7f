from __future__ import annotations

import threading

from teamchat.ids import Snowflake


def test_ids_are_unique_and_increasing_under_threads() -> None:
    gen = Snowflake(7)
    out: list[list[int]] = []

    def work() -> None:
        out.append([gen.next_id() for _ in range(5000)])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [i for chunk in out for i in chunk]
    assert len(set(flat)) == len(flat) == 20000
    for chunk in out:
        assert chunk == sorted(chunk)


def test_clock_stepping_back_keeps_ids_increasing() -> None:
    times = iter([1_700_000_000_000, 1_700_000_000_500, 1_699_999_990_000, 1_699_999_990_001])
    gen = Snowflake(1, clock=lambda: next(times))
    ids = [gen.next_id() for _ in range(4)]
    assert ids == sorted(ids) and len(set(ids)) == 4
    # The step back borrowed the last time seen instead of going back in time.
    assert Snowflake.timestamp_ms(ids[2]) == 1_700_000_000_500


def test_sequence_overflow_moves_to_next_millisecond() -> None:
    gen = Snowflake(3, clock=lambda: 1_700_000_000_000)
    ids = [gen.next_id() for _ in range(4097)]
    assert len(set(ids)) == 4097 and ids == sorted(ids)
    assert Snowflake.timestamp_ms(ids[-1]) == 1_700_000_000_001
