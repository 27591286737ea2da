"""Optimistic locking for edit forms: the second of two editors is told, not lost.

The edit form carries, in a hidden `updated_at` field, the record's
`updated_at` as it was when the form was opened. On save, `claim` runs one
conditional no-op UPDATE (`SET updated_at = updated_at WHERE id = ? AND
updated_at = <seen>`) in the saving transaction: it takes the row's write
lock (PostgreSQL row lock, SQLite database lock) and matches nothing if
someone saved in between, so of two concurrent saves the later one waits,
then finds the stamp changed and is refused. The no-op changes no column,
so the audit triggers write nothing for it. No version column is needed:
every ORM update moves `updated_at` (`onupdate`).
"""

from datetime import datetime

from sqlalchemy import update
from wtforms import HiddenField

from ..extensions import db


class StampField(HiddenField):
    """`updated_at` as loaded: filled from the record, never written back."""

    def _value(self):
        return self.data.isoformat() if isinstance(self.data, datetime) else (
            self.data or "")

    def process_formdata(self, valuelist):
        try:
            self.data = datetime.fromisoformat(valuelist[0]) if valuelist else None
        except ValueError:
            self.data = None

    def populate_obj(self, obj, name):
        pass


def with_stamp(form_class):
    """The form class with the hidden stamp added (named like the column,
    so WTForms fills it from the record when the form is opened)."""
    return type(form_class.__name__, (form_class,), {"updated_at": StampField()})


def claim(model, form) -> bool:
    """Lock the record's row; False when it changed since the form was loaded.

    A form without a stamp (a client that does not send it) is not checked.
    """
    seen = form.updated_at.data if "updated_at" in form else None
    if not isinstance(seen, datetime) or seen.tzinfo is None:
        return True
    cls = type(model)
    statement = (update(cls).where(cls.id == model.id, cls.updated_at == seen)
                 .values(updated_at=cls.updated_at)
                 .execution_options(synchronize_session=False))
    with db.session.no_autoflush:
        return db.session.execute(statement).rowcount == 1
