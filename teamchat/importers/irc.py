"""Importing IRC logs (irssi-style, as in the Ubuntu IRC logs) into one channel.

    [HH:MM] <nick> text                 a message
    [HH:MM]  * nick does something      an action (/me): kind "action", text "does something"
    === nick has joined #chan           joins, parts, quits, renames, kicks, modes, topics:
                                        skipped and counted (membership is not replayed)
    === nick does something             an action, as older logs wrote them

Choices, so the result is the same every time:
- The date is the YYYY-MM-DD in the file name; times are UTC. Lines keep their file
  order (seq), and times strictly increase: messages sharing a minute are spread
  over it by position; a clock going back past midnight moves to the next day.
- Text is stored as is. Invalid UTF-8 is decoded with U+FFFD replacements and NUL
  bytes are removed; both are counted.
- Each nick (case-insensitive, as on IRC) is one user: see `importers.users`.
- A message starting with `nick:` or `nick,`, where nick is an author of this
  import, mentions that user (a mention row and a span over the nick; the text is
  not rewritten).
- client_msg_id `irc:FILE:LINE` makes a re-import add nothing. So a file given
  twice (the same path, or another path to the same file) is imported once, and two
  different files of the same name are refused up front: their lines would share
  ids, and a later run would take one for the other (see `check_files`).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from teamchat.importers.channels import ensure_channel, ensure_workspace, mark_read
from teamchat.importers.messages import NewMessage, existing_client_ids, write_batch
from teamchat.importers.summary import Summary
from teamchat.importers.users import (
    ensure_users,
    ensure_workspace_members,
    named_users,
    username_for,
)
from teamchat.runtime import Runtime
from teamchat.store.events import last_seqs

BATCH = 5000
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# Some nicks in the Ubuntu corpus hold a space (`<bur[n] er>`): a nick runs to the first '>'.
_MESSAGE = re.compile(r"\[(\d\d):(\d\d)\] <([^>]*[^\s>][^>]*)> ?(.*)\Z", re.S)
_ACTION = re.compile(r"\[(\d\d):(\d\d)\]  \* (\S+)(?: (.*))?\Z", re.S)
_SYSTEM = (
    ("join", re.compile(r"\S+ +has joined #")),
    ("part", re.compile(r"\S+ +has left #")),
    ("quit", re.compile(r"\S+ +has quit\b")),
    ("rename", re.compile(r"\S+ is now known as \S+")),
    ("kick", re.compile(r"\S+ was kicked off #")),
    ("mode", re.compile(r"mode/#")),
    ("topic", re.compile(r"\.\.\[topic/|Topic for #|\S+ changed the topic")),
    ("netsplit", re.compile(r"net(?:join|split)", re.I)),
)
# RFC 2812 nick characters; `=== nick text` with such a nick is an old-style action.
_OLD_ACTION = re.compile(r"([A-Za-z0-9\[\]\\`_^{|}-]+) (.+)\Z", re.S)
# "nick:" or "nick," at the very start of a message addresses nick.
_ADDRESS = re.compile(r"([^\s:,]+)[:,]")


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # 1-based, counting every line of the file
    kind: str  # "message", "action", or why it is skipped
    nick: str = ""
    text: str = ""
    minute: int | None = None  # minute of the day, from [HH:MM]


def parse_line(number: int, raw: str) -> Line:
    m = _MESSAGE.match(raw)
    if m:
        minute = int(m.group(1)) * 60 + int(m.group(2))
        return Line(number, "message", m.group(3).strip(), m.group(4), minute)
    m = _ACTION.match(raw)
    if m:
        minute = int(m.group(1)) * 60 + int(m.group(2))
        return Line(number, "action", m.group(3), m.group(4) or "", minute)
    if raw.startswith("=== "):
        rest = raw[4:]
        for reason, pattern in _SYSTEM:
            if pattern.match(rest):
                return Line(number, reason)
        m = _OLD_ACTION.match(rest)
        if m:
            return Line(number, "action", m.group(1), m.group(2))
    return Line(number, "blank" if not raw.strip() else "unparsed")


def read_lines(path: Path, repaired: Counter[str]) -> Iterator[tuple[int, str]]:
    """(line number, text) for every line; bytes that cannot be stored are fixed
    and counted in `repaired`."""
    parts = path.read_bytes().split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    for number, raw in enumerate(parts, 1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if b"\x00" in raw:
            repaired["nul_bytes_removed"] += raw.count(b"\x00")
            raw = raw.replace(b"\x00", b"")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            repaired["invalid_utf8_lines"] += 1
            text = raw.decode("utf-8", errors="replace")
        yield number, text


def parse_file(path: Path, repaired: Counter[str]) -> list[Line]:
    return [parse_line(n, raw) for n, raw in read_lines(path, repaired)]


def file_date(path: Path) -> date:
    m = _DATE.search(path.name)
    if m is None:
        raise ValueError(f"{path.name}: the file name must hold its date as YYYY-MM-DD")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(f"{path.name}: {m.group(0)} is not a valid date") from None


def message_times(day: date, minutes: Sequence[int | None]) -> list[int]:
    """Epoch ms for each message, in order, strictly increasing. A line without a
    time takes the previous line's minute (the first time in the file at the start)."""
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1000
    fallback = next((m for m in minutes if m is not None), 0)
    absolute: list[int] = []
    day_offset = 0
    prev: int | None = None
    for minute in minutes:
        if minute is None:
            at = prev if prev is not None else fallback
        else:
            at = day_offset * 1440 + minute
            if prev is not None and at < prev:
                if prev - at > 720:  # past midnight
                    day_offset += 1
                    at += 1440
                at = max(at, prev)  # a clock that stepped back a little keeps the order
        absolute.append(at)
        prev = at
    times: list[int] = []
    i = 0
    while i < len(absolute):
        j = i
        while j < len(absolute) and absolute[j] == absolute[i]:
            j += 1
        n = j - i
        times.extend(start + absolute[i] * 60_000 + k * 60_000 // n for k in range(n))
        i = j
    return times


def client_id(file_name: str, number: int) -> str:
    cmid = f"irc:{file_name}:{number}"
    if len(cmid) <= 64 and cmid.isascii() and cmid.isprintable():
        return cmid
    digest = hashlib.sha1(file_name.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"irc:{digest}:{number}"


def check_files(paths: Sequence[Path]) -> list[Path]:
    """The files to import, each once, in the order given. Raises ValueError when two
    different files have the same name (the name keys their lines, see client_id)
    or a file cannot be read."""
    seen: set[tuple[int, int]] = set()
    by_name: dict[str, Path] = {}
    out: list[Path] = []
    for path in paths:
        try:
            st = path.stat()
        except OSError as exc:
            raise ValueError(f"{path}: cannot read it: {exc.strerror}") from None
        # Device and inode: the same file however it is spelled (../, links).
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        other = by_name.setdefault(path.name, path)
        if other is not path:
            raise ValueError(
                f"{other} and {path} are two different files named {path.name}: the file "
                "name identifies its lines in the channel, so import them into different "
                "channels, or rename one"
            )
        out.append(path)
    return out


def import_irc(
    rt: Runtime,
    paths: Sequence[Path],
    workspace: str,
    channel: str,
    *,
    admin: str | None = None,
    members: Sequence[str] = (),
    topic: str = "",
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Import the log files, oldest first, into one channel (created public if
    missing) of the workspace, given by id or by name (see find_workspace; created if
    missing). `admin` (an existing username)
    becomes a workspace admin; `members` (existing usernames) join the channel
    (both have read the history);
    `topic` is the topic of a channel the import creates.
    `progress` is called with the number of lines each step got through."""
    summary = Summary()
    files = sorted((file_date(p), p.name, p) for p in check_files(paths))
    # First pass: every author, so users are written up front in bulk.
    spelled: dict[str, str] = {}
    for _, _, path in files:
        for line in parse_file(path, Counter()):
            if line.kind in ("message", "action") and line.text.strip():
                spelled.setdefault(line.nick.lower(), line.nick)
    with rt.dbs.transaction(rt) as tx:
        admin_id, member_ids = named_users(tx, admin, members)
        names = {nick: username_for(nick) for nick in spelled}
        by_name, summary.users_created = ensure_users(
            tx, rt.ids, {names[n]: spelled[n] for n in sorted(spelled)}
        )
        summary.users_seen = len(by_name)
        ws, _ = ensure_workspace(tx, rt.ids, workspace, admin_id, rt.settings.recall_window_seconds)
        ensure_workspace_members(tx, ws.id, [*by_name.values(), *member_ids])
        ch, created = ensure_channel(
            tx, rt.ids, ws, channel, creator_id=admin_id, member_ids=member_ids, topic=topic
        )
        summary.channels_created = int(created)
        existing = existing_client_ids(tx, ch, "irc:")
    author_of = {nick: by_name[names[nick]] for nick in spelled}
    limit = rt.settings.max_message_chars
    batch: list[NewMessage] = []

    def flush() -> None:
        with rt.dbs.transaction(rt) as tx:
            summary.mentions += write_batch(tx, ch, batch)
        batch.clear()

    for day, name, path in files:
        lines = parse_file(path, summary.repaired)
        kept = [ln for ln in lines if ln.kind in ("message", "action") and ln.text.strip()]
        times = message_times(day, [ln.minute for ln in kept])
        for ln in lines:
            if ln.kind not in ("message", "action"):
                summary.skipped[ln.kind] += 1
            elif not ln.text.strip():
                summary.skipped["empty"] += 1
        for ln, at in zip(kept, times, strict=True):
            cmid = client_id(name, ln.number)
            if cmid in existing:
                summary.already_imported += 1
                continue
            if len(ln.text) > limit:
                summary.skipped["too_long"] += 1
                continue
            batch.append(_message(rt, ln, cmid, at, author_of))
            if ln.kind == "action":
                summary.actions += 1
            summary.messages += 1
            if len(batch) >= batch_size:
                flush()
        if progress is not None:
            progress(len(lines))
    if batch:
        flush()
    readers = [admin_id, *member_ids] if admin_id else member_ids
    if readers:
        with rt.dbs.transaction(rt) as tx:
            last = last_seqs(tx.shard(ch.shard), [ch.id])[ch.id]
            # The history was there before these members arrived: it counts as read.
            mark_read(tx, ch, readers, last)
    return summary


def _message(rt: Runtime, ln: Line, cmid: str, at: int, author_of: dict[str, int]) -> NewMessage:
    m = NewMessage(
        id=rt.ids.next_id(),
        client_msg_id=cmid,
        author_id=author_of[ln.nick.lower()],
        text=ln.text,
        created_at=at,
        kind=ln.kind,
    )
    if ln.kind == "message":
        addressed = _ADDRESS.match(ln.text)
        if addressed is not None:
            uid = author_of.get(addressed.group(1).lower())
            if uid is not None:
                end = len(addressed.group(1))
                m.spans = [{"kind": "user", "user_id": str(uid), "start": 0, "end": end}]
                m.mentioned = {uid: "user"}
    return m
