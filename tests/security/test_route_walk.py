"""Every route and every panel view, walked from the app itself.

Routes come from `app.url_map` and views from the Admin object, so a route
or view merged later is covered without editing this file (its model needs
rows in `seed.py`, which fails loudly otherwise).
"""

import pytest
from flask_admin.contrib.sqla import ModelView

from sop_admin.models import AccessLevel
from sop_admin.views.base import SecureModelView, allowed

from .seed import records_of, seed_office

#: Routes anyone may open without logging in, and why (endpoints, then paths:
#: the public pages' paths are fixed by the contracts, their endpoint names not).
PUBLIC = {
    "static",  # the panel's CSS, JS and images
    "admin.static",  # Flask-Admin's bundled Bootstrap and jQuery
    "auth.login",  # the login page itself
    "auth.home",  # "/" only redirects to the panel
    "i18n.set_language",  # stores the chosen language in the session
}
PUBLIC_PATHS = {
    "/api/v1/track",  # public tracking by register number + code, rate limited
    "/api/v1/openapi.json",  # the API description
}
PUBLIC_PREFIXES = ("/lacak",)  # the public status page (outside /admin anyway)
#: Anonymous answers that give nothing away: to the login page, or refused.
REFUSED = {302, 400, 401, 403, 405}
LEVELS = [AccessLevel.ADMIN, AccessLevel.STAFF, AccessLevel.RECORDS_OFFICER,
          AccessLevel.AUDITOR, "superadmin"]


def _url(rule) -> str:
    """The rule's path with a harmless value for each argument."""
    url = rule.rule
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        value = "1" if converter in ("IntegerConverter", "NumberConverter") else "x"
        url = url.replace(f"<{name}>", value)
        for prefix in ("int", "path", "string", "float"):
            url = url.replace(f"<{prefix}:{name}>", value)
    return url


def _guarded_rules(app):
    for rule in app.url_map.iter_rules():
        if (rule.endpoint in PUBLIC or rule.rule in PUBLIC_PATHS
                or rule.rule.startswith(PUBLIC_PREFIXES)):
            continue
        if rule.rule.startswith(("/admin", "/api")) or rule.endpoint.startswith(
                ("auth.", "i18n.")):
            yield rule


def test_anonymous_gets_nothing_from_any_guarded_route(app, client, make, db):
    office = make.office()
    seed_office(make, office)
    db.session.commit()
    walked = 0
    for rule in _guarded_rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_url(rule), method=method)
            walked += 1
            assert response.status_code in REFUSED, (method, rule.rule,
                                                      response.status_code)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login"), rule.rule
    assert walked > 20


def _new_url(view, record) -> str:
    """The create page; rows that belong to a complaint are added from it."""
    if hasattr(view.model, "complaint_id"):
        return f"{view.url}/new/?complaint_id={record.complaint_id}"
    return f"{view.url}/new/"


def _model_views(app):
    admin = app.extensions["admin"][0]
    return [v for v in admin._views if isinstance(v, ModelView)]


def test_every_model_view_is_a_secure_model_view(app):
    """Office scoping and levels live in SecureModelView; none may skip it."""
    views = _model_views(app)
    assert views
    assert [v.endpoint for v in views if not isinstance(v, SecureModelView)] == []


@pytest.fixture
def world(make, db):
    own, other = make.office(code="OWN"), make.office(code="OTH")
    seed_office(make, own)
    seed_office(make, other)
    db.session.commit()
    return own, other


def _user(make, db, office, level):
    if level == "superadmin":
        user = make.user(office, AccessLevel.ADMIN, is_superadmin=True)
    else:
        user = make.user(office, level)
    db.session.commit()
    return user


@pytest.mark.parametrize("level", LEVELS, ids=str)
def test_every_view_enforces_levels_and_office_scope(level, app, world, make, db,
                                                      login_as):
    """For each view: forbidden operations 403, another office's ids 404,
    and a refused delete leaves the row in place."""
    own, other = world
    user = _user(make, db, own, level)
    client = login_as(user)
    superadmin = level == "superadmin"
    for view in _model_views(app):
        base, model = view.url, view.model
        mine, theirs = records_of(model, own), records_of(model, other)
        may = {p: allowed(getattr(view, f"{p}_levels"), user)
               for p in ("read", "create", "edit", "delete", "export")}
        # A feature turned off (levels None) may have no route at all: 404.
        refused = {p: {403} | ({404} if getattr(view, f"{p}_levels") is None
                               else set()) for p in may}
        label = f"{view.endpoint} as {level}"

        def status(url, method="GET", data=None):
            return client.open(url, method=method, data=data).status_code

        if not may["read"]:
            for permission, url in (
                    ("read", f"{base}/"), ("read", f"{base}/details/?id={mine.id}"),
                    ("edit", f"{base}/edit/?id={mine.id}"), ("create", f"{base}/new/"),
                    ("export", f"{base}/export/csv/")):
                assert status(url) in refused[permission] | {403}, (label, url)
            delete = status(f"{base}/delete/", "POST", {"id": mine.id})
            assert delete in refused["delete"] | {403}, label
            continue
        assert status(f"{base}/") == 200, label
        assert status(f"{base}/details/?id={mine.id}") == 200, label
        assert status(f"{base}/details/?id={theirs.id}") == (
            200 if superadmin else 404), label
        edit = status(f"{base}/edit/?id={mine.id}")
        assert edit in ({200, 302} if may["edit"] else refused["edit"]), label
        if may["edit"] and not superadmin:
            assert status(f"{base}/edit/?id={theirs.id}") == 404, label
            assert status(f"{base}/edit/?id={theirs.id}", "POST", {}) == 404, label
        new = status(_new_url(view, mine))
        assert new in ({200} if may["create"] else refused["create"]), label
        if may["create"] and not superadmin and hasattr(model, "complaint_id"):
            # Added under another office's complaint: refused as not found.
            assert status(_new_url(view, theirs)) == 404, label
        export = status(f"{base}/export/csv/")
        assert export in ({200} if may["export"] else refused["export"]), label
        if not may["delete"]:
            delete = status(f"{base}/delete/", "POST", {"id": mine.id})
            assert delete in refused["delete"], label
        elif not superadmin:
            assert status(f"{base}/delete/", "POST", {"id": theirs.id}) == 404, label
        db.session.expire_all()
        assert db.session.get(model, theirs.id) is not None, label
