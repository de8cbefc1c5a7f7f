"""`teamchat demo`: a workspace to explore, on the embedded default, in one command.

Five people (known passwords) ship release 2.4 of their product across public and
private channels, DMs, threads, reactions and mentions, and each has read some of
it. The conversation is posted through the v1 API by an in-process client, so it
follows every product rule a real client meets. With a source (a folder of IRC
logs, one log, or a Slack export zip) the demo imports that instead, with the
demo people as members so a newcomer can log in and read it.

Running it again in the same folder adds nothing: a finished demo is recognised
in the database, users and channels are found by name, messages by client_msg_id.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask

from teamchat.config import Settings
from teamchat.demo.content import PASSWORD, PEOPLE, WORKSPACE
from teamchat.demo.seeder import DemoError, Seeder

__all__ = ["DemoError", "PASSWORD", "PEOPLE", "WORKSPACE", "prepare"]

UBUNTU_ATTRIBUTION = (
    "Ubuntu IRC logs, as selected and annotated in Kummerfeld et al., ACL 2019, CC-BY-4.0"
)


def prepare(settings: Settings, source: Path | None, echo: Callable[[str], None]) -> str:
    """Create (or find) the demo in the settings' data folder, index it, and return
    the banner to print above the address."""
    from teamchat import create_app
    from teamchat.importers.messages import drain_search
    from teamchat.store.migrate import upgrade_all

    app = create_app(settings.with_overrides(start_background=False))
    rt = app.extensions["teamchat"]
    try:
        with app.app_context():
            upgrade_all(rt.dbs)
            seeder = Seeder(app)
            seeder.people()
            data_line = ""
            if source is None:
                if seeder.finished():
                    echo("the demo workspace is already here")
                else:
                    echo("writing the demo conversation ...")
                    seeder.conversation()
            else:
                data_line = import_source(app, seeder, source, echo)
            echo("indexing for search ...")
            echo(f"  search documents written: {drain_search(rt):,}")
    finally:
        rt.close()
    lines = [
        "",
        f'TeamChat demo: workspace "{WORKSPACE}"',
        "Log in as any of these:",
        *[
            f"  login: {name:<6} password: {PASSWORD}   ({shown}, {role})"
            for name, shown, role in PEOPLE
        ],
    ]
    if data_line:
        lines.append(data_line)
    return "\n".join(lines) + "\n"


def import_source(app: Flask, seeder: Seeder, source: Path, echo: Callable[[str], None]) -> str:
    """Import IRC logs or a Slack export into the demo workspace; returns the line
    that says where the data comes from."""
    from teamchat.importers.irc import import_irc
    from teamchat.importers.slack import import_slack, read_export

    rt = app.extensions["teamchat"]
    members = [name for name, _, _ in PEOPLE]
    admin = members[0]
    # By id: the demo owner's own workspace, whatever others on this install are called.
    workspace = seeder.workspace()
    if source.suffix.lower() == ".zip":
        total = sum(len(m) for _, _, m in read_export(source).channels)
        with click.progressbar(length=total, label="importing the Slack export") as bar:
            summary = import_slack(
                rt, source, workspace, admin=admin, members=members, progress=bar.update
            )
        data = f"Data: the Slack export {source.name}"
    else:
        folder = source if source.is_dir() else source.parent
        files = sorted(folder.glob("*.log")) if source.is_dir() else [source]
        if not files:
            raise DemoError(f"no *.log files in {source}")
        attribution = irc_attribution(folder)
        total = sum(p.read_bytes().count(b"\n") for p in files)
        channel = seeder.channel_name_for(folder.name)
        with click.progressbar(length=total, label=f"importing {len(files)} IRC log(s)") as bar:
            summary = import_irc(
                rt,
                files,
                workspace,
                channel,
                admin=admin,
                members=members,
                topic=attribution or f"IRC logs from {folder.name}",
                progress=bar.update,
            )
        data = f"Data: {attribution}" if attribution else f"Data: IRC logs from {folder}"
    for line in summary.lines():
        echo("  " + line)
    return data


def irc_attribution(folder: Path) -> str:
    """The credit the Ubuntu IRC corpus asks for, when its README says it is that."""
    for readme in (folder / "README.md", folder.parent / "README.md"):
        try:
            if "Kummerfeld" in readme.read_text("utf-8", errors="replace"):
                return UBUNTU_ATTRIBUTION
        except OSError:
            continue
    return ""
