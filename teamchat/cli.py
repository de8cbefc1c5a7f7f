"""The `teamchat` command."""

from __future__ import annotations

from typing import Any

import click

from teamchat.config import Settings


def load_settings(**overrides: Any) -> Settings:
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings.from_env(**clean)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """TeamChat: a self-hosted team chat with search."""


@main.command()
@click.option("--host", default=None, help="Address to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port to listen on [default: 8000].")
@click.option(
    "--data-dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Folder for the SQLite databases and local search index [default: ./teamchat-data].",
)
def serve(host: str | None, port: int | None, data_dir: str | None) -> None:
    """Serve the web app, API and WebSocket (embedded default: one process)."""
    settings = load_settings(host=host, port=port, data_dir=data_dir)
    run_server(settings)


def run_server(settings: Settings, banner: str = "") -> None:
    from werkzeug.serving import make_server

    from teamchat import create_app
    from teamchat.runtime import current_runtime
    from teamchat.store.migrate import upgrade_all

    app = create_app(settings)
    with app.app_context():
        upgrade_all(current_runtime().dbs)
    server = make_server(settings.host, settings.port, app, threaded=True)
    click.echo(banner + f"TeamChat is serving on http://{settings.host}:{server.server_port}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["teamchat"].close()


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option(
    "--data-dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Folder of the SQLite files when no database URLs are set (TEAMCHAT_DATA_DIR).",
)
def db_upgrade(data_dir: str | None) -> None:
    """Apply schema migrations to the directory and every shard."""
    from teamchat.store.db import Databases
    from teamchat.store.migrate import upgrade_all

    settings = load_settings(data_dir=data_dir)
    if not settings.directory_url:
        settings.data_path.mkdir(parents=True, exist_ok=True)
    dbs = Databases(settings.resolved_directory_url(), settings.resolved_shard_urls())
    try:
        upgrade_all(dbs)
    finally:
        dbs.dispose()
    click.echo(f"directory and {len(settings.resolved_shard_urls())} shard(s) are up to date")


@main.group()
def shard() -> None:
    """Shard operations."""


@shard.command("move")
@click.argument("channel_id", type=int)
@click.argument("target", type=int)
def shard_move(channel_id: int, target: int) -> None:
    """Move CHANNEL_ID with all its history to shard TARGET (0-based), losing nothing."""
    from teamchat.services.shards import move_channel
    from teamchat.store.db import Databases

    settings = load_settings()
    dbs = Databases(settings.resolved_directory_url(), settings.resolved_shard_urls())
    try:
        report = move_channel(dbs, channel_id, target)
    finally:
        dbs.dispose()
    moved = ", ".join(f"{n} {t}" for t, n in report.rows.items()) or "nothing (already there)"
    click.echo(f"channel {channel_id}: shard {report.source} -> {report.target}: {moved}")


@main.command()
@click.option("--batch-size", type=int, default=None, help="Messages per bulk write.")
def reindex(batch_size: int | None) -> None:
    """Build a fresh search index from the shards and swap it in; posting goes on meanwhile."""
    from teamchat import create_app
    from teamchat.services import indexing

    app = create_app(load_settings(start_background=False))
    try:
        with app.app_context():
            indexing.reindex(app.extensions["teamchat"], batch_size, progress=click.echo)
            click.echo(f"then {indexing.drain_outbox_job()} pending outbox row(s) indexed")
    finally:
        app.extensions["teamchat"].close()


@main.group()
def index() -> None:
    """Search index operations."""


@index.command("drain")
def index_drain() -> None:
    """Index every pending search outbox row now, as the indexer workers do."""
    from teamchat import create_app
    from teamchat.services import indexing

    app = create_app(load_settings(start_background=False))
    try:
        with app.app_context():
            click.echo(f"{indexing.drain_outbox_job()} outbox row(s) indexed")
    finally:
        app.extensions["teamchat"].close()


@main.group("import")
def import_group() -> None:
    """Import chat history (IRC logs, Slack exports); running it again adds nothing."""


_DATA_DIR = click.option(
    "--data-dir",
    default=None,
    type=click.Path(file_okay=False),
    help="Folder of the SQLite files when no database URLs are set (TEAMCHAT_DATA_DIR).",
)
WORKSPACE_HELP = (
    "Workspace id, or name. Names are not unique: a name is used when exactly one "
    "workspace has it and created when none has; when several share it, give the id."
)
_ADMIN = click.option("--admin", default=None, help="Existing username to make workspace admin.")


@import_group.command("irc")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--workspace", required=True, help=WORKSPACE_HELP)
@click.option("--channel", required=True, help="Channel name (created public if missing).")
@_ADMIN
@_DATA_DIR
def import_irc(
    files: tuple[str, ...], workspace: str, channel: str, admin: str | None, data_dir: str | None
) -> None:
    """Import IRC log FILES (each named with its YYYY-MM-DD date) into one channel."""
    from pathlib import Path

    from teamchat.importers.irc import check_files
    from teamchat.importers.irc import import_irc as run

    try:
        paths = check_files([Path(f) for f in files])
        total = sum(p.read_bytes().count(b"\n") for p in paths)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{exc.filename}: cannot read it: {exc.strerror}") from None
    run_import(
        load_settings(data_dir=data_dir),
        total,
        lambda rt, step: run(rt, paths, workspace, channel, admin=admin, progress=step),
    )


@import_group.command("slack")
@click.argument("export", type=click.Path(exists=True, dir_okay=False))
@click.option("--workspace", required=True, help=WORKSPACE_HELP)
@_ADMIN
@_DATA_DIR
def import_slack(export: str, workspace: str, admin: str | None, data_dir: str | None) -> None:
    """Import a Slack export zip: users, public and private channels, messages, threads,
    reactions, mentions."""
    from pathlib import Path

    from teamchat.importers.slack import import_slack as run
    from teamchat.importers.slack import read_export

    try:
        total = sum(len(msgs) for _, _, msgs in read_export(Path(export)).channels)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    run_import(
        load_settings(data_dir=data_dir),
        total,
        lambda rt, step: run(rt, Path(export), workspace, admin=admin, progress=step),
    )


def run_import(settings: Settings, total: int, work: Any) -> Any:
    """Open the app, run `work(runtime, progress_step)` under a progress bar, index
    what it wrote, and print its summary."""
    from sqlalchemy.exc import IntegrityError

    from teamchat import create_app
    from teamchat.errors import ApiError
    from teamchat.importers.messages import drain_search
    from teamchat.store.migrate import upgrade_all

    app = create_app(settings.with_overrides(start_background=False))
    rt = app.extensions["teamchat"]
    try:
        with app.app_context():
            upgrade_all(rt.dbs)
            with click.progressbar(length=total, label="importing") as bar:
                try:
                    summary = work(rt, bar.update)
                except (ValueError, ApiError) as exc:
                    raise click.ClickException(str(exc)) from None
                except IntegrityError:
                    # Committed batches stay; a second run skips them and goes on.
                    raise click.ClickException(
                        "another import wrote the same rows meanwhile; run this one again"
                    ) from None
            click.echo("indexing for search ...")
            summary.indexed = drain_search(rt)
    finally:
        rt.close()
    for line in summary.lines():
        click.echo("  " + line)
    return summary


@main.command()
@click.option(
    "--from",
    "source",
    default=None,
    type=click.Path(exists=True),
    help="Import this instead of the sample team: a folder of IRC logs, one log, or a Slack zip.",
)
@click.option(
    "--data-dir",
    default="./teamchat-demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the demo's SQLite databases and search index; delete it to start afresh.",
)
@click.option("--host", default=None, help="Address to listen on [default: 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port to listen on [default: 8000].")
def demo(source: str | None, data_dir: str, host: str | None, port: int | None) -> None:
    """Serve a demo workspace with known logins on the embedded default (SQLite, local
    search, in-process jobs). Running it again in the same folder adds nothing."""
    import logging
    from pathlib import Path

    from teamchat.demo import DemoError, prepare

    # A newcomer wants the logins and the address, not each schema step of a fresh folder.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Always the embedded default, whatever the environment points at.
    settings = load_settings(
        data_dir=data_dir,
        host=host,
        port=port,
        directory_url="",
        shard_urls=(),
        search_backend="local",
        redis_url="",
        broker_url="",
    )
    try:
        banner = prepare(settings, Path(source) if source else None, click.echo)
    except (DemoError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    run_server(settings, banner)


@main.group()
def user() -> None:
    """User accounts."""


@user.command("set-password")
@click.argument("username")
@click.password_option(help="The new password (prompted for when not given).")
@_DATA_DIR
def user_set_password(username: str, password: str, data_dir: str | None) -> None:
    """Set USERNAME's password, for instance so that an imported user can log in."""
    from teamchat import create_app
    from teamchat.errors import ApiError
    from teamchat.runtime import transaction
    from teamchat.services.accounts import do_set_password
    from teamchat.store import users as user_store

    app = create_app(load_settings(data_dir=data_dir, start_background=False))
    try:
        with app.app_context(), transaction() as tx:
            found = user_store.get_user_by_username(tx.directory, username)
            if found is None:
                raise click.ClickException(f"no such user: {username}")
            try:
                do_set_password(tx, found.id, password)
            except ApiError as exc:
                raise click.ClickException(exc.message) from None
    finally:
        app.extensions["teamchat"].close()
    click.echo(f"password set for {found.username}")


if __name__ == "__main__":
    main()
