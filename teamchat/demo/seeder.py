"""Writing the demo through the v1 API with an in-process client, as its people's
clients would; every step finds what an earlier run made instead of repeating it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient

from teamchat.demo.content import (
    CHANNELS,
    FINAL,
    GROUPS,
    PASSWORD,
    PEOPLE,
    READS,
    SCRIPT,
    WORKSPACE,
    Line,
)


class DemoError(RuntimeError):
    pass


class Seeder:
    """Writes the demo through the v1 API, as its people's clients would."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, str] = {}  # username -> user id
        self.wid = ""
        self.channels: dict[str, str] = {}  # channel key -> id
        self.posted: dict[str, dict[str, Any]] = {}  # script key -> message

    def call(self, method: str, path: str, who: str, body: Any = None) -> Any:
        r = self.client.open(
            "/api/v1" + path,
            method=method,
            json=body,
            headers={"Authorization": f"Bearer {self.token(who)}"},
        )
        if r.status_code >= 300:
            raise DemoError(f"{method} {path} as {who}: {r.status_code} {r.get_data(as_text=True)}")
        return r.get_json(silent=True)

    # -- people and the workspace -------------------------------------------------------

    def people(self) -> None:
        """Register the demo people (or find them); their passwords are known."""
        for name, shown, _ in PEOPLE:
            r = self.client.post(
                "/api/v1/auth/register",
                json={"username": name, "password": PASSWORD, "display_name": shown},
            )
            if r.status_code == 201:
                body = r.get_json()
                self.tokens[name] = body["token"]
                self.ids[name] = body["user"]["id"]
            elif r.status_code != 409:
                raise DemoError(f"registering {name}: {r.status_code} {r.get_data(as_text=True)}")

    def token(self, name: str) -> str:
        if name not in self.tokens:
            r = self.client.post(
                "/api/v1/auth/login",
                json={"username": name, "password": PASSWORD, "device": "demo"},
            )
            if r.status_code != 200:
                raise DemoError(f"cannot log in as {name}: {r.get_data(as_text=True)}")
            body = r.get_json()
            self.tokens[name] = body["token"]
            self.ids[name] = body["user"]["id"]
        return self.tokens[name]

    def user_id(self, name: str) -> str:
        self.token(name)
        return self.ids[name]

    def finished(self) -> bool:
        """Whether an earlier run wrote the whole conversation (its last message)."""
        from teamchat.runtime import transaction
        from teamchat.store import channels as channel_store
        from teamchat.store import messages as message_store
        from teamchat.store import users as user_store
        from teamchat.store import workspaces as workspace_store

        with self.app.app_context(), transaction() as tx:
            author = user_store.get_user_by_username(tx.directory, FINAL.author)
            if author is None:
                return False
            # Names are not unique: the demo workspace is the one its people are in.
            demo = [
                ws
                for ws, _ in workspace_store.workspaces_of_user(tx.directory, author.id)
                if ws.name == WORKSPACE
            ]
            for ws in demo:
                for channel in channel_store.channels_of_user(tx.directory, author.id, ws.id):
                    found = message_store.by_client_msg_id(
                        tx.shard(channel.shard), channel.id, author.id, f"demo-{FINAL.key}"
                    )
                    if found is not None:
                        return True
        return False

    def workspace(self) -> str:
        owner = PEOPLE[0][0]
        if not self.wid:
            mine = self.call("GET", "/workspaces", owner)["workspaces"]
            found = [w["id"] for w in mine if w["name"] == WORKSPACE]
            if found:
                self.wid = found[0]
            else:
                self.wid = self.call("POST", "/workspaces", owner, {"name": WORKSPACE})["id"]
            for name, _, _ in PEOPLE[1:]:
                self.call("POST", f"/workspaces/{self.wid}/members", owner, {"username": name})
        return self.wid

    def channel_name_for(self, raw: str) -> str:
        from teamchat.errors import BadRequest
        from teamchat.services.channels import check_channel_name

        try:
            return check_channel_name(raw)
        except BadRequest:
            return "irc-import"

    # -- the conversation ---------------------------------------------------------------

    def conversation(self) -> None:
        wid = self.workspace()
        owner = PEOPLE[0][0]
        mine = self.call("GET", f"/workspaces/{wid}/channels", owner)["channels"]
        for key, private, members in CHANNELS:
            existing = [c["id"] for c in mine if c["name"] == key]
            if existing:
                self.channels[key] = existing[0]
                continue
            body = {
                "name": key,
                "private": private,
                "member_ids": [self.user_id(m) for m in members if m != owner],
            }
            self.channels[key] = self.call("POST", f"/workspaces/{wid}/channels", owner, body)["id"]
        for key, members in GROUPS.items():
            others = {self.user_id(m) for m in members if m != owner}
            existing = [
                c["id"]
                for c in mine
                if c["kind"] in ("dm", "group") and {u["id"] for u in c["dm_users"]} == others
            ]
            if existing:
                self.channels[key] = existing[0]
            else:
                body = {"user_ids": sorted(others)}
                self.channels[key] = self.call("POST", f"/workspaces/{wid}/dms", owner, body)["id"]
        for line in SCRIPT:
            self.post(line)
        for reader, channel, upto in READS:
            seq = self.posted[upto]["seq"] if upto else self.last_seq(channel, reader)
            self.call("POST", f"/channels/{self.channels[channel]}/read", reader, {"seq": seq})
        # Last, so that its presence means everything above is done.
        self.post(FINAL)

    def post(self, line: Line) -> None:
        body: dict[str, Any] = {"text": line.text, "client_msg_id": f"demo-{line.key}"}
        if line.reply_to:
            body["thread_root_id"] = self.posted[line.reply_to]["id"]
        cid = self.channels[line.channel]
        message = self.call("POST", f"/channels/{cid}/messages", line.author, body)
        self.posted[line.key] = message
        for who, emoji in line.reactions:
            self.call("PUT", f"/messages/{message['id']}/reactions/{quote(emoji, safe='')}", who)

    def last_seq(self, channel: str, reader: str) -> int:
        info = self.call("GET", f"/channels/{self.channels[channel]}", reader)
        return int(info["last_seq"])
