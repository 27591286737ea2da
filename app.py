"""Entry point for `flask` and gunicorn (`gunicorn app:app`)."""

from sop_admin import create_app

app = create_app()
