"""Live events: schemas, publish-after-commit, the socket hub and presence."""
