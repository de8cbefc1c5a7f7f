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
- Every string is repaired to be stored, as IRC bytes are: NULs removed, lone
  surrogates (a JSON escape can hold one) replaced with U+FFFD; both are counted.
- A record of the wrong shape (a user without an id, a channel without a name or
  with one channels cannot have, a message whose fields have the wrong types, a
  malformed reaction) is skipped and counted. A file that is not JSON, or a
  listing or day file that is not a JSON list, makes the export unreadable:
  ValueError, before anything is written.
"""

from __future__ import annotations

import html
import json
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from teamchat.errors import ApiError
from teamchat.importers.channels import ensure_channel, ensure_workspace, mark_read
from teamchat.importers.emoji import emoji_for
from teamchat.importers.messages import (
    NewMessage,
    existing_client_ids,
    refresh_thread_roots,
    storable_text,
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
from teamchat.services.channels import check_channel_name
from teamchat.store.events import last_seqs

BATCH = 5000
IMPORTED_SUBTYPES = frozenset({"thread_broadcast", "me_message", "file_share", "bot_message"})
SPECIAL = {"channel": "channel", "here": "here", "everyone": "all"}
_MARKUP = re.compile(r"<([^<>]*)>")
# Slack's "1700000000.123456" (seconds, then microseconds); bounded so that the
# client_msg_id and the millisecond times fit their columns.
_TS = re.compile(r"([0-9]{1,11})(?:\.([0-9]{1,9}))?")
# A member read from a zip that is damaged, encrypted or compressed in a way
# zipfile cannot undo.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


@dataclass
class Export:
    """The parts of an export the import uses, read from the zip."""

    users: list[dict[str, Any]]
    # (channel record, private?, its messages in ts order)
    channels: list[tuple[dict[str, Any], bool, list[dict[str, Any]]]] = field(default_factory=list)
    # Records left out (malformed_user, ...) and strings repaired, for the Summary.
    skipped: Counter[str] = field(default_factory=Counter)
    repaired: Counter[str] = field(default_factory=Counter)


def read_export(path: Path) -> Export:
    """The export's users and channels, each string storable and each record of the
    right shape; ValueError, with the file at fault, when it cannot be read."""
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ValueError(f"{path.name} is not a zip file") from None
    except OSError as exc:
        raise ValueError(f"{path.name}: cannot read it: {exc.strerror or exc}") from None
    with zf:
        return _read_zip(zf, path.name)


def _read_zip(zf: zipfile.ZipFile, zip_name: str) -> Export:
    names = set(zf.namelist())
    index = [n for n in names if n.rsplit("/", 1)[-1] == "channels.json"]
    if not index:
        raise ValueError(f"{zip_name} is not a Slack export: channels.json is missing")
    root = min(index, key=len)[: -len("channels.json")]
    export = Export(users=[])

    def load_list(name: str, what: str) -> list[Any]:
        try:
            value = json.loads(zf.read(root + name).decode("utf-8-sig"))
            # Every string at once, so names, topics and reactions are safe as well.
            value = _storable(value, export.repaired)
        except RecursionError:
            raise ValueError(f"{zip_name}: cannot read {name}: nested too deeply") from None
        except (KeyError, UnicodeDecodeError, ValueError, OSError, *_ZIP_ERRORS) as exc:
            raise ValueError(f"{zip_name}: cannot read {name}: {exc}") from None
        if not isinstance(value, list):
            raise ValueError(f"{zip_name}: {name} must hold a JSON list of {what}")
        return value

    if root + "users.json" in names:
        for user in load_list("users.json", "users"):
            if isinstance(user, dict) and _is_id(user.get("id")):
                export.users.append(user)
            else:
                export.skipped["malformed_user"] += 1
    for listing, private in (("channels.json", False), ("groups.json", True)):
        if root + listing not in names:
            continue
        for record in load_list(listing, "channels"):
            reason = _channel_problem(record)
            if reason is not None:
                export.skipped[reason] += 1
                continue
            folder = f"{root}{record['name']}/"
            days = sorted(n for n in names if n.startswith(folder) and n.endswith(".json"))
            messages: list[dict[str, Any]] = []
            for day in days:
                for m in load_list(day[len(root) :], "messages"):
                    if isinstance(m, dict):
                        messages.append(m)
                    else:
                        export.skipped["malformed_message"] += 1
            messages.sort(key=lambda m: ts_key(m.get("ts")) or (0, 0))
            export.channels.append((record, private, messages))
    return export


def _storable(value: Any, repaired: Counter[str]) -> Any:
    if isinstance(value, str):
        return storable_text(value, repaired)
    if isinstance(value, list):
        return [_storable(v, repaired) for v in value]
    if isinstance(value, dict):
        return {k: _storable(v, repaired) for k, v in value.items()}
    return value


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _ids(value: Any) -> list[str]:
    """The Slack ids of a list field; anything else in it is no id."""
    return [v for v in value if _is_id(v)] if isinstance(value, list) else []


def _channel_problem(record: Any) -> str | None:
    if not isinstance(record, dict) or not isinstance(record.get("name"), str):
        return "malformed_channel"
    try:
        check_channel_name(record["name"])
    except ApiError:
        return "invalid_channel_name"
    return None


def ts_key(ts: Any) -> tuple[int, int] | None:
    """(seconds, microseconds) of a Slack timestamp, or None if it is none."""
    if isinstance(ts, bool) or not isinstance(ts, str | int):
        return None
    m = _TS.fullmatch(str(ts))
    if m is None:
        return None
    return int(m.group(1)), int(((m.group(2) or "") + "000000")[:6])


def ts_ms(ts: Any) -> int | None:
    key = ts_key(ts)
    return None if key is None else key[0] * 1000 + key[1] // 1000


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
    summary.skipped.update(export.skipped)
    summary.repaired.update(export.repaired)
    profiles = {u["id"]: u for u in export.users}
    seen = set(profiles)
    for record, _, messages in export.channels:
        seen.update(_ids(record.get("members")))
        for m in messages:
            seen.update(_ids([m.get("user")]))
            for r in _list(m.get("reactions")):
                seen.update(_ids(r.get("users")) if isinstance(r, dict) else [])
    usernames = {sid: username_for(_text(profiles.get(sid, {}).get("name")) or sid) for sid in seen}
    with rt.dbs.transaction(rt) as tx:
        admin_id, extra_ids = named_users(tx, admin, members)
        wanted = {usernames[sid]: _display(profiles.get(sid), sid) for sid in sorted(seen)}
        by_name, summary.users_created = ensure_users(tx, rt.ids, wanted)
        summary.users_seen = len(by_name)
        ws, _ = ensure_workspace(tx, rt.ids, workspace, admin_id, rt.settings.recall_window_seconds)
        ensure_workspace_members(tx, ws.id, [*by_name.values(), *extra_ids])
    user_ids = {sid: by_name[name] for sid, name in usernames.items()}
    markup = Markup(
        usernames,
        user_ids,
        {c["id"]: c["name"] for c, _, _ in export.channels if _is_id(c.get("id"))},
    )
    for record, private, messages in export.channels:
        topic = record.get("topic")
        with rt.dbs.transaction(rt) as tx:
            member_ids = list(dict.fromkeys(user_ids[s] for s in _ids(record.get("members"))))
            channel, created = ensure_channel(
                tx,
                rt.ids,
                ws,
                record["name"],
                private=private,
                creator_id=admin_id,
                member_ids=[*member_ids, *extra_ids],
                created_at=ts_ms(record.get("created")) or None,
                topic=_text(topic.get("value")) if isinstance(topic, dict) else "",
            )
            summary.channels_created += int(created)
            existing = existing_client_ids(tx, channel, "slack:")
        _import_channel(rt, channel, messages, existing, markup, summary, batch_size, progress)
        with rt.dbs.transaction(rt) as tx:
            last = last_seqs(tx.shard(channel.shard), [channel.id])[channel.id]
            # The history was there before these members arrived: it counts as read.
            mark_read(tx, channel, [*member_ids, *extra_ids], last)
    return summary


def _text(value: Any) -> str:
    """A string field, or "" when it is missing or not a string."""
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _display(profile: dict[str, Any] | None, sid: str) -> str:
    if not profile:
        return sid
    p = profile.get("profile")
    p = p if isinstance(p, dict) else {}
    raw = (
        _text(p.get("display_name"))
        or _text(p.get("real_name"))
        or _text(profile.get("real_name"))
        or _text(profile.get("name"))
    )
    return display_name_for(raw or sid, sid)


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
        reason = _skip_reason(m, subtype)
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
        thread_ts = str(m.get("thread_ts") or "")
        root_id = None
        if thread_ts and thread_ts != ts:
            root_id = by_ts.get(thread_ts)
            if root_id is None:
                summary.skipped["orphan_reply_kept_in_channel"] += 1
        new = NewMessage(
            id=rt.ids.next_id(),
            client_msg_id=f"slack:{ts}",
            author_id=markup.user_ids[m["user"]],
            text=text,
            created_at=ts_ms(ts) or 0,
            kind="action" if subtype == "me_message" else "message",
            edited_at=ts_ms(m["edited"].get("ts")) if isinstance(m.get("edited"), dict) else None,
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


def _skip_reason(m: dict[str, Any], subtype: Any) -> str | None:
    if m.get("type", "message") != "message" or ts_key(m.get("ts")) is None:
        return "not_a_message"
    if subtype is not None and not isinstance(subtype, str):
        return "malformed_message"
    if subtype is not None and subtype not in IMPORTED_SUBTYPES:
        return subtype[:40]
    user, text = m.get("user"), m.get("text")
    if not user:
        return "bot_message" if subtype == "bot_message" else "no_user"
    if not _is_id(user) or not isinstance(text, str | None):
        return "malformed_message"
    if not (text or "").strip():
        return "no_text"
    return None


def _reactions(m: dict[str, Any], markup: Markup, summary: Summary) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for r in _list(m.get("reactions")):
        if not isinstance(r, dict) or not _text(r.get("name")) or not _list(r.get("users")):
            summary.skipped["malformed_reaction"] += 1
            continue
        emoji = emoji_for(r["name"])
        if emoji is None:
            summary.skipped["unknown_reaction"] += 1
            continue
        out += [(emoji, markup.user_ids[u]) for u in _ids(r.get("users")) if u in markup.user_ids]
    return out
