"""The IRC corpus as search documents, repeated with ids and times shifted to any size.

Lines are parsed by the product's importer (teamchat.importers.irc), so messages,
actions, times and `nick:` mentions are what an import would store. Each pass over
the corpus (a "repeat") shifts every time by one day per repeat and takes fresh ids;
each (log file, repeat) lands in one of CHANNELS channels, so a channel holds a mix
of days and repeats, as a workspace's channels would.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from common import IRC_DIR

CHANNELS = 100
WORKSPACE_ID = 1
DAY_MS = 86_400_000
# `nick:` or `nick,` at the start of a message addresses nick (as the importer reads it).
ADDRESS = re.compile(r"([^\s:,]+)[:,]")


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    channel_id: int
    seq: int
    author_id: int
    kind: str
    text: str
    created_at: int
    mentioned: int | None  # the user addressed with `nick:`, if any


@dataclass(frozen=True, slots=True)
class Line:
    file_index: int
    nick: str
    kind: str
    text: str
    at: int


def read_lines(directory: Path = IRC_DIR) -> list[Line]:
    from teamchat.importers.irc import file_date, message_times, parse_file

    out: list[Line] = []
    for i, path in enumerate(sorted(directory.glob("*.log"))):
        lines = parse_file(path, Counter())
        kept = [ln for ln in lines if ln.kind in ("message", "action") and ln.text.strip()]
        times = message_times(file_date(path), [ln.minute for ln in kept])
        out += [Line(i, ln.nick, ln.kind, ln.text, at) for ln, at in zip(kept, times, strict=True)]
    return out


class Corpus:
    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        nicks = sorted({ln.nick.lower() for ln in lines})
        self.user_ids = {nick: 1000 + k for k, nick in enumerate(nicks)}

    @classmethod
    def load(cls) -> Corpus:
        return cls(read_lines())

    def channel_of(self, file_index: int, repeat: int) -> int:
        return 1 + (file_index * 7 + repeat * 37) % CHANNELS

    def rows(self, total: int) -> Iterator[Row]:
        """`total` rows: the corpus over and over, each pass a day later, new ids."""
        seqs: Counter[int] = Counter()
        n = 0
        repeat = 0
        while n < total:
            for k, ln in enumerate(self.lines):
                if n >= total:
                    return
                channel = self.channel_of(ln.file_index, repeat)
                seqs[channel] += 1
                mentioned = None
                if ln.kind == "message":
                    m = ADDRESS.match(ln.text)
                    if m is not None:
                        mentioned = self.user_ids.get(m.group(1).lower())
                author = self.user_ids[ln.nick.lower()]
                yield Row(
                    id=repeat * 10_000_000 + k + 1,
                    channel_id=channel,
                    seq=seqs[channel],
                    author_id=author,
                    kind=ln.kind,
                    text=ln.text,
                    created_at=ln.at + repeat * DAY_MS,
                    mentioned=mentioned if mentioned != author else None,
                )
                n += 1
            repeat += 1
