"""Migrations make the database; models and migrations never drift apart."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sop_admin.extensions import db as _db


# SQLite cannot reflect expression indexes (the dashboard's open-complaint
# indexes), so there autogenerate skips them with these warnings; PostgreSQL
# compares them.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified")
def test_migrated_schema_matches_models(app):
    """Autogenerate against the migrated test database finds nothing to do."""
    with _db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, _db.metadata)
    assert diff == []


def test_downgrade_then_upgrade_round_trips(tmp_path):
    """Every migration can be undone and redone on an empty SQLite database."""
    from flask_migrate import downgrade, upgrade

    from .conftest import make_test_app

    app = make_test_app(f"sqlite:///{tmp_path}/mig.sqlite3")
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        tables = set(_db.inspect(_db.engine).get_table_names())
        _db.engine.dispose()
    assert {"offices", "users", "sops", "sop_versions", "complaints"} <= tables
