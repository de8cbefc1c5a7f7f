"""Calendar days of the date filters, as millisecond bounds."""

from __future__ import annotations

import re
from datetime import date

from search.errors import QueryError

DAY_MS = 86_400_000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH = date(1970, 1, 1)


def day_start_ms(name: str, value: str, utc_offset_minutes: int = 0) -> int:
    """Milliseconds at which day `value` (YYYY-MM-DD) starts for a searcher at that UTC offset."""
    if not _DATE.fullmatch(value):
        raise QueryError(f"{name}: expects a date like 2024-03-31, not {value!r}.")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{name}:{value} is not a date in the calendar.") from None
    return (day - _EPOCH).days * DAY_MS - utc_offset_minutes * 60_000
