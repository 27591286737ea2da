"""dashboard indexes: an office's open complaints by earliest deadline
(partial on new/in_progress), closed_at after (office_id, status) for
"closed this month", and (office_id, received_at) with the month
breakdown's channel, status and classification for index-only reads.

Indexes only: no column changes, so the audit triggers stay as they are.
The expression and predicate are written as sop_admin.dashboard renders
them (see EARLIEST_DEADLINE_SQL and OPEN_SQL in sop_admin.models.complaint,
copied here so this migration never changes with the models).

Revision ID: d4a5b0c1e2f3
Revises: ea45d59e12a9
Create Date: 2026-11-28 23:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "d4a5b0c1e2f3"
down_revision = "ea45d59e12a9"
branch_labels = None
depends_on = None

EARLIEST_DEADLINE = (
    "(\nCASE\n    WHEN step_due_at IS NULL THEN due_at\n"
    "    WHEN due_at IS NULL THEN step_due_at\n"
    "    WHEN step_due_at < due_at THEN step_due_at\n"
    "    ELSE due_at\nEND)")
OPEN = "status IN ('new', 'in_progress')"


def upgrade():
    op.create_index("ix_complaints_office_received_kinds", "complaints",
                    ["office_id", "received_at", "channel", "status",
                     "classification"])
    op.drop_index("ix_complaints_office_status", table_name="complaints")
    op.create_index("ix_complaints_office_status", "complaints",
                    ["office_id", "status", "closed_at"])
    op.create_index("ix_complaints_open_office_deadline", "complaints",
                    ["office_id", sa.text(EARLIEST_DEADLINE), "id"],
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade():
    op.drop_index("ix_complaints_open_office_deadline", table_name="complaints")
    op.drop_index("ix_complaints_office_status", table_name="complaints")
    op.create_index("ix_complaints_office_status", "complaints",
                    ["office_id", "status"])
    op.drop_index("ix_complaints_office_received_kinds", table_name="complaints")
