"""audit: seal in the server (PostgreSQL function audit_seal)

Sealing at commit took four round trips (lock, head, unsealed rows, update);
`audit_seal(max_rows)` does the same in one call with the hash expression
verification already uses. SQLite keeps sealing in the app (no functions in
SQL there, and one writer at a time anyway). The function is built from
`sop_admin.audit.chain` as it is when this runs: a later change of the hash
payload needs a migration that creates it again.

Revision ID: e5f6a7b8c9d0
Revises: d4a5b0c1e2f3
Create Date: 2026-11-28 23:30:00

"""
from alembic import op

from sop_admin.audit.chain import SEAL_FUNCTION, seal_function_sql

# revision identifiers, used by Alembic.
revision = "e5f6a7b8c9d0"
down_revision = "d4a5b0c1e2f3"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(seal_function_sql())


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {SEAL_FUNCTION}(integer)")
