"""`teamchat import irc`: a real Ubuntu log and a hand-made one with every odd case,
checked through the API on both storage backends."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from tests.conftest import Api
from tests.importers.helpers import (
    all_messages,
    channel_by_name,
    cli,
    irc_log,
    login,
    run_cli,
    search,
)

# Small (1,062 lines), with actions, addressed lines and renames.
SAMPLE = "2013-10-04.train-a.log"


def expected_from(path: Path) -> list[dict[str, Any]]:
    """The file read the simplest way: messages and actions in order, with the
    nick each one addresses (a later author of the file, before ':' or ',')."""
    out = []
    for line in path.read_text("utf-8").split("\n"):
        m = re.match(r"\[(\d\d):(\d\d)\] <(\S+)> (.*)$", line)
        a = re.match(r"\[(\d\d):(\d\d)\]  \* (\S+) (.*)$", line)
        hit, kind = (m, "message") if m else (a, "action")
        if hit and hit.group(4).strip():
            hh, mm, nick, text = hit.groups()
            out.append({"minute": int(hh) * 60 + int(mm), "nick": nick, "text": text, "kind": kind})
    authors = {e["nick"].lower() for e in out}
    for e in out:
        first = re.match(r"([^\s:,]+)[:,]", e["text"])
        named = first.group(1).lower() if first and e["kind"] == "message" else None
        e["addressed"] = named if named in authors else None
    return out


def test_real_log_imports_exactly_and_is_searchable(app: Flask, api: Api) -> None:
    path = irc_log(SAMPLE)
    boss = api.user("boss")
    out = cli(
        app,
        "import",
        "irc",
        str(path),
        "--workspace",
        "Ubuntu",
        "--channel",
        "ubuntu",
        "--admin",
        "boss",
    ).output
    want = expected_from(path)
    actions = sum(e["kind"] == "action" for e in want)
    assert f"messages: {len(want):,} new (actions: {actions}" in out
    assert "rename 37" in out

    wid = api.get("/api/v1/workspaces", boss["token"]).get_json()["workspaces"][0]["id"]
    channel = channel_by_name(api, wid, "ubuntu", boss["token"])
    got = all_messages(api, channel["id"], boss["token"])
    assert len(got) == len(want)
    assert [(g["kind"], g["text"]) for g in got] == [(e["kind"], e["text"]) for e in want]
    assert [g["author"]["display_name"].lower() for g in got] == [e["nick"].lower() for e in want]
    seqs = [g["seq"] for g in got]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # Times: the file's date and [HH:MM], strictly increasing in file order.
    times = [datetime.fromisoformat(g["created_at"].replace("Z", "+00:00")) for g in got]
    assert all(b > a for a, b in zip(times, times[1:], strict=False))
    for t, e in zip(times, want, strict=True):
        assert (t.date().isoformat(), t.hour * 60 + t.minute) == ("2013-10-04", e["minute"])
        assert t.tzinfo == UTC
    # One user per nick (case-insensitive); addressed nicks are mentions of them.
    user_of = {g["author"]["display_name"].lower(): g["author"]["id"] for g in got}
    assert len(user_of) == len({e["nick"].lower() for e in want})
    for g, e in zip(got, want, strict=True):
        if e["addressed"] is None:
            assert g["mentions"] == [], g
        else:
            span = {
                "kind": "user",
                "user_id": user_of[e["addressed"]],
                "start": 0,
                "end": len(e["addressed"]),
            }
            assert g["mentions"] == [span], g

    # An imported user logs in once an admin gives them a password, and sees the
    # lines addressed to them among their mentions.
    nick = max(user_of, key=lambda n: sum(e["addressed"] == n for e in want))
    username = next(g["author"]["username"] for g in got if g["author"]["id"] == user_of[nick])
    cli(app, "user", "set-password", username, input="imported pw\nimported pw\n")
    them = login(api, username, "imported pw")
    mentioned = api.get(f"/api/v1/workspaces/{wid}/mentions?limit=100", them["token"]).get_json()
    expected_ids = [
        g["id"]
        for g, e in zip(got, want, strict=True)
        if e["addressed"] == nick and e["nick"].lower() != nick
    ]
    assert sorted(m["id"] for m in mentioned["messages"]) == sorted(expected_ids)

    # Everything is indexed: an action from the file is found by its words.
    hits = search(api, wid, '"greenbar printing"', them["token"])
    assert [h["text"] for h in hits] == ["used to irc on greenbar printing tty-terminals"]
    assert hits[0]["kind"] == "action"

    # A second import of the same file adds nothing.
    last_seq = api.get(f"/api/v1/channels/{channel['id']}", boss["token"]).get_json()["last_seq"]
    out = cli(
        app, "import", "irc", str(path), "--workspace", "Ubuntu", "--channel", "ubuntu"
    ).output
    assert "messages: 0 new" in out and f"already imported: {len(want):,}" in out
    assert "users: 97 (0 new)" in out
    again = api.get(f"/api/v1/channels/{channel['id']}", boss["token"]).get_json()
    assert again["last_seq"] == last_seq
    assert len(all_messages(api, channel["id"], boss["token"])) == len(want)


ODD_LOG = (
    b"[23:58] <|QuaD-> hello there\n"
    b"=== Zed  has joined #ubuntu\n"
    b"[23:58] <Quad> quad: talking to myself\n"
    b"[23:58] <quad> |quad-, you there?\n"
    b"=== quad is now known as quad_\n"
    b"=== mode/#ubuntu [+o Zed]  by ChanServ\n"
    b"=== Zed waves at everyone\n"
    b"[23:59] <zao^> caf\xc3\xa9 and a NUL\x00 byte\n"
    b"[23:59] <zao^^> broken \xff bytes\n"
    b"[23:59] <here> @channel is not me\n"
    b"[23:59] <Zed> \n"
    b"[00:00]  * Zed yawns\n"
    b"=== Zed was kicked off #ubuntu by op (bye)\n"
    b"[00:01] <Zed> zao^: new day\n"
    b"garbage line\n"
)


def test_odd_lines_nicks_and_bytes(app: Flask, api: Api, tmp_path: Path) -> None:
    log = tmp_path / "irc-2020-02-28.log"
    log.write_bytes(ODD_LOG)
    boss = api.user("boss")
    out = cli(
        app, "import", "irc", str(log), "--workspace", "Odd", "--channel", "odd", "--admin", "boss"
    ).output
    for part in (
        "join 1",
        "rename 1",
        "mode 1",
        "kick 1",
        "empty 1",
        "unparsed 1",
        "nul_bytes_removed 1",
        "invalid_utf8_lines 1",
        "actions: 2",
    ):
        assert part in out, out
    wid = api.get("/api/v1/workspaces", boss["token"]).get_json()["workspaces"][0]["id"]
    channel = channel_by_name(api, wid, "odd", boss["token"])
    got = all_messages(api, channel["id"], boss["token"])
    assert [(g["author"]["username"], g["kind"], g["text"]) for g in got] == [
        (got[0]["author"]["username"], "message", "hello there"),
        ("quad", "message", "quad: talking to myself"),
        ("quad", "message", "|quad-, you there?"),
        ("zed", "action", "waves at everyone"),
        (got[4]["author"]["username"], "message", "café and a NUL byte"),
        (got[5]["author"]["username"], "message", "broken \ufffd bytes"),
        (got[6]["author"]["username"], "message", "@channel is not me"),
        ("zed", "action", "yawns"),
        ("zed", "message", "zao^: new day"),
    ]
    # Nicks that are not usernames get a readable name plus a hash: never shared.
    odd_names = [got[i]["author"]["username"] for i in (0, 4, 5, 6)]
    assert re.fullmatch(r"quad-[0-9a-f]{6}", odd_names[0])
    assert re.fullmatch(r"zao-[0-9a-f]{6}", odd_names[1])
    assert re.fullmatch(r"zao-[0-9a-f]{6}", odd_names[2]) and odd_names[1] != odd_names[2]
    assert re.fullmatch(r"here-[0-9a-f]{6}", odd_names[3])
    assert got[0]["author"]["display_name"] == "|QuaD-"
    # "Quad" and "quad" are one IRC user; addressing yourself is no mention row but a span.
    assert got[1]["author"]["id"] == got[2]["author"]["id"]
    assert got[2]["mentions"] == [
        {"kind": "user", "user_id": got[0]["author"]["id"], "start": 0, "end": 6}
    ]
    assert got[8]["mentions"][0]["user_id"] == got[4]["author"]["id"]
    # The clock passes midnight: the next day, still in file order.
    stamps = [g["created_at"] for g in got]
    assert stamps == sorted(stamps)
    assert stamps[0].startswith("2020-02-28T23:58:") and stamps[-1].startswith("2020-02-29T00:01:")
    # The line without a time takes the minute before it.
    assert got[3]["created_at"].startswith("2020-02-28T23:58:")
    # Only the admin is a channel member, who has read the history; the authors are
    # workspace members.
    members = api.get(f"/api/v1/workspaces/{wid}/members", boss["token"]).get_json()["members"]
    assert len(members) == 1 + len({g["author"]["id"] for g in got})
    in_channel = api.get(f"/api/v1/channels/{channel['id']}/members", boss["token"]).get_json()
    assert [m["user"]["username"] for m in in_channel["members"]] == ["boss"]
    mine = api.get(f"/api/v1/workspaces/{wid}/channels", boss["token"]).get_json()["channels"]
    assert [(c["name"], c["unread_count"], c["last_read_seq"]) for c in mine] == [
        ("odd", 0, mine[0]["last_seq"])
    ]


def test_a_file_given_twice_is_imported_once(app: Flask, api: Api, tmp_path: Path) -> None:
    folder = tmp_path / "logs"
    folder.mkdir()
    log = folder / "2020-03-01.log"
    log.write_bytes(b"[10:00] <ann> hello\n[10:01] <bob> ann: hi\n")
    # Another name of the same file, even in another folder, is the same file.
    link = tmp_path / "elsewhere" / log.name
    link.parent.mkdir()
    link.symlink_to(log)
    boss = api.user("boss")
    spellings = [str(log), str(folder / ".." / "logs" / log.name), str(link)]
    out = cli(
        app, "import", "irc", *spellings, str(log), "--workspace", "Twice", "--channel", "twice",
        "--admin", "boss",
    ).output  # fmt: skip
    assert "messages: 2 new" in out and "already imported: 0" in out, out
    wid = api.get("/api/v1/workspaces", boss["token"]).get_json()["workspaces"][0]["id"]
    channel = channel_by_name(api, wid, "twice", boss["token"])
    got = all_messages(api, channel["id"], boss["token"])
    assert [(g["author"]["username"], g["text"]) for g in got] == [
        ("ann", "hello"),
        ("bob", "ann: hi"),
    ]


def test_two_files_of_one_name_are_refused_up_front(app: Flask, api: Api, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "2020-03-01.log", tmp_path / "b" / "2020-03-01.log"
    for path, text in ((first, b"[10:00] <ann> from a\n"), (second, b"[11:00] <bob> from b\n")):
        path.parent.mkdir()
        path.write_bytes(text)
    boss = api.user("boss")
    args = ("--workspace", "Same", "--channel", "same", "--admin", "boss")
    result = run_cli(app, "import", "irc", str(first), str(second), *args)
    assert result.exit_code == 1, result.output
    assert (
        f"Error: {first} and {second} are two different files named 2020-03-01.log" in result.output
    )
    assert "another import" not in result.output
    # Refused before anything was written: no workspace, no user.
    assert api.get("/api/v1/workspaces", boss["token"]).get_json()["workspaces"] == []
    # Once one of them is in, the pair is still refused, not taken as imported.
    assert "messages: 1 new" in cli(app, "import", "irc", str(first), *args).output
    again = run_cli(app, "import", "irc", str(second), str(first), *args)
    assert again.exit_code == 1 and "two different files named" in again.output, again.output
    wid = api.get("/api/v1/workspaces", boss["token"]).get_json()["workspaces"][0]["id"]
    channel = channel_by_name(api, wid, "same", boss["token"])
    assert [g["text"] for g in all_messages(api, channel["id"], boss["token"])] == ["from a"]
