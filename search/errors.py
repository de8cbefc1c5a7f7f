"""Errors the app turns into HTTP answers: bad input is a 400, an engine outage a 503."""

from __future__ import annotations


class QueryError(ValueError):
    """The user's search input cannot be run; `message` is safe to show to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CursorError(QueryError):
    """A paging cursor that this engine did not produce, or produced for another sort."""


class EngineError(RuntimeError):
    """The search engine failed or is unreachable; the request may be retried later."""
