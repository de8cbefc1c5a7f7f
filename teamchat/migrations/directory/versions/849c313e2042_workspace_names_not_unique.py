"""workspace names are display names, not unique

Revision ID: 849c313e2042
Revises: 2ed24913c991
Create Date: 2026-12-03 22:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "849c313e2042"
down_revision: str | None = "2ed24913c991"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Two teams may both call theirs "Acme"; a unique name would also tell anyone who
    # tries that the name exists on this installation. The plain index keeps lookups
    # by name (imports) cheap. Batch mode: SQLite rebuilds the table, MariaDB alters it.
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_constraint("uq_workspaces_name_key", type_="unique")
        batch_op.create_index("ix_workspaces_name_key", ["name_key"], unique=False)


def downgrade() -> None:
    # Fails while two workspaces share a name: rename one first.
    with op.batch_alter_table("workspaces", schema=None) as batch_op:
        batch_op.drop_index("ix_workspaces_name_key")
        batch_op.create_unique_constraint("uq_workspaces_name_key", ["name_key"])
