"""Which workspace `teamchat import --workspace` writes into, now that names are not
unique: an id, or the one workspace of a name, or a new one; never a guess."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from tests.conftest import Api
from tests.importers.helpers import cli, run_cli

LOG = b"[10:00] <alice> hello from the log\n[10:01] <bob> alice: hi\n"


def _log(tmp_path: Path) -> Path:
    path = tmp_path / "team-2024-05-01.log"
    path.write_bytes(LOG)
    return path


def _import(app: Flask, log: Path, workspace: str, *extra: str) -> Any:
    args = ("import", "irc", str(log), "--workspace", workspace, "--channel", "imported")
    return run_cli(app, *args, *extra)


def _channels(api: Api, wid: str, who: dict[str, Any]) -> list[str]:
    """The workspace's public channels (an import makes its channel public)."""
    r = api.get(f"/api/v1/workspaces/{wid}/channels/public", who["token"])
    assert r.status_code == 200, r.get_json()
    return sorted(c["name"] for c in r.get_json()["channels"])


def _workspaces(api: Api, who: dict[str, Any]) -> list[dict[str, Any]]:
    return api.get("/api/v1/workspaces", who["token"]).get_json()["workspaces"]


def test_a_name_no_workspace_has_creates_one(app: Flask, api: Api, tmp_path: Path) -> None:
    boss = api.user("boss")
    result = _import(app, _log(tmp_path), "Acme", "--admin", "boss")
    assert result.exit_code == 0, result.output
    [ws] = _workspaces(api, boss)
    assert ws["name"] == "Acme" and ws["role"] == "admin"
    assert _channels(api, ws["id"], boss) == ["imported"]


def test_the_one_workspace_of_a_name_is_used(app: Flask, api: Api, tmp_path: Path) -> None:
    boss = api.user("boss")
    wid = api.post("/api/v1/workspaces", {"name": "Acme"}, boss["token"]).get_json()["id"]
    result = _import(app, _log(tmp_path), "acme")  # names match in any case
    assert result.exit_code == 0, result.output
    assert [w["id"] for w in _workspaces(api, boss)] == [wid]
    assert _channels(api, wid, boss) == ["imported"]


def test_a_name_several_workspaces_share_is_refused(app: Flask, api: Api, tmp_path: Path) -> None:
    ann, ben = api.user("ann"), api.user("ben")
    first = api.post("/api/v1/workspaces", {"name": "Acme"}, ann["token"]).get_json()["id"]
    second = api.post("/api/v1/workspaces", {"name": "Acme"}, ben["token"]).get_json()["id"]
    result = _import(app, _log(tmp_path), "Acme", "--admin", "ann")
    assert result.exit_code != 0
    assert '2 workspaces are named "Acme"' in result.output
    assert first in result.output and second in result.output
    assert "give the id" in result.output
    # Nothing was written anywhere: no channel, no third workspace, no new admin.
    assert _channels(api, first, ann) == []
    assert _channels(api, second, ben) == []
    assert [w["id"] for w in _workspaces(api, ann)] == [first]


def test_an_id_picks_one_of_the_workspaces_sharing_a_name(
    app: Flask, api: Api, tmp_path: Path
) -> None:
    ann, ben = api.user("ann"), api.user("ben")
    first = api.post("/api/v1/workspaces", {"name": "Acme"}, ann["token"]).get_json()["id"]
    second = api.post("/api/v1/workspaces", {"name": "Acme"}, ben["token"]).get_json()["id"]
    log = _log(tmp_path)
    cli(app, "import", "irc", str(log), "--workspace", second, "--channel", "imported")
    assert _channels(api, second, ben) == ["imported"]
    assert _channels(api, first, ann) == []
    # Running it again finds the same workspace and adds nothing.
    out = cli(app, "import", "irc", str(log), "--workspace", second, "--channel", "imported")
    assert "messages: 0 new" in out.output and "already imported: 2" in out.output
    assert [w["id"] for w in _workspaces(api, ben)] == [second]


def test_the_help_says_how_a_workspace_is_chosen(app: Flask) -> None:
    for kind in ("irc", "slack"):
        out = cli(app, "import", kind, "--help").output
        assert "Workspace id, or name" in out and "give the id" in " ".join(out.split())
