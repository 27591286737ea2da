"""Reading the audit log for people: a record's history as readable diffs.

Kept apart from the view class so the queries and the diff can be tested
and reused (the user activity page, the dashboard status).
"""

import json
from dataclasses import dataclass

import sqlalchemy as sa
from flask_admin.model.helpers import prettify_name
from flask_babel import lazy_gettext as _l

from .. import audit
from ..complaints import IDENTITY_FIELDS
from ..extensions import db
from ..models import AccessLevel, AuditEntry
from . import labels

#: How far back the dashboard re-checks the chain on each visit; the full
#: check is one click (or `flask audit verify`).
DASHBOARD_TAIL = 5000
OPERATION_LABELS = {"insert": "dibuat", "update": "diubah", "delete": "dihapus",
                    "event": "peristiwa"}
#: What auditors see instead of a reporter's identity.
IDENTITY_MASK = "••• (rahasia)"


#: Columns that no view labels, as every table names them.
COMMON_LABELS = {
    "created_at": _l("Dibuat pada"),
    "updated_at": _l("Diubah pada"),
    "tracking_code_hash": _l("Kode lacak (tersandi)"),
}
#: Stored enum values shown by their screen labels.
VALUE_LABELS = {
    ("complaints", "channel"): labels.CHANNELS,
    ("complaints", "classification"): labels.CLASSIFICATIONS,
    ("complaints", "status"): labels.STATUSES,
    ("replies", "channel"): labels.CHANNELS,
    ("users", "access_level"): labels.ACCESS_LEVELS,
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


def office_scope(query, user):
    """Only the user's office's entries, unless superadmin."""
    if user.is_superadmin:
        return query
    return query.where(AuditEntry.office_id == user.office_id)


def record_history(table: str, key: str, user, limit: int = 2000) -> list[AuditEntry]:
    """A record's entries and its child rows' entries, oldest first."""
    query = sa.select(AuditEntry).where(sa.or_(
        sa.and_(AuditEntry.table_name == table, AuditEntry.row_key == key),
        sa.and_(AuditEntry.parent_table == table, AuditEntry.parent_key == key),
    ))
    query = office_scope(query, user).order_by(AuditEntry.at, AuditEntry.id)
    return list(db.session.scalars(query.limit(limit)))


def user_activity(user_id: int, viewer, limit: int = 500) -> list[AuditEntry]:
    query = sa.select(AuditEntry).where(AuditEntry.actor_id == user_id)
    query = office_scope(query, viewer).order_by(AuditEntry.id.desc())
    return list(db.session.scalars(query.limit(limit)))


def _labels_for(admin, table: str):
    """The field labels of the view showing `table`; `office_id` takes the
    label of `office`, and common columns have their own."""
    view_label, known = prettify_name, {}
    for view in getattr(admin, "_views", []):
        model = getattr(view, "model", None)
        if model is not None and getattr(model, "__tablename__", None) == table:
            view_label, known = view.get_column_name, view.column_labels or {}
            break

    def label(field: str) -> str:
        if field in COMMON_LABELS:
            return COMMON_LABELS[field]
        if field.endswith("_id") and field[:-3] in known:
            return view_label(field[:-3])
        return view_label(field)

    return label


def _show(value, table: str = "", field: str = "") -> str:
    if value is None:
        return "—"
    column = db.metadata.tables.get(table)
    column = column.columns.get(field) if column is not None else None
    if isinstance(value, bool) or (
            column is not None and isinstance(column.type, sa.Boolean)
            and value in (0, 1)):
        return "ya" if value else "tidak"
    if (table, field) in VALUE_LABELS:
        return str(VALUE_LABELS[table, field].get(value, value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _sees_identity(viewer, entry: AuditEntry) -> bool:
    return viewer.is_superadmin or (
        viewer.access_level == AccessLevel.ADMIN and viewer.office_id == entry.office_id
    )


def values(entry: AuditEntry, viewer) -> tuple[dict, dict]:
    """Old and new values as the viewer may see them.

    A reporter's identity is for the office's admins only. The log cannot
    tell whether a complaint was confidential when each entry was written, so
    other readers (auditors) see every complaint entry's identity masked:
    that the name changed, not what it was.
    """
    old = json.loads(entry.old_values) if entry.old_values else {}
    new = json.loads(entry.new_values) if entry.new_values else {}
    if entry.table_name == "complaints" and not _sees_identity(viewer, entry):
        for side in (old, new):
            for name in IDENTITY_FIELDS:
                if side.get(name):
                    side[name] = IDENTITY_MASK
    return old, new


def shown_json(entry: AuditEntry, viewer, which: str) -> str:
    """`old_values` or `new_values` as JSON text, masked for the viewer."""
    old, new = values(entry, viewer)
    side = old if which == "old_values" else new
    if not side and getattr(entry, which) is None:
        return ""
    return json.dumps(side, ensure_ascii=False, sort_keys=True)


def changes(entry: AuditEntry, admin, viewer) -> list[Change]:
    """Field label, before and after, for each column the entry records."""
    old, new = values(entry, viewer)
    label = _labels_for(admin, entry.table_name)
    fields = list(dict.fromkeys([*old, *new]))
    table = entry.table_name
    return [Change(f, str(label(f)),
                   _show(old.get(f), table, f) if f in old else "",
                   _show(new.get(f), table, f) if f in new else "")
            for f in fields]


def chain_status(tail: int | None = DASHBOARD_TAIL) -> audit.VerifyResult:
    """Verify the last `tail` entries (None: all), for the dashboard."""
    engine = db.engine
    head = db.session.scalar(sa.select(sa.func.max(AuditEntry.seq))) or 0
    start = 1 if tail is None else max(1, head - tail + 1)
    return audit.verify(engine, from_seq=start)
