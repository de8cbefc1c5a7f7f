"""What an import did, counted, for the closing report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Summary:
    users_seen: int = 0
    users_created: int = 0
    channels_created: int = 0
    messages: int = 0
    actions: int = 0
    replies: int = 0
    mentions: int = 0
    reactions: int = 0
    already_imported: int = 0
    # Outbox rows indexed after the import; None until indexing ran.
    indexed: int | None = None
    # Lines or records left out, by reason (join, part, rename, empty, ...).
    skipped: Counter[str] = field(default_factory=Counter)
    # Text that was repaired to be stored: reason -> count.
    repaired: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = [
            f"users: {self.users_seen:,} ({self.users_created:,} new)",
            f"messages: {self.messages:,} new (actions: {self.actions:,}, "
            f"thread replies: {self.replies:,}), already imported: {self.already_imported:,}",
            f"mentions: {self.mentions:,}, reactions: {self.reactions:,}",
        ]
        if self.channels_created:
            out.insert(1, f"channels created: {self.channels_created:,}")
        skipped = sum(self.skipped.values())
        detail = ", ".join(f"{k} {v:,}" for k, v in sorted(self.skipped.items()))
        out.append(f"skipped: {skipped:,}" + (f" ({detail})" if detail else ""))
        if self.repaired:
            out.append(
                "repaired: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.repaired.items()))
            )
        if self.indexed is not None:
            out.append(f"search documents written: {self.indexed:,}")
        return out
