"""A fix for Flask-Admin 2.2.1 under WTForms 3.3.

Flask-Admin's select fields (relation dropdowns, Select2Field) yield raw
4-tuples from `iter_choices`; WTForms 3.3 deprecates that, and with
`filterwarnings = error` every form with a relation dropdown fails. The
tuples are built by one helper, looked up by name at call time, so pointing
that name at a function returning WTForms' `Choice` fixes all of them.
"""

from flask_admin.contrib.sqla import fields as sqla_fields
from flask_admin.form import fields as admin_fields
from wtforms.fields.choices import Choice


def _choice(value, label, selected) -> Choice:
    return Choice(value, label, selected, {})


def yield_wtforms_choices() -> None:
    sqla_fields._iter_choices_wtforms_compat = _choice
    admin_fields._iter_choices_wtforms_compat = _choice
