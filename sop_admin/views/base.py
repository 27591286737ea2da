"""The one base class every model view of the panel uses for access control.

Hiding a menu entry is not access control: each request is checked here
against the user's access level, and every query is scoped to the user's
office in `get_query`, `get_count_query` and `get_one`, so typing another
office's id into a URL gives 404 and a forbidden create/edit/delete/action/
export gives 403 (never a silent redirect).

Subclasses say who may do what with the `*_levels` class attributes, not
with Flask-Admin's `can_*` flags (those are computed from the levels here):

- a set of `AccessLevel`s: users at those levels may, superadmins always may;
- an empty set: only superadmins may;
- `None`: nobody may (the feature is off for this view).

CSRF: Flask-WTF's `CSRFProtect` checks every POST; Flask-Admin 2.2's
templates put the `csrf_token()` global into the create/edit forms, the
list-row delete form and the action form, so no form base class is needed.
"""

import logging
from collections import OrderedDict

from flask import abort, flash, has_request_context, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import ActionsMixin, action
from flask_admin.babel import lazy_gettext as admin_gettext
from flask_admin.contrib.sqla import ModelView
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, OperationalError
from wtforms import ValidationError

from ..errors import (
    DatabaseTrouble,
    SopAdminError,
    database_trouble,
    trouble_message,
)
from ..extensions import db
from ..models import AccessLevel, Complaint
from .audit_hooks import record_export
from .compat import yield_wtforms_choices

yield_wtforms_choices()
log = logging.getLogger(__name__)

ALL_LEVELS = frozenset(AccessLevel)
READERS = frozenset(
    {AccessLevel.ADMIN, AccessLevel.RECORDS_OFFICER, AccessLevel.AUDITOR}
)
ADMINS = frozenset({AccessLevel.ADMIN})
#: Who registers and handles complaints; records officers and auditors never write.
WRITERS = frozenset({AccessLevel.ADMIN, AccessLevel.STAFF})

#: Flask-Admin view functions and the permission each needs.
VIEW_PERMISSIONS = {
    "index_view": "read",
    "details_view": "read",
    "export": "export",
    "create_view": "create",
    "edit_view": "edit",
    "ajax_update": "edit",
    "ajax_lookup": "edit",
    "delete_view": "delete",
    "action_view": "read",  # the action itself is checked in handle_action
}

#: A cell starting with one of these is a formula to a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Prefix a quote so spreadsheets show the text instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def int_ids(ids) -> list[int]:
    """Row ids posted by the list's checkboxes, ignoring anything not a number."""
    return [int(i) for i in ids if str(i).isdigit()]


def allowed(levels, user=None) -> bool:
    """Whether `user` (default: the current user) passes a `*_levels` setting."""
    user = user if user is not None else current_user
    if levels is None or not user.is_authenticated:
        return False
    return user.is_superadmin or user.access_level in levels


def complaint_or_404(complaint_id: int, levels=ALL_LEVELS):
    """The complaint if it is in the user's office (superadmins: any); else 404.
    Then 403 unless the user's level is in `levels` (the office comes first,
    so another office's id is 404 for every level: it gives nothing away).

    For pages that are not model views (Proses, prints, replies) but must scope
    a complaint id from the URL as the views' queries do; the POSTs that change
    a complaint pass WRITERS."""
    query = select(Complaint).where(Complaint.id == complaint_id)
    if not current_user.is_superadmin:
        query = query.where(Complaint.office_id == current_user.office_id)
    complaint = db.session.scalar(query)
    if complaint is None:
        abort(404)
    if not allowed(levels):
        abort(403)
    return complaint


def refuse_duplicate(model, message: str, *columns: str) -> None:
    """Form error when another row of the model's table has the same `columns`.

    Checked before the flush so the user gets the message on the form rather
    than an integrity error; the unique constraints stay the last word.
    """
    cls = type(model)
    query = select(cls.id).where(
        cls.id != (model.id or 0),
        *(getattr(cls, name) == getattr(model, name) for name in columns),
    )
    with db.session.no_autoflush:
        if db.session.scalar(query.limit(1)):
            raise ValidationError(message)


class SecureModelView(ModelView):
    """Login required, office-scoped queries, permissions from `*_levels`."""

    read_levels = READERS
    create_levels = ADMINS
    edit_levels = ADMINS
    delete_levels = ADMINS
    export_levels = READERS
    #: Levels per action name; actions not listed need `edit_levels`
    #: ("delete" needs `delete_levels`).
    action_levels: dict = {}
    #: The column holding the record's office; None scopes by the model's id
    #: (the Office view itself).
    office_column: str | None = "office_id"
    #: Refuse list pages deeper than this (OFFSET scans); None: no cap.
    max_page: int | None = None
    #: List columns (and filter groups of the same label) that only
    #: superadmins see, such as "office": everyone else sees one office.
    superadmin_columns: tuple[str, ...] = ()

    can_view_details = True
    export_types = ["csv", "xlsx"]
    details_template = "admin/record_details.html"

    def __init__(self, model, name=None, category=None, endpoint=None, **kw):
        super().__init__(model, db, name=name, category=category,
                         endpoint=endpoint, **kw)

    # -- permissions ---------------------------------------------------------

    def may(self, permission: str) -> bool:
        levels = getattr(self, f"{permission}_levels")
        if not has_request_context():  # class set-up: is the feature on at all?
            return levels is not None
        return allowed(levels)

    @property
    def can_create(self):
        return self.may("create")

    @property
    def can_edit(self):
        return self.may("edit")

    @property
    def can_delete(self):
        return self.may("delete")

    @property
    def can_export(self):
        return self.may("export")

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and self.may("read")

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(403)

    def _handle_view(self, name, **kwargs):
        response = super()._handle_view(name, **kwargs)
        if response is not None:
            return response
        permission = VIEW_PERMISSIONS.get(name, "read")
        if not self.may(permission):
            abort(403)
        return None

    def action_permission(self, name: str):
        if name in self.action_levels:
            return self.action_levels[name]
        return self.delete_levels if name == "delete" else self.edit_levels

    def is_action_allowed(self, name: str) -> bool:
        if name in self.action_disallowed_list:
            return False
        levels = self.action_permission(name)
        return levels is not None if not has_request_context() else allowed(levels)

    def handle_action(self, return_view=None):
        name = request.form.get("action", "")
        if name not in self._actions_data or not self.is_action_allowed(name):
            abort(403)
        return ActionsMixin.handle_action(self, return_view)

    def _hide_from_office_users(self) -> bool:
        return (has_request_context() and current_user.is_authenticated
                and not current_user.is_superadmin)

    @property
    def _list_columns(self):
        columns = self.__dict__.get("_all_list_columns", [])
        if self.superadmin_columns and self._hide_from_office_users():
            return [c for c in columns if c[0] not in self.superadmin_columns]
        return columns

    @_list_columns.setter
    def _list_columns(self, columns):
        self.__dict__["_all_list_columns"] = columns

    def _get_filter_groups(self):
        if not (self._filter_groups and self.superadmin_columns
                and self._hide_from_office_users()):
            return super()._get_filter_groups()
        hidden = {str(self.column_labels.get(c, c)) for c in self.superadmin_columns}
        return OrderedDict(group.non_lazy() for group in self._filter_groups.values()
                           if str(group.label) not in hidden)

    @action("delete", admin_gettext("Delete"),
            admin_gettext("Are you sure you want to delete selected records?"))
    def action_delete(self, ids):
        """Flask-Admin's mass delete (through `get_query`, so office-scoped,
        one `delete_model` per row), with row ids as integers: PostgreSQL
        refuses comparing an integer key with the strings a form sends."""
        return super().action_delete(int_ids(ids))

    # -- office scoping ------------------------------------------------------

    def office_filter(self):
        """The WHERE clause limiting rows to the user's office, or None."""
        if current_user.is_superadmin:
            return None
        column = getattr(self.model, self.office_column or "id")
        return column == current_user.office_id

    def _scoped(self, query):
        clause = self.office_filter()
        return query if clause is None else query.filter(clause)

    def get_query(self):
        return self._scoped(super().get_query())

    def get_count_query(self):
        return self._scoped(
            db.session.query(func.count("*")).select_from(self.model)
        )

    def get_one(self, id):
        """The record if it is in the user's office; otherwise 404."""
        try:
            pk = int(id)
        except (TypeError, ValueError):
            abort(404)
        record = self.get_query().filter(self.model.id == pk).one_or_none()
        if record is None:
            abort(404)
        return record

    def get_list(self, page, sort_column, sort_desc, search, filters,
                 execute=True, page_size=None):
        if self.max_page is not None and page and page >= self.max_page:
            flash(_("Halaman terlalu jauh: persempit dengan pencarian atau "
                    "filter."), "warning")
            page = self.max_page - 1
        return super().get_list(page, sort_column, sort_desc, search, filters,
                                execute=execute, page_size=page_size)

    # -- forms ---------------------------------------------------------------

    def create_form(self, obj=None):
        return self.restrict_form(super().create_form(obj))

    def edit_form(self, obj=None):
        return self.restrict_form(super().edit_form(obj))

    def restrict_form(self, form):
        """Drop the office field for non-superadmins; offer only own-office
        records in relation dropdowns (their validation then refuses others)."""
        if current_user.is_superadmin:
            return form
        if "office" in form:
            del form["office"]
        for field in form:
            target = getattr(field, "query_factory", None)
            model = _related_model(self.model, field.short_name)
            if target is not None and model is not None and hasattr(
                model, "office_id"
            ):
                field.query = db.session.query(model).filter(
                    model.office_id == current_user.office_id
                )
        return form

    def on_model_change(self, form, model, is_created):
        """Pin the record to the user's office, then run `apply_service`."""
        if self.office_column and not current_user.is_superadmin:
            setattr(model, self.office_column, current_user.office_id)
        try:
            self.apply_service(form, model, is_created)
        except SopAdminError as exc:
            raise ValidationError(str(exc)) from exc

    def apply_service(self, form, model, is_created) -> None:
        """Subclasses call their service here; a SopAdminError is shown to the
        user as a form error and the transaction is rolled back."""

    def handle_view_exception(self, exc):
        if isinstance(exc, SopAdminError):
            flash(str(exc), "error")
            return True
        trouble = database_trouble(exc) if isinstance(exc, DBAPIError) else None
        if trouble is DatabaseTrouble.UNAVAILABLE:
            # A database that is down cannot show the form again: the app's
            # database error page says so (errors.py).
            raise exc
        if trouble is not None or isinstance(exc, OperationalError):
            # Full or read-only: the form is shown again with what was typed
            # and what is wrong, not the SQL.
            log.error("database write failed: %s", exc.orig)
            flash(trouble_message(trouble), "error")
            return True
        return super().handle_view_exception(exc)

    # -- export --------------------------------------------------------------

    @expose("/export/<export_type>/")
    def export(self, export_type):
        """Exports are accountable: an audit event names who, what and the filter."""
        if self.can_export and export_type in self.export_types:
            record_export(self, export_type)
        return super().export(export_type)

    def get_export_value(self, model, name):
        return neutralise_formula(super().get_export_value(model, name))


def _related_model(model, attr: str):
    relationship = model.__mapper__.relationships.get(attr)
    return relationship.mapper.class_ if relationship is not None else None
