"""Indonesian labels for the enums the panel shows (lists, filters, forms)."""

from flask_babel import lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from ..models import AccessLevel, Channel, Classification, ComplaintStatus

ACCESS_LEVELS = {
    AccessLevel.ADMIN: _l("Admin"),
    AccessLevel.STAFF: _l("Staf"),
    AccessLevel.RECORDS_OFFICER: _l("Petugas arsip"),
    AccessLevel.AUDITOR: _l("Auditor"),
}

CHANNELS = {
    Channel.FACEBOOK: "Facebook",
    Channel.X: "X (Twitter)",
    Channel.INSTAGRAM: "Instagram",
    Channel.YOUTUBE: "YouTube",
    Channel.WHATSAPP: "WhatsApp",
    Channel.SMS: "SMS",
    Channel.PHONE: _l("Telepon"),
    Channel.EMAIL: _l("Surel"),
    Channel.WEBSITE: _l("Situs web"),
    Channel.LAPOR: "SP4N-LAPOR!",
    Channel.WALK_IN: _l("Datang langsung"),
}

CLASSIFICATIONS = {
    Classification.ASPIRATION: _l("Aspirasi"),
    Classification.COMPLAINT: _l("Pengaduan"),
    Classification.INFORMATION_REQUEST: _l("Permintaan informasi"),
}

STATUSES = {
    ComplaintStatus.NEW: _l("Baru"),
    ComplaintStatus.IN_PROGRESS: _l("Diproses"),
    ComplaintStatus.CLOSED: _l("Selesai"),
}


def choices(labels: dict) -> list[SelectChoice]:
    """Options of a WTForms select field."""
    return [SelectChoice(member.value, label) for member, label in labels.items()]


def options(labels: dict) -> list[tuple[str, object]]:
    """(value, label) pairs for a Flask-Admin filter."""
    return [(member.value, label) for member, label in labels.items()]


def select(labels: dict, **kwargs) -> dict:
    """`form_args` for a column shown as a plain select of `labels`
    (Flask-Admin's `form_choices` field cannot take `SelectChoice`)."""
    return {"choices": choices(labels), **kwargs}


def label_of(labels: dict):
    """A column formatter showing an enum value by its label."""

    def format_value(view, context, model, name):
        value = getattr(model, name)
        return "" if value is None else str(labels.get(value, value))

    return format_value
