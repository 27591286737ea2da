"""The Flask-Admin panel, built inside the app factory."""

from flask import Flask
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from ..i18n import TRANSLATIONS
from ..models import (
    AuditEntry,
    ClosureDay,
    Complaint,
    NoticeTemplate,
    Office,
    OutboxMessage,
    Reply,
    Role,
    SopVersion,
    User,
)
from . import audit_hooks
from .audit import AuditEntryView
from .complaint import ComplaintView
from .index import HomeView
from .notice_template import NoticeTemplateView
from .office import ClosureDayView, OfficeView, RoleView
from .outbox import OutboxView
from .reply import ReplyView
from .sop import SopVersionView
from .user import UserView


def init_admin(app: Flask) -> Admin:
    admin = Admin(
        app,
        name="sop-admin",
        theme=Bootstrap4Theme(base_template="admin/sop_base.html"),
        index_view=HomeView(name=_l("Beranda"), url="/admin"),
        translations_path=str(TRANSLATIONS),
    )
    # Menu order: Pengaduan, SOP, Pengaturan, Audit (categories appear in the
    # order their first view is added).
    admin.add_view(ComplaintView(Complaint, name=_l("Pengaduan"),
                                 endpoint="complaint"))
    admin.add_view(ReplyView(Reply, name=_l("Tanggapan"), endpoint="reply"))
    admin.add_view(SopVersionView(SopVersion, name=_l("SOP"), endpoint="sopversion"))
    settings = _l("Pengaturan")
    admin.add_view(OfficeView(Office, name=_l("Instansi"), category=settings,
                              endpoint="office"))
    admin.add_view(RoleView(Role, name=_l("Jabatan"), category=settings,
                            endpoint="role"))
    admin.add_view(UserView(User, name=_l("Pengguna"), category=settings,
                            endpoint="user"))
    admin.add_view(ClosureDayView(ClosureDay, name=_l("Hari Libur Kantor"),
                                  category=settings, endpoint="closure_day"))
    admin.add_view(NoticeTemplateView(NoticeTemplate, name=_l("Templat surel"),
                                      category=settings, endpoint="notice_template"))
    admin.add_view(OutboxView(OutboxMessage, name=_l("Kotak keluar surel"),
                              category=settings, endpoint="outbox"))
    audit_hooks.init_app(app)
    admin.add_view(AuditEntryView(AuditEntry, name=_l("Jejak audit"),
                                  category=_l("Audit"), endpoint="audit",
                                  url="/admin/audit"))
    return admin
