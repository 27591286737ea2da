"""An office's own wording of its notices (one per kind; none = the default).

Subject and bodies left empty on creation start from the Indonesian
default, so an admin edits rather than writes from nothing. Every template
is checked when saved (`notices.templates.check`): a syntax error or an
unknown placeholder is a form error naming the part, never a failed mail.
"""

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..models import NoticeKind
from ..notices.templates import DEFAULTS, PLACEHOLDERS, Wording, check
from .base import ADMINS, SecureModelView, refuse_duplicate
from .outbox import KINDS


def _placeholder_help() -> Markup:
    rows = Markup("").join(
        Markup("<li><strong>{}</strong>: {}</li>").format(
            KINDS[kind], ", ".join("{{ " + name + " }}" for name in names))
        for kind, names in PLACEHOLDERS.items())
    return Markup("{}<ul>{}</ul>").format(
        _l("Kosongkan untuk memulai dari teks bawaan. Isian yang tersedia:"), rows)


class NoticeTemplateView(SecureModelView):
    read_levels = ADMINS
    create_levels = ADMINS
    edit_levels = ADMINS
    delete_levels = ADMINS  # deleting returns the office to the default wording
    export_levels = None

    column_list = ["kind", "subject", "office"]
    superadmin_columns = ("office",)
    column_details_list = ["office", "kind", "subject", "body_text", "body_html"]
    form_columns = ["office", "kind", "subject", "body_text", "body_html"]
    form_overrides = {"kind": SelectField, "body_text": TextAreaField,
                      "body_html": TextAreaField}
    form_args = {
        "kind": {"choices": [SelectChoice(k.value, label)
                             for k, label in KINDS.items()]},
        "subject": {"validators": [Optional()]},
        "body_text": {"validators": [Optional()], "render_kw": {"rows": 14}},
        "body_html": {"validators": [Optional()], "render_kw": {"rows": 14}},
    }
    column_formatters = {"kind": lambda v, c, m, n: str(KINDS.get(m.kind, m.kind))}
    column_labels = {
        "office": _l("Instansi"),
        "kind": _l("Jenis pemberitahuan"),
        "subject": _l("Subjek"),
        "body_text": _l("Isi teks"),
        "body_html": _l("Isi HTML"),
    }

    def restrict_form(self, form):
        form = super().restrict_form(form)
        form.body_text.description = _placeholder_help()
        return form

    def apply_service(self, form, model, is_created):
        model.kind = NoticeKind(model.kind)
        default = DEFAULTS[model.kind]
        model.subject = (model.subject or "").strip() or default.subject
        model.body_text = model.body_text or default.body_text
        if is_created and not model.body_html:
            model.body_html = default.body_html
        refuse_duplicate(model, str(_l("Instansi ini sudah punya templat untuk "
                                        "jenis pemberitahuan ini.")),
                         "office_id", "kind")
        check(model.kind, Wording(model.subject, model.body_text,
                                  model.body_html or ""))
