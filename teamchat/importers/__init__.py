"""Importers of real chat history: IRC logs and Slack exports.

They are entry points, like the web views: each owns its transactions. They write
in bulk (many rows per statement, one sequence range per batch) through the
helpers in `users`, `channels` and `messages`, then let the search outbox drain.
"""
