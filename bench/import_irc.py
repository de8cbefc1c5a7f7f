"""Benchmark: import all of the Ubuntu IRC logs into MariaDB with two shards.

    eval "$(bash scripts/services.sh env)"   # MariaDB (and ES) must be up
    python bench/import_irc.py [--search elasticsearch|local|none]

Reads the logs in place from ../shared/data/irc/ubuntu next to the repository
(or TEAMCHAT_IRC_DIR), empties the teamchat_bench_* databases, imports every
file into one channel, then indexes everything for search, and prints lines/s
for each phase, the machine and the exact command.

Data: Ubuntu IRC logs, as selected and annotated in Kummerfeld et al., ACL 2019,
CC-BY-4.0.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from teamchat import create_app  # noqa: E402
from teamchat.config import Settings  # noqa: E402
from teamchat.importers.irc import import_irc  # noqa: E402
from teamchat.importers.messages import drain_search  # noqa: E402
from teamchat.models import DirectoryBase, ShardBase  # noqa: E402
from teamchat.store.db import Databases  # noqa: E402
from teamchat.store.migrate import upgrade_all  # noqa: E402

BASE = "mysql+pymysql://teamchat:teamchat@127.0.0.1:3306"


def urls(prefix: str) -> tuple[str, tuple[str, ...]]:
    """The directory and two shard databases named PREFIX_directory, PREFIX_shard0/1."""
    db = f"{BASE}/{prefix}_{{}}?charset=utf8mb4"
    return db.format("directory"), (db.format("shard0"), db.format("shard1"))


ES_PREFIX = "teamchat-bench-"
ATTRIBUTION = "Ubuntu IRC logs, as selected and annotated in Kummerfeld et al., ACL 2019, CC-BY-4.0"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    return f"{cpu}, {os.cpu_count()} cores, {ram}, Python {platform.python_version()}"


def empty_databases(prefix: str) -> None:
    """Create the databases if missing (another prefix than the shared teamchat_bench
    keeps a run clear of other benchmarks), bring them to the newest schema, empty them."""
    server = create_engine(f"{BASE}/?charset=utf8mb4")
    with server.begin() as conn:
        for name in ("directory", "shard0", "shard1"):
            conn.execute(
                text(
                    f"CREATE DATABASE IF NOT EXISTS `{prefix}_{name}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
            )
    server.dispose()
    dbs = Databases(*urls(prefix))
    try:
        upgrade_all(dbs)
        for engine, meta in [(dbs.directory_engine, DirectoryBase.metadata)] + [
            (e, ShardBase.metadata) for e in dbs.shard_engines
        ]:
            with engine.begin() as conn:
                for table in meta.sorted_tables:
                    conn.execute(text(f"TRUNCATE TABLE {table.name}"))
    finally:
        dbs.dispose()


def drop_es_indexes(url: str) -> None:
    from elasticsearch import Elasticsearch

    es = Elasticsearch(url)
    try:
        es.indices.delete(
            index=f"{ES_PREFIX}messages-v*", ignore_unavailable=True, allow_no_indices=True
        )
    finally:
        es.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--search", choices=("elasticsearch", "local", "none"), default="elasticsearch"
    )
    parser.add_argument(
        "--es-url", default=os.environ.get("TEAMCHAT_TEST_ES_URL", "http://127.0.0.1:9200")
    )
    parser.add_argument(
        "--db-prefix",
        default="teamchat_bench",
        help="Database names: PREFIX_directory, PREFIX_shard0, PREFIX_shard1.",
    )
    args = parser.parse_args()
    directory, shards = urls(args.db_prefix)
    folder = Path(
        os.environ.get("TEAMCHAT_IRC_DIR") or REPO.parent / "shared" / "data" / "irc" / "ubuntu"
    )
    paths = sorted(folder.glob("*.log"))
    if not paths:
        sys.exit(f"no *.log files in {folder} (set TEAMCHAT_IRC_DIR)")
    lines = sum(p.read_bytes().count(b"\n") for p in paths)
    empty_databases(args.db_prefix)
    if args.search == "elasticsearch":
        drop_es_indexes(args.es_url)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=tmp,
            directory_url=directory,
            shard_urls=shards,
            search_backend="local" if args.search == "none" else args.search,
            elasticsearch_url=args.es_url,
            search_index_prefix=ES_PREFIX,
            start_background=False,
            log_level="WARNING",
        )
        app = create_app(settings)
        rt = app.extensions["teamchat"]
        try:
            with app.app_context():
                started = time.perf_counter()
                summary = import_irc(rt, paths, "Ubuntu", "ubuntu")
                imported = time.perf_counter() - started
                indexed_s = 0.0
                if args.search != "none":
                    started = time.perf_counter()
                    summary.indexed = drain_search(rt)
                    indexed_s = time.perf_counter() - started
        finally:
            rt.close()
    command = " ".join(shlex.quote(a) for a in [Path(sys.executable).name, *sys.argv])
    print(f"data: {len(paths)} files, {lines:,} lines from {folder}")
    print(f"      {ATTRIBUTION}")
    for line in summary.lines():
        print("  " + line)
    print(f"import into MariaDB, 2 shards: {imported:.1f} s, {lines / imported:,.0f} lines/s")
    if args.search != "none":
        print(
            f"search indexing ({args.search}): {indexed_s:.1f} s, "
            f"{(summary.indexed or 0) / indexed_s:,.0f} messages/s"
        )
        total = imported + indexed_s
        print(f"total: {total:.1f} s, {lines / total:,.0f} lines/s")
    print(f"machine: {machine()}")
    print(f"command: {command}")


if __name__ == "__main__":
    main()
