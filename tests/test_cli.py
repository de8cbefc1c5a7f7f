"""The `teamchat` command: every subcommand explains itself, and `db upgrade` brings the
configured databases up to date, through the installed entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, make_url, text

from teamchat.cli import main
from teamchat.models import DirectoryBase, ShardBase
from tests.conftest import need_env


def _commands(cmd: click.Command, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(cmd, click.Group):
        for name, sub in sorted(cmd.commands.items()):
            yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(main, ()))


def test_the_command_tree_is_what_the_readme_lists() -> None:
    leaves = {" ".join(p) for p in COMMANDS if p and not isinstance(_find(p), click.Group)}
    assert leaves == {
        "serve",
        "demo",
        "db upgrade",
        "shard move",
        "reindex",
        "index drain",
        "import irc",
        "import slack",
        "user set-password",
    }


def _find(path: tuple[str, ...]) -> click.Command:
    cmd: click.Command = main
    for name in path:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[name]
    return cmd


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "teamchat")
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: {' '.join(('main', *path))}")
    cmd = _find(path)
    assert cmd.help
    # click re-wraps the text: compare with white space folded.
    first_words = " ".join(cmd.help.split()[:8])
    assert first_words in " ".join(result.output.split())
    for param in cmd.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"{' '.join(path)} {param.opts[0]} has no help text"
            assert param.opts[0] in result.output


def _teamchat(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # The installed console script's module, as `teamchat ...` runs it.
    return subprocess.run(
        [sys.executable, "-c", "from teamchat.cli import main; main()", *args],
        env={**os.environ, **env, "TEAMCHAT_START_BACKGROUND": "false"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_db_upgrade_creates_the_sqlite_files_and_runs_twice(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"TEAMCHAT_DIRECTORY_URL": "", "TEAMCHAT_SHARD_URLS": "", "TEAMCHAT_SQLITE_SHARDS": "3"}
    for _ in range(2):
        done = _teamchat("db", "upgrade", "--data-dir", str(data), env=env)
        assert done.returncode == 0, done.stderr
        assert "directory and 3 shard(s) are up to date" in done.stdout
    assert sorted(p.name for p in data.glob("*.db")) == [
        "directory.db",
        "shard0.db",
        "shard1.db",
        "shard2.db",
    ]
    assert {t.name for t in DirectoryBase.metadata.sorted_tables} <= _tables(
        f"sqlite:///{data}/directory.db"
    )
    for i in range(3):
        assert {t.name for t in ShardBase.metadata.sorted_tables} <= _tables(
            f"sqlite:///{data}/shard{i}.db"
        )


def test_db_upgrade_migrates_every_configured_mariadb_database(tmp_path: Path) -> None:
    base = make_url(need_env("TEAMCHAT_TEST_MYSQL_DIRECTORY_URL"))
    tag = uuid.uuid4().hex[:10]
    names = [f"teamchat_cli{tag}_directory", f"teamchat_cli{tag}_s0", f"teamchat_cli{tag}_s1"]
    urls = [base.set(database=n).render_as_string(hide_password=False) for n in names]
    server = create_engine(base.set(database=None))
    try:
        with server.begin() as conn:
            for name in names:
                conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        env = {
            "TEAMCHAT_DIRECTORY_URL": urls[0],
            "TEAMCHAT_SHARD_URLS": ",".join(urls[1:]),
            "TEAMCHAT_DATA_DIR": str(tmp_path / "data"),
        }
        done = _teamchat("db", "upgrade", env=env)
        assert done.returncode == 0, done.stderr
        assert "directory and 2 shard(s) are up to date" in done.stdout
        assert {t.name for t in DirectoryBase.metadata.sorted_tables} <= _tables(urls[0])
        for url in urls[1:]:
            assert {t.name for t in ShardBase.metadata.sorted_tables} <= _tables(url)
        # Nothing was written to the data folder: the URLs are the databases.
        assert not list(tmp_path.glob("data/*.db"))
    finally:
        with server.begin() as conn:
            for name in names:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()
