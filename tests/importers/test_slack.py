"""`teamchat import slack`: a small export built by hand in Slack's format, checked
through the API on both storage backends."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from flask import Flask

from tests.conftest import Api
from tests.importers.helpers import all_messages, channel_by_name, cli, login, run_cli, search

USERS = [
    {"id": "U1", "name": "ana", "real_name": "Ana Lima", "profile": {"display_name": "Ana L."}},
    {"id": "U2", "name": "ben.k", "real_name": "Ben K", "profile": {"display_name": ""}},
    {"id": "U3", "name": "Carla-X", "profile": {"real_name": "Carla Xu"}},
]
CHANNELS = [
    {
        "id": "C1",
        "name": "general",
        "created": 1700000000,
        "creator": "U1",
        "members": ["U1", "U2", "U3"],
        "topic": {"value": "Company-wide"},
    },
    {"id": "C2", "name": "random", "created": 1700000001, "creator": "U2", "members": ["U1", "U2"]},
]
GROUPS = [{"id": "G1", "name": "secret-plans", "created": 1700000002, "members": ["U1", "U2"]}]
ROOT_TS = "1700000100.123456"
MESSAGES: dict[str, list[dict[str, Any]]] = {
    "general/2023-11-14.json": [
        {
            "type": "message",
            "subtype": "channel_join",
            "user": "U3",
            "text": "<@U3> has joined the channel",
            "ts": "1700000000.000100",
        },
        {
            "type": "message",
            "user": "U1",
            "text": "Hello <@U2>, the release is out &amp; tagged: "
            "<https://example.com/r/1|release notes>",
            "ts": ROOT_TS,
            "thread_ts": ROOT_TS,
            "reply_count": 2,
            "reactions": [
                {"name": "tada", "users": ["U2", "U3"], "count": 2},
                {"name": "partyparrot", "users": ["U2"], "count": 1},
            ],
        },
        {
            "type": "message",
            "user": "U2",
            "text": "Thanks <!channel>!",
            "ts": "1700000200.000300",
            "thread_ts": ROOT_TS,
            "parent_user_id": "U1",
        },
    ],
    "general/2023-11-15.json": [
        {
            "type": "message",
            "user": "U3",
            "text": "late reply in thread",
            "ts": "1700086400.000100",
            "thread_ts": ROOT_TS,
        },
        {
            "type": "message",
            "subtype": "me_message",
            "user": "U1",
            "text": "is shipping it",
            "ts": "1700086500.000000",
        },
        {
            "type": "message",
            "user": "U2",
            "text": "fixed typo",
            "ts": "1700086600.000000",
            "edited": {"user": "U2", "ts": "1700086660.000000"},
        },
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B1",
            "username": "deploybot",
            "text": "Deployed",
            "ts": "1700086700.000000",
        },
        {
            "type": "message",
            "subtype": "file_share",
            "user": "U1",
            "text": "",
            "ts": "1700086800.000000",
            "files": [{"id": "F1", "name": "notes.pdf"}],
        },
        {
            "type": "message",
            "user": "U9",
            "text": "<@U1> ping from a guest",
            "ts": "1700086900.000000",
        },
    ],
    "random/2023-11-14.json": [
        {"type": "message", "user": "U2", "text": "see <#C1|general>", "ts": "1700000300.000000"},
        {
            "type": "message",
            "user": "U2",
            "text": "orphan",
            "ts": "1700000400.000000",
            "thread_ts": "1600000000.000000",
        },
    ],
    "secret-plans/2023-11-14.json": [
        {"type": "message", "user": "U1", "text": "private stuff", "ts": "1700000500.000000"},
    ],
}


def build_export(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("users.json", json.dumps(USERS))
        zf.writestr("channels.json", json.dumps(CHANNELS))
        zf.writestr("groups.json", json.dumps(GROUPS))
        for name, rows in MESSAGES.items():
            zf.writestr(name, json.dumps(rows))
    return path


def test_slack_export(app: Flask, api: Api, tmp_path: Path) -> None:
    export = build_export(tmp_path / "acme.zip")
    boss = api.user("boss")
    out = cli(app, "import", "slack", str(export), "--workspace", "Acme", "--admin", "boss").output
    for part in (
        "users: 4 (4 new)",
        "channels created: 3",
        "messages: 9 new (actions: 1, thread replies: 2)",
        "channel_join 1",
        "bot_message 1",
        "no_text 1",
        "orphan_reply_kept_in_channel 1",
        "reactions: 3",
    ):
        assert part in out, out
    cli(app, "user", "set-password", "ana", input="ana secret\nana secret\n")
    cli(app, "user", "set-password", "carla-x", input="carla secret\ncarla secret\n")
    ana = login(api, "ana", "ana secret")
    carla = login(api, "carla-x", "carla secret")
    assert ana["user"]["display_name"] == "Ana L."
    assert carla["user"]["display_name"] == "Carla Xu"
    wid = api.get("/api/v1/workspaces", ana["token"]).get_json()["workspaces"][0]["id"]

    general = channel_by_name(api, wid, "general", ana["token"])
    assert general["topic"] == "Company-wide"
    got = all_messages(api, general["id"], ana["token"])
    assert [(m["author"]["username"], m["kind"], m["text"]) for m in got] == [
        (
            "ana",
            "message",
            "Hello @ben.k, the release is out & tagged: release notes (https://example.com/r/1)",
        ),
        ("ana", "action", "is shipping it"),
        ("ben.k", "message", "fixed typo"),
        ("u9", "message", "@ana ping from a guest"),
    ]
    root = got[0]
    assert root["created_at"] == "2023-11-14T22:15:00.123Z"
    assert root["reply_count"] == 2
    ben_id = next(m["author"]["id"] for m in got if m["author"]["username"] == "ben.k")
    assert root["mentions"] == [{"kind": "user", "user_id": ben_id, "start": 6, "end": 12}]
    reactions = {r["emoji"]: r["count"] for r in root["reactions"]}
    assert reactions == {"🎉": 2, ":partyparrot:": 1}
    assert got[2]["edited_at"] == "2023-11-15T22:17:40.000Z"
    assert got[3]["mentions"][0]["user_id"] == ana["user"]["id"]

    thread = api.get(f"/api/v1/messages/{root['id']}/thread", ana["token"]).get_json()
    replies = [(r["author"]["username"], r["text"]) for r in thread["replies"]]
    assert replies == [("ben.k", "Thanks @channel!"), ("carla-x", "late reply in thread")]
    assert thread["replies"][0]["mentions"] == [
        {"kind": "channel", "user_id": None, "start": 7, "end": 15}
    ]

    random = channel_by_name(api, wid, "random", ana["token"])
    texts = [m["text"] for m in all_messages(api, random["id"], ana["token"])]
    assert texts == ["see #general", "orphan"]

    # The private channel: its members see it, others get the same 404 as for nothing.
    mine = api.get(f"/api/v1/workspaces/{wid}/channels", ana["token"]).get_json()["channels"]
    by_name = {c["name"]: c for c in mine}
    assert set(by_name) == {"general", "random", "secret-plans"}
    assert by_name["secret-plans"]["kind"] == "private"
    # Imported history counts as read by the channel's members.
    assert all(c["unread_count"] == 0 for c in mine)
    secret = by_name["secret-plans"]["id"]
    assert api.get(f"/api/v1/channels/{secret}", carla["token"]).status_code == 404
    assert "secret-plans" not in [
        c["name"]
        for c in api.get(f"/api/v1/workspaces/{wid}/channels/public", carla["token"]).get_json()[
            "channels"
        ]
    ]

    # Mentions and search see the import.
    mentioned = api.get(f"/api/v1/workspaces/{wid}/mentions", ana["token"]).get_json()
    assert [m["text"] for m in mentioned["messages"]] == ["@ana ping from a guest"]
    assert [m["id"] for m in search(api, wid, '"release notes"', carla["token"])] == [root["id"]]
    assert search(api, wid, "private stuff", carla["token"]) == []
    assert [m["text"] for m in search(api, wid, "private stuff", ana["token"])] == ["private stuff"]

    # Importing again adds nothing.
    out = cli(app, "import", "slack", str(export), "--workspace", "Acme").output
    assert "messages: 0 new" in out and "already imported: 9" in out, out
    assert len(all_messages(api, general["id"], boss["token"])) == 4
    again = api.get(f"/api/v1/messages/{root['id']}/thread", ana["token"]).get_json()
    assert len(again["replies"]) == 2


def test_not_an_export(app: Flask, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from teamchat.cli import main

    bogus = tmp_path / "bogus.zip"
    with zipfile.ZipFile(bogus, "w") as zf:
        zf.writestr("readme.txt", "hello")
    result = CliRunner().invoke(
        main, ["import", "slack", str(bogus), "--workspace", "X", "--data-dir", str(tmp_path / "d")]
    )
    assert result.exit_code == 1
    assert "not a Slack export: channels.json is missing" in result.output


MESSY_USERS: list[Any] = [
    {"id": "U1", "name": "ana", "profile": {"display_name": "Ana \udc00"}},
    {"id": "U2", "name": 7, "profile": "not an object"},
    42,
    {"name": "no-id"},
]
MESSY_CHANNELS: list[Any] = [
    {"id": "C1", "name": "general", "members": ["U1", 7, None, "U2"], "topic": "a string"},
    {"id": "C2", "members": ["U1"]},
    {"id": "C3", "name": "bad name!"},
    "not a channel",
]
MESSY_MESSAGES: list[Any] = [
    {"user": "U1", "text": "hi\u0000 there \ud800 and <@U2>", "ts": "1700000000.000100"},
    {"user": "U1", "text": 123, "ts": "1700000001.000000"},
    {"user": "U1", "text": ["a", "list"], "ts": "1700000002.000000"},
    {"user": {"id": "U1"}, "text": "user is an object", "ts": "1700000003.000000"},
    {"user": "U1", "subtype": ["me_message"], "text": "odd subtype", "ts": "1700000004.0"},
    {"user": "U1", "text": "bad ts", "ts": "soon"},
    {"user": "U1", "text": "ts as an object", "ts": {"s": 1}},
    "a string, not a message",
    None,
    {
        "user": "U2",
        "text": "edited, but when?",
        "ts": "1700000005.000000",
        "edited": {"user": "U2"},
        "reactions": ["tada", {"name": 5}, {"name": "tada", "users": "U1"}, {"users": ["U1"]}],
    },
    {"user": "U2", "text": "reactions not a list", "ts": "1700000006.0", "reactions": "tada"},
]


def build_messy_export(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        # json.dumps writes a lone surrogate as the escape \udc00, as Slack's JSON may.
        zf.writestr("users.json", json.dumps(MESSY_USERS))
        zf.writestr("channels.json", json.dumps(MESSY_CHANNELS))
        zf.writestr("general/2023-11-14.json", json.dumps(MESSY_MESSAGES))
    return path


def test_malformed_records_are_skipped_and_text_repaired(
    app: Flask, api: Api, tmp_path: Path
) -> None:
    export = build_messy_export(tmp_path / "messy.zip")
    boss = api.user("boss")
    out = cli(app, "import", "slack", str(export), "--workspace", "Messy", "--admin", "boss").output
    assert "messages: 3 new" in out, out
    detail = (
        "skipped: 17 (invalid_channel_name 1, malformed_channel 2, malformed_message 6, "
        "malformed_reaction 4, malformed_user 2, not_a_message 2)"
    )
    assert detail in out, out
    assert "repaired: lone_surrogates_replaced 2, nul_bytes_removed 1" in out, out
    cli(app, "user", "set-password", "ana", input="ana secret\nana secret\n")
    ana = login(api, "ana", "ana secret")
    assert ana["user"]["display_name"] == "Ana \ufffd"
    wid = api.get("/api/v1/workspaces", boss["token"]).get_json()["workspaces"][0]["id"]
    channels = api.get(f"/api/v1/workspaces/{wid}/channels/public", boss["token"]).get_json()
    assert [(c["name"], c["topic"]) for c in channels["channels"]] == [("general", "")]
    general = channels["channels"][0]
    got = all_messages(api, general["id"], ana["token"])
    assert [(m["author"]["username"], m["text"], m["edited_at"]) for m in got] == [
        ("ana", "hi there \ufffd and @u2", None),
        ("u2", "edited, but when?", None),
        ("u2", "reactions not a list", None),
    ]
    assert got[0]["mentions"][0]["user_id"] == got[1]["author"]["id"]
    assert all(m["reactions"] == [] for m in got)
    members = api.get(f"/api/v1/channels/{general['id']}/members", boss["token"]).get_json()
    assert sorted(m["user"]["username"] for m in members["members"]) == ["ana", "boss", "u2"]
    # The repaired text is what search finds.
    assert [m["text"] for m in search(api, wid, "there", ana["token"])] == [got[0]["text"]]
    # Importing again adds nothing and skips the same records (the reactions of
    # messages already there are not read again).
    out = cli(app, "import", "slack", str(export), "--workspace", "Messy").output
    assert "messages: 0 new" in out and "already imported: 3" in out, out
    assert detail.replace("17", "13").replace("malformed_reaction 4, ", "") in out, out


def _zip(path: Path, files: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def test_unreadable_exports_are_a_clear_error(app: Flask, api: Api, tmp_path: Path) -> None:
    ok = json.dumps([{"id": "C1", "name": "general"}])
    cases: list[tuple[Path, str]] = [
        (_zip(tmp_path / "a.zip", {"channels.json": "[{"}), "a.zip: cannot read channels.json"),
        (
            _zip(tmp_path / "b.zip", {"channels.json": ok, "users.json": '{"U1": {}}'}),
            "b.zip: users.json must hold a JSON list of users",
        ),
        (
            _zip(tmp_path / "c.zip", {"channels.json": '"general"'}),
            "c.zip: channels.json must hold a JSON list of channels",
        ),
        (
            _zip(tmp_path / "d.zip", {"channels.json": ok, "general/2023-11-14.json": "{}"}),
            "d.zip: general/2023-11-14.json must hold a JSON list of messages",
        ),
        (
            _zip(tmp_path / "e.zip", {"channels.json": ok, "general/2023-11-14.json": b"\xff["}),
            "e.zip: cannot read general/2023-11-14.json",
        ),
        (
            _zip(tmp_path / "f.zip", {"channels.json": "[" * 100_000 + "]" * 100_000}),
            "f.zip: cannot read channels.json",
        ),
    ]
    # A member whose bytes were damaged after it was written: its checksum fails.
    damaged = _zip(tmp_path / "g.zip", {"channels.json": ok, "users.json": '["MARKER-MARKER"]'})
    damaged.write_bytes(damaged.read_bytes().replace(b"MARKER-MARKER", b"MARKER-MARKEX"))
    cases.append((damaged, "g.zip: cannot read users.json"))
    text = tmp_path / "h.zip"
    text.write_text("not a zip")
    cases.append((text, "h.zip is not a zip file"))
    boss = api.user("boss")
    for export, message in cases:
        result = run_cli(app, "import", "slack", str(export), "--workspace", "X", "--admin", "boss")
        assert result.exit_code == 1, (export.name, result.output)
        assert f"Error: {message}" in result.output, (export.name, result.output)
    # Refused before anything was written.
    assert api.get("/api/v1/workspaces", boss["token"]).get_json()["workspaces"] == []
