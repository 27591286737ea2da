"""The Flask-Admin panel, built inside the app factory."""

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme

from ..i18n import TRANSLATIONS
from .index import HomeView


def init_admin(app: Flask) -> Admin:
    admin = Admin(
        app,
        name="sop-admin",
        theme=Bootstrap4Theme(base_template="admin/sop_base.html"),
        index_view=HomeView(name="Beranda", url="/admin"),
        translations_path=str(TRANSLATIONS),
    )
    return admin
