"""Every panel route that is not a model view's list/detail/edit/delete/export,
walked per access level with the user's own office's ids and another office's.

The routes come from `app.url_map` (every route of an Admin view whose view
function is not one of Flask-Admin's standard model-view functions, and every
route of the other BaseViews) and the actions from each model view's
`_actions_data`; POLICY below states what each level may do with each. A
route or action merged later without a line in POLICY fails the walk, as
does a line whose route is gone.

For each level × route × method × {own office's record, another office's
record by id}:

- a level the route is for gets the documented answer (200, or the redirect
  the page gives after a POST; a PDF for the prints);
- a level the route is not for gets 403 (or 404 when the record's office is
  checked first: another office's id gives nothing away either way);
- another office's id is 404 for everyone but superadmins;
- nothing refused writes anything (the audit entries and the handled rows
  are counted before and after), and a refused print never carries a PDF.
"""

import base64
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from flask_admin.contrib.sqla import ModelView

from sop_admin.models import (
    AccessLevel,
    ApiToken,
    AuditEntry,
    ClosureDay,
    Complaint,
    ComplaintStatus,
    ComplaintStep,
    Disposition,
    Evidence,
    NoticeTemplate,
    OutboxMessage,
    Reply,
    Role,
    SopVersion,
    User,
)
from sop_admin.workflow import start

from .seed import records_of, seed_office

A, S, R, U = (AccessLevel.ADMIN, AccessLevel.STAFF, AccessLevel.RECORDS_OFFICER,
              AccessLevel.AUDITOR)
SUPERADMIN = "superadmin"
LEVELS = [A, S, R, U, SUPERADMIN]
EVERYONE = frozenset({A, S, R, U})
WRITERS = frozenset({A, S})
ADMINS = frozenset({A})
AUDITORS = frozenset({A, U})
SUPERADMINS = frozenset()  # a superadmin passes every set, the empty one too
NOBODY = None  # the feature is off: refused to superadmins as well
UNSTATED = "unstated"  # the route has no such method (checked against the app)

#: Flask-Admin's own model-view functions: tests/security/test_route_walk.py
#: walks them per level; everything else on an Admin view is walked here.
MODEL_VIEW_FUNCTIONS = {"index_view", "details_view", "create_view", "edit_view",
                        "delete_view", "export", "ajax_lookup", "ajax_update",
                        "action_view"}


@dataclass(frozen=True)
class Route:
    """Who may read (GET) and who may act (POST) on one route.

    `path` and the `form` values name the record they take in braces
    ({complaint}, {evidence}, {sop}, {office}, {user}); the walk fills them with
    the own office's ids, then the other office's. A route without a brace
    takes no record: it is walked with the own office only.
    """

    read: frozenset | None | str = UNSTATED
    act: frozenset | None | str = UNSTATED
    path: str = ""
    form: dict = field(default_factory=dict)
    #: What a level the route is for gets (GET, POST).
    ok: tuple[int, int] = (200, 302)
    pdf: bool = False
    #: What another office's id gets from a level that may use the route.
    other: int = 404
    #: Deletes its own office's record: only the refusals are walked here
    #: (deleting is tests/views' business), so the world stays whole.
    destructive: bool = False


def action(levels, destructive: bool = False) -> Route:
    """A list action (ticked rows posted to the view's /action/). Rows of
    another office are dropped by the office-scoped query the action runs on:
    the answer is the usual redirect and nothing changes."""
    return Route(act=levels, other=302, destructive=destructive)


MONTHLY = {"office": "{office}", "sop": "{sop}", "kind": "monthly", "month": "2026-11"}

#: THE ACCESS POLICY of the custom pages, per route; README "Access levels".
#: read = who may open it (GET), act = who may post to it. Superadmins may
#: everything a non-NOBODY entry allows, in every office; all others see
#: their own office only.
POLICY = {
    # Dashboard: each level sees its office's figures; ?office= of another
    # office is 404 (superadmins pick any office).
    "admin.index": Route(read=EVERYONE, path="/admin/?office={office}"),
    # Proses: everyone of the office reads how a complaint is handled;
    # records officers and auditors never write. Staff act only on steps of
    # their jabatan: the service refuses the others with a message and writes
    # nothing (test_staff_act_only_on_steps_of_their_roles below).
    "process.index": Route(read=EVERYONE, path="/admin/proses/", ok=(302, 302)),
    "process.show": Route(read=EVERYONE, path="/admin/proses/{complaint}"),
    "process.start": Route(act=WRITERS, path="/admin/proses/{complaint}/start"),
    "process.act": Route(act=WRITERS, path="/admin/proses/{complaint}/act",
                         form={"expected_step": "1", "note": "selesai"}),
    "process.forward": Route(act=WRITERS, path="/admin/proses/{complaint}/forward",
                             form={"target": "unit", "unit": "Dinas PU",
                                   "phone": "081234567890", "message": "mohon"}),
    "process.reopen": Route(act=WRITERS, path="/admin/proses/{complaint}/reopen",
                            form={"reason": "pelapor keberatan"}),
    # Laporan and the Cetak buttons: every level prints its own office's
    # reports and complaint sheets (records officers file them, auditors read
    # them, staff hand the reporter the form). Printing only reads; the print
    # itself is an audit event.
    "report.index": Route(read=EVERYONE, path="/admin/laporan/"),
    "report.print_view": Route(act=EVERYONE, path="/admin/laporan/cetak",
                               form=MONTHLY, ok=(200, 200), pdf=True),
    "report.complaint_form": Route(
        read=EVERYONE, act=EVERYONE, ok=(200, 200), pdf=True,
        path="/admin/laporan/pengaduan/{complaint}/formulir"),
    "report.complaint_history": Route(
        read=EVERYONE, pdf=True, path="/admin/laporan/pengaduan/{complaint}/riwayat"),
    "report.blank_form": Route(read=EVERYONE, pdf=True,
                               path="/admin/laporan/pengaduan/formulir-kosong"),
    # SOP document: everyone of the office reads its SOPs and may print them.
    "sopversion.print_view": Route(read=EVERYONE, pdf=True,
                                   path="/admin/sopversion/print/{sop}"),
    # Revising, activating and retiring an SOP: the office's admins only.
    "sopversion.revise_view": Route(act=ADMINS, path="/admin/sopversion/revise/{sop}",
                                    form={"reason": "perubahan jabatan"}),
    "sopversion.activate_view": Route(act=ADMINS,
                                      path="/admin/sopversion/activate/{sop}"),
    "sopversion.retire_view": Route(act=ADMINS, path="/admin/sopversion/retire/{sop}"),
    # Complaint pages beside the model view: evidence is part of the
    # complaint (everyone of the office reads it); import registers
    # complaints and a new tracking code changes one: staff and admins.
    "complaint.evidence_view": Route(read=EVERYONE,
                                     path="/admin/complaint/evidence/?id={evidence}"),
    "complaint.import_view": Route(read=WRITERS, act=WRITERS, ok=(200, 200),
                                   path="/admin/complaint/import/"),
    "complaint.reissue_tracking_code": Route(
        act=WRITERS, path="/admin/complaint/tracking-code/",
        form={"id": "{complaint}", "reason": "kode hilang"}),
    # Office logo: shown on the office's settings page, which readers open.
    "office.logo_view": Route(read=frozenset({A, R, U}),
                              path="/admin/office/logo/?id={office}"),
    # The audit trail: admins and auditors (README: the auditor reads it,
    # records officers read records, not the trail). A record or user of
    # another office is 404. Verifying the chain only reads.
    "audit.history": Route(read=AUDITORS,
                           path="/admin/audit/history/complaints/{complaint}"),
    "audit.activity": Route(read=AUDITORS, path="/admin/audit/activity/{user}"),
    "audit.verify": Route(read=AUDITORS, path="/admin/audit/verify"),
    # List actions. Users, API tokens, the outbox: the office's admins.
    "user.action:activate": action(ADMINS),
    "user.action:deactivate": action(ADMINS),
    "api_token.action:revoke": action(ADMINS),
    "outbox.action:retry": action(ADMINS),
    # Deleting by action follows the view's delete permission: complaints and
    # replies admins only (staff correct, never delete), settings admins
    # only; users, tokens, SOP versions, offices, mail and the audit trail
    # are never deleted, not even by a superadmin.
    "complaint.action:delete": action(ADMINS, destructive=True),
    "reply.action:delete": action(ADMINS, destructive=True),
    "role.action:delete": action(ADMINS, destructive=True),
    "closure_day.action:delete": action(ADMINS, destructive=True),
    "notice_template.action:delete": action(ADMINS, destructive=True),
    "user.action:delete": action(NOBODY),
    "api_token.action:delete": action(NOBODY),
    "sopversion.action:delete": action(NOBODY),
    "office.action:delete": action(NOBODY),
    "outbox.action:delete": action(NOBODY),
    "audit.action:delete": action(NOBODY),
}

#: A 1×1 PNG, for the office logo route (it serves stored bytes only).
LOGO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


def _admin_views(app):
    return {view.endpoint: view for view in app.extensions["admin"][0]._views}


def walked_routes(app) -> dict[str, tuple[set[str], object]]:
    """Custom route or action name -> (its methods, its view), from the app."""
    views = _admin_views(app)
    found = {}
    for rule in app.url_map.iter_rules():
        owner, _, function = rule.endpoint.partition(".")
        view = views.get(owner)
        if view is None or rule.endpoint == "admin.static":
            continue
        if isinstance(view, ModelView) and function in MODEL_VIEW_FUNCTIONS:
            continue
        found[rule.endpoint] = (set(rule.methods) - {"HEAD", "OPTIONS"}, view)
    for view in views.values():
        if isinstance(view, ModelView):
            for name in view._actions_data:
                found[f"{view.endpoint}.action:{name}"] = ({"POST"}, view)
    return found


def test_policy_states_every_custom_route_and_nothing_else(app):
    found = walked_routes(app)
    missing = sorted(set(found) - set(POLICY))
    assert not missing, f"no expectation in POLICY for {missing}: add a line"
    stale = sorted(set(POLICY) - set(found))
    assert not stale, f"POLICY names routes the app no longer has: {stale}"
    for name, (methods, _) in found.items():
        # Every method the route answers has an expectation, and no
        # expectation is stated for a method it does not answer.
        route = POLICY[name]
        assert ("GET" in methods) == (route.read != UNSTATED), (name, methods)
        assert ("POST" in methods) == (route.act != UNSTATED), (name, methods)


def _may(levels, level) -> bool:
    if levels is NOBODY:
        return False
    return level == SUPERADMIN or level in levels


@pytest.fixture
def world(make, db):
    own, other = make.office(code="OWN", logo=LOGO, logo_mimetype="image/png"), \
        make.office(code="OTH", logo=LOGO, logo_mimetype="image/png")
    seed_office(make, own)
    seed_office(make, other)
    db.session.commit()
    return own, other


def _ids(office) -> dict[str, int]:
    complaint = records_of(Complaint, office)
    return {"complaint": complaint.id, "evidence": records_of(Evidence, office).id,
            "sop": complaint.sop_version_id, "office": office.id,
            "user": records_of(User, office).id}


def _fill(route: Route, office, view, name: str) -> tuple[str, dict, bool]:
    """URL and form with `office`'s ids, and whether the route takes a record."""
    if ".action:" in name:
        row = records_of(view.model, office).id
        return (f"{view.url}/action/",
                {"action": name.partition(":")[2], "rowid": str(row)}, True)
    ids = _ids(office)
    takes = "{" in route.path or any("{" in v for v in route.form.values())
    return (route.path.format(**ids),
            {k: v.format(**ids) for k, v in route.form.items()}, takes)


#: What the custom POSTs and actions change: rows counted per table (the
#: audit trail first: every write leaves an entry), and the changed columns.
COUNTED = (AuditEntry, Complaint, ComplaintStep, Disposition, Evidence, SopVersion,
           Reply, Role, ClosureDay, NoticeTemplate)
WATCHED = {Complaint: ("status", "current_step_number", "tracking_code_hash"),
           SopVersion: ("status",), User: ("active",), ApiToken: ("revoked_at",),
           OutboxMessage: ("status", "attempts")}


def _state(db) -> tuple:
    """What is committed, read on a connection of its own (outside the
    test's session): the row counts and the watched columns of every row."""
    with db.engine.connect() as connection:
        counts = tuple(connection.scalar(sa.select(sa.func.count()).select_from(m))
                       for m in COUNTED)
        rows = tuple(tuple(connection.execute(
            sa.select(model.id, *(getattr(model, c) for c in columns))
            .order_by(model.id))) for model, columns in WATCHED.items())
    return counts, rows


def _is_pdf(response) -> bool:
    return (response.mimetype == "application/pdf"
            or response.get_data()[:5] == b"%PDF-")


def _user(make, db, office, level):
    if level == SUPERADMIN:
        user = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    else:
        user = make.user(office, level)
    db.session.commit()
    return user


def _order(name: str) -> tuple:
    """Destructive actions last, so the rest is walked on a whole world."""
    return (POLICY[name].destructive, name)


@pytest.mark.parametrize("level", LEVELS, ids=str)
def test_custom_pages_follow_the_policy(level, app, world, make, db, login_as):
    own, other = world
    client = login_as(_user(make, db, own, level))
    superadmin = level == SUPERADMIN
    found = walked_routes(app)
    checks = 0
    for name in sorted(found, key=_order):
        methods, view = found[name]
        route = POLICY[name]
        for method in sorted(methods):
            levels = route.read if method == "GET" else route.act
            for whose, office in (("own", own), ("other", other)):
                url, form, takes = _fill(route, office, view, name)
                if whose == "other" and not takes:
                    continue  # the route takes no record: nothing to guess
                may = _may(levels, level)
                label = f"{method} {url} {form} as {level}, {whose} office"
                if may and (whose == "own" or superadmin) and route.destructive:
                    continue
                before = _state(db)
                response = client.open(url, method=method, data=form)
                checks += 1
                status = response.status_code
                if may and (whose == "own" or superadmin):
                    expected = route.ok[0] if method == "GET" else route.ok[1]
                    assert status == expected, (label, status)
                    if route.pdf:
                        assert response.mimetype == "application/pdf", label
                        assert response.get_data()[:5] == b"%PDF-", label
                    continue
                if may:  # another office's record
                    assert status == route.other, (label, status)
                else:
                    assert status in ({403} if whose == "own" else {403, 404}), (
                        label, status)
                assert not _is_pdf(response), label
                assert _state(db) == before, f"{label} changed the database"
    assert checks > len(POLICY), checks


def _handled_complaint(make, db, office):
    """An in-progress complaint of `office` waiting in step 1 of its SOP."""
    version = make.sop(office, number=f"{office.code}-H", status="active",
                       lanes=("Masyarakat", "Kasie Pengaduan"))
    complaint = make.complaint(office, sop_version=version)
    admin = make.user(office, AccessLevel.ADMIN)
    start(complaint, actor=admin, now=complaint.received_at)
    db.session.commit()
    return complaint, version


def test_staff_act_only_on_steps_of_their_roles(make, db, login_as):
    """Staff of the office without the step's jabatan are refused with a
    message and nothing moves; the jabatan's holder moves the complaint."""
    office = make.office()
    complaint, version = _handled_complaint(make, db, office)
    outsider = make.user(office, AccessLevel.STAFF)
    holder = make.user(office, AccessLevel.STAFF)
    holder.roles.append(version.step(1).lane.role)
    db.session.commit()
    url = f"/admin/proses/{complaint.id}"
    client = login_as(outsider)  # logging in is an audit event: before counting
    for path, form in (("act", {"expected_step": "1", "note": "selesai"}),
                       ("forward", {"target": "unit", "unit": "Dinas PU",
                                    "phone": "081234567890"})):
        before = _state(db)
        response = client.post(f"{url}/{path}", data=form)
        assert response.status_code == 302
        assert _state(db) == before, path
    client = login_as(holder)
    before = _state(db)
    assert client.post(f"{url}/act", data={
        "expected_step": "1", "note": "selesai"}).status_code == 302
    assert _state(db) != before
    db.session.expire_all()
    assert db.session.get(Complaint, complaint.id).current_step_number == 2
    assert db.session.get(Complaint, complaint.id).status == \
        ComplaintStatus.IN_PROGRESS


def test_read_only_levels_cannot_move_a_complaint_they_may_read(make, db, login_as):
    """The Proses POSTs on a complaint in every state are 403 to records
    officers and auditors, with nothing written: the forms are hidden from
    them, and a hand-made post is refused before any service runs."""
    office = make.office()
    complaint, _ = _handled_complaint(make, db, office)
    fresh = make.complaint(office, sop_version=complaint.sop_version)
    db.session.commit()
    for level in (R, U):
        client = login_as(make.user(office, level))
        db.session.commit()
        for target, path in ((fresh, "start"), (complaint, "act"),
                             (complaint, "forward"), (complaint, "reopen")):
            before = _state(db)
            response = client.post(f"/admin/proses/{target.id}/{path}", data={
                "expected_step": "1", "target": "unit", "unit": "Dinas PU",
                "phone": "081234567890", "reason": "keberatan"})
            assert response.status_code == 403, (level, path)
            assert _state(db) == before, (level, path)
    db.session.expire_all()
    assert db.session.get(Complaint, fresh.id).status == ComplaintStatus.NEW
