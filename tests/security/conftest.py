"""Apps with other settings (CSRF on, tight limits) on the test's database."""

import pytest

from sop_admin.extensions import db as _db

from ..conftest import make_test_app


@pytest.fixture
def extra_app(database_uri, app):
    """Build apps on the test's database; their connections close at the end."""
    made = []

    def build(**config):
        made.append(make_test_app(database_uri, **config))
        return made[-1]

    yield build
    for other in made:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()
