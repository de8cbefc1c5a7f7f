"""The local engine's own duties: `:memory:`, threads, WAL, and safe FTS5 spellings."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from search.engine import Filters
from search.errors import EngineError
from search.local_engine import LocalEngine
from search.local_query import spell
from search.query import parse_query
from tests.search.conftest import doc, find, put


def _hammer(engine: LocalEngine, workers: int, per_worker: int) -> list[BaseException]:
    errors: list[BaseException] = []

    def work(w: int) -> None:
        try:
            for i in range(per_worker):
                mid = w * 1000 + i + 1
                engine.index([doc(mid, f"shared word{w} n{i}")])
                engine.search(parse_query("shared"), Filters(channel_ids=[1]), 5)
        except BaseException as exc:  # collected and asserted in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_memory_database_is_shared_by_threads() -> None:
    engine = LocalEngine(":memory:")
    engine.ensure_index()
    assert _hammer(engine, 4, 20) == []
    result = engine.search(parse_query("shared"), Filters(channel_ids=[1]), 1)
    assert result.total == 80
    engine.close()


def test_file_database_serves_threads_in_wal_mode(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    engine = LocalEngine(path)
    engine.ensure_index()
    assert _hammer(engine, 6, 25) == []
    assert engine.search(parse_query("shared"), Filters(channel_ids=[1]), 1).total == 150
    with engine._tx(write=False) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    engine.close()
    reopened = LocalEngine(path)
    assert find(reopened, "word3") == [3025 - i for i in range(25)]
    reopened.close()


def test_search_before_ensure_index_is_an_engine_error() -> None:
    engine = LocalEngine(":memory:")
    with pytest.raises(EngineError):
        engine.search(parse_query("x"), Filters(channel_ids=[1]), 1)
    assert engine.health() is False


def test_prefixes_keep_engines_apart_in_one_file(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    one, two = LocalEngine(path, prefix="a_"), LocalEngine(path, prefix="b_")
    one.ensure_index()
    two.ensure_index()
    put(one, doc(1, "only in one"))
    assert find(one, "only") == [1]
    assert find(two, "only") == []
    with pytest.raises(ValueError):
        LocalEngine(path, prefix="x; DROP")


def test_index_names_are_checked() -> None:
    engine = LocalEngine(":memory:")
    engine.ensure_index()
    with pytest.raises(ValueError):
        engine.index([doc(1, "x")], index_name="messages_v1; DROP TABLE x")
    with pytest.raises(ValueError):
        engine.drop_index(engine.live_index())


@pytest.mark.parametrize("term", ["abc", "abc-123", "zz", "東京", "👍", 'a"b', "x*", "or"])
def test_spellings_are_plain_and_prefix_preserving(term: str) -> None:
    spelled = spell(term)
    assert spelled.isascii() and spelled.isalnum() and spelled == spelled.lower()
    for cut in range(1, len(term)):
        assert spelled.startswith(spell(term[:cut]))


def test_spellings_are_distinct() -> None:
    terms = ["z", "z00007a", "zz", "a-b", "a_b", "ab", "東", "z006771"]
    assert len({spell(t) for t in terms}) == len(terms)
