"""Importing a standard Slack export (the zip a workspace admin downloads).

    users.json       [{id, name, real_name, profile: {display_name, real_name}, ...}]
    channels.json    public channels [{id, name, created, creator, members, topic}]
    groups.json      private channels, same shape (only in some exports)
    NAME/DAY.json    each channel's messages of one day

Choices:
- Users by `name` through `importers.users` (same username every time); an id met
  in messages but absent from users.json becomes a user named after the id.
- Public and private channels with their members; DMs and group DMs are left out.
- Messages in `ts` order; `thread_ts` makes replies (a reply whose root is missing
  stays in the channel); `edited.ts` sets edited_at; `me_message` is an action.
- Markup becomes plain text: `<@U1>` is `@username` with a mention, `<!channel>`,
  `<!here>`, `<!everyone>` are `@channel`, `@here`, `@all` (shown, but history
  notifies nobody), `<#C1|name>` is `#name`, `<url|label>` is `label (url)`.
- Reactions: common names become Unicode emoji, others `:name:` (see `emoji`).
- Join, leave, topic and other system subtypes are skipped and counted; so are bot
  posts without a user, and messages with no text (files only).
- client_msg_id `slack:TS` makes a re-import add nothing.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teamchat.importers.channels import ensure_channel, ensure_workspace, mark_read
from teamchat.importers.emoji import emoji_for
from teamchat.importers.messages import (
    NewMessage,
    existing_client_ids,
    refresh_thread_roots,
    write_batch,
)
from teamchat.importers.summary import Summary
from teamchat.importers.users import (
    display_name_for,
    ensure_users,
    ensure_workspace_members,
    named_users,
    username_for,
)
from teamchat.models import Channel
from teamchat.runtime import Runtime
from teamchat.store.events import last_seqs

BATCH = 5000
IMPORTED_SUBTYPES = frozenset({"thread_broadcast", "me_message", "file_share", "bot_message"})
SPECIAL = {"channel": "channel", "here": "here", "everyone": "all"}
_MARKUP = re.compile(r"<([^<>]*)>")


@dataclass
class Export:
    """The parts of an export the import uses, read from the zip."""

    users: list[dict[str, Any]]
    # (channel record, private?, its messages in ts order)
    channels: list[tuple[dict[str, Any], bool, list[dict[str, Any]]]] = field(default_factory=list)


def read_export(path: Path) -> Export:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(f"{path.name} is not a zip file") from None
    with zf:
        names = set(zf.namelist())
        index = [n for n in names if n.rsplit("/", 1)[-1] == "channels.json"]
        if not index:
            raise ValueError(f"{path.name} is not a Slack export: channels.json is missing")
        root = min(index, key=len)[: -len("channels.json")]

        def load(name: str) -> Any:
            try:
                return json.loads(zf.read(root + name).decode("utf-8"))
            except (KeyError, UnicodeDecodeError, ValueError) as exc:
                raise ValueError(f"{path.name}: cannot read {name}: {exc}") from None

        export = Export(users=load("users.json") if root + "users.json" in names else [])
        for listing, private in (("channels.json", False), ("groups.json", True)):
            if root + listing not in names:
                continue
            for record in load(listing):
                folder = f"{root}{record['name']}/"
                days = sorted(n for n in names if n.startswith(folder) and n.endswith(".json"))
                messages = [m for day in days for m in load(day[len(root) :])]
                messages.sort(key=lambda m: ts_key(m.get("ts", "0")))
                export.channels.append((record, private, messages))
        return export


def ts_key(ts: str) -> tuple[int, int]:
    secs, _, frac = str(ts).partition(".")
    return int(secs or 0), int((frac + "000000")[:6])


def ts_ms(ts: str) -> int:
    secs, micros = ts_key(ts)
    return secs * 1000 + micros // 1000


class Markup:
    """Slack's message markup to plain text, with the mention spans it holds."""

    def __init__(
        self, usernames: dict[str, str], user_ids: dict[str, int], channels: dict[str, str]
    ):
        self.usernames = usernames  # slack id -> username
        self.user_ids = user_ids  # slack id -> our user id
        self.channels = channels  # slack id -> channel name

    def convert(self, raw: str) -> tuple[str, list[dict[str, Any]], dict[int, str]]:
        out: list[str] = []
        spans: list[dict[str, Any]] = []
        mentioned: dict[int, str] = {}
        at = 0
        pos = 0
        for m in _MARKUP.finditer(raw):
            plain = (
                html.unescape(raw[pos : m.start()])
                if "&" in raw[pos : m.start()]
                else raw[pos : m.start()]
            )
            out.append(plain)
            at += len(plain)
            shown, span = self._item(m.group(1))
            if span is not None:
                kind, uid = span
                spans.append(
                    {
                        "kind": kind,
                        "user_id": str(uid) if uid else None,
                        "start": at,
                        "end": at + len(shown),
                    }
                )
                if uid is not None:
                    mentioned[uid] = "user"
            out.append(shown)
            at += len(shown)
            pos = m.end()
        out.append(html.unescape(raw[pos:]))
        return "".join(out), spans, mentioned

    def _item(self, inner: str) -> tuple[str, tuple[str, int | None] | None]:
        target, _, label = inner.partition("|")
        label = html.unescape(label)
        if target.startswith("@"):
            sid = target[1:]
            if sid in self.usernames:
                return "@" + self.usernames[sid], ("user", self.user_ids[sid])
            return "@" + (label or sid), None
        if target.startswith("#"):
            return "#" + (label or self.channels.get(target[1:], target[1:])), None
        if target.startswith("!"):
            word = target[1:].split("^", 1)[0]
            if word in SPECIAL:
                return "@" + SPECIAL[word], (SPECIAL[word], None)
            return label or "@" + word, None
        url = html.unescape(target)
        if not label or label in url:
            return (label or url), None
        return f"{label} ({url})", None


def import_slack(
    rt: Runtime,
    path: Path,
    workspace: str,
    *,
    admin: str | None = None,
    members: Sequence[str] = (),
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Import the export into the workspace, given by id or by name (see
    find_workspace; created if missing). `admin` (an existing username) becomes a
    workspace admin; `members` (existing usernames) join every imported channel.
    `progress` gets the number of records each step got through."""
    summary = Summary()
    export = read_export(path)
    profiles = {u["id"]: u for u in export.users if isinstance(u, dict) and "id" in u}
    seen = set(profiles)
    for record, _, messages in export.channels:
        seen.update(record.get("members") or [])
        for m in messages:
            seen.update(u for u in [m.get("user")] if u)
            for r in m.get("reactions") or []:
                seen.update(r.get("users") or [])
    usernames = {
        sid: username_for(profiles.get(sid, {}).get("name") or sid) for sid in sorted(seen)
    }
    with rt.dbs.transaction(rt) as tx:
        admin_id, extra_ids = named_users(tx, admin, members)
        wanted = {usernames[sid]: _display(profiles.get(sid), sid) for sid in sorted(seen)}
        by_name, summary.users_created = ensure_users(tx, rt.ids, wanted)
        summary.users_seen = len(by_name)
        ws, _ = ensure_workspace(tx, rt.ids, workspace, admin_id, rt.settings.recall_window_seconds)
        ensure_workspace_members(tx, ws.id, [*by_name.values(), *extra_ids])
    user_ids = {sid: by_name[name] for sid, name in usernames.items()}
    markup = Markup(
        usernames, user_ids, {c["id"]: c["name"] for c, _, _ in export.channels if "id" in c}
    )
    for record, private, messages in export.channels:
        with rt.dbs.transaction(rt) as tx:
            member_ids = [user_ids[s] for s in record.get("members") or []]
            channel, created = ensure_channel(
                tx,
                rt.ids,
                ws,
                record["name"],
                private=private,
                creator_id=admin_id,
                member_ids=[*member_ids, *extra_ids],
                created_at=ts_ms(str(record.get("created") or 0)) or None,
                topic=(record.get("topic") or {}).get("value") or "",
            )
            summary.channels_created += int(created)
            existing = existing_client_ids(tx, channel, "slack:")
        _import_channel(rt, channel, messages, existing, markup, summary, batch_size, progress)
        with rt.dbs.transaction(rt) as tx:
            last = last_seqs(tx.shard(channel.shard), [channel.id])[channel.id]
            # The history was there before these members arrived: it counts as read.
            mark_read(tx, channel, [*member_ids, *extra_ids], last)
    return summary


def _display(profile: dict[str, Any] | None, sid: str) -> str:
    if not profile:
        return sid
    p = profile.get("profile") or {}
    raw = (
        p.get("display_name")
        or p.get("real_name")
        or profile.get("real_name")
        or profile.get("name")
    )
    return display_name_for(str(raw or sid), sid)


def _import_channel(
    rt: Runtime,
    channel: Channel,
    messages: list[dict[str, Any]],
    existing: dict[str, int],
    markup: Markup,
    summary: Summary,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> None:
    by_ts = {cmid[len("slack:") :]: mid for cmid, mid in existing.items()}
    roots: set[int] = set()
    batch: list[NewMessage] = []
    limit = rt.settings.max_message_chars

    def flush() -> None:
        with rt.dbs.transaction(rt) as tx:
            summary.mentions += write_batch(tx, channel, batch)
        batch.clear()

    for m in messages:
        ts = str(m.get("ts", ""))
        subtype = m.get("subtype")
        reason = _skip_reason(m, subtype, ts)
        if reason is None and ts in by_ts and f"slack:{ts}" not in existing:
            reason = "duplicate_ts"
        if reason is not None:
            summary.skipped[reason] += 1
            continue
        if f"slack:{ts}" in existing:
            summary.already_imported += 1
            continue
        text, spans, mentioned = markup.convert(m["text"])
        if len(text) > limit:
            summary.skipped["too_long"] += 1
            continue
        thread_ts = m.get("thread_ts")
        root_id = None
        if thread_ts and thread_ts != ts:
            root_id = by_ts.get(str(thread_ts))
            if root_id is None:
                summary.skipped["orphan_reply_kept_in_channel"] += 1
        new = NewMessage(
            id=rt.ids.next_id(),
            client_msg_id=f"slack:{ts}",
            author_id=markup.user_ids[m["user"]],
            text=text,
            created_at=ts_ms(ts),
            kind="action" if subtype == "me_message" else "message",
            edited_at=ts_ms(m["edited"]["ts"]) if isinstance(m.get("edited"), dict) else None,
            thread_root_id=root_id,
            spans=spans,
            mentioned=mentioned,
            reactions=_reactions(m, markup, summary),
        )
        by_ts[ts] = new.id
        if root_id is not None:
            roots.add(root_id)
            summary.replies += 1
        summary.messages += 1
        summary.actions += new.kind == "action"
        summary.reactions += len(new.reactions)
        batch.append(new)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    if roots:
        with rt.dbs.transaction(rt) as tx:
            refresh_thread_roots(tx, channel, roots)
    if progress is not None:
        progress(len(messages))


def _skip_reason(m: dict[str, Any], subtype: str | None, ts: str) -> str | None:
    if m.get("type", "message") != "message" or not re.fullmatch(r"\d+(\.\d+)?", ts):
        return "not_a_message"
    if subtype is not None and subtype not in IMPORTED_SUBTYPES:
        return str(subtype)[:40]
    if not m.get("user"):
        return "bot_message" if subtype == "bot_message" else "no_user"
    if not str(m.get("text") or "").strip():
        return "no_text"
    return None


def _reactions(m: dict[str, Any], markup: Markup, summary: Summary) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for r in m.get("reactions") or []:
        emoji = emoji_for(str(r.get("name", "")))
        if emoji is None:
            summary.skipped["unknown_reaction"] += 1
            continue
        out += [(emoji, markup.user_ids[u]) for u in r.get("users") or [] if u in markup.user_ids]
    return out
