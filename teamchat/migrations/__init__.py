"""Alembic migrations: one history for the directory database, one for every shard."""
