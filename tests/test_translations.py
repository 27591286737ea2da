"""Catalogues: Indonesian for Flask-Admin and WTForms, English for our text.

The panel is Indonesian by default. Flask-Admin and WTForms ship no
Indonesian, so `sop_admin/translations/id` carries their strings; our own
strings are Indonesian in the source and `en/messages.po` translates them.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import flask_admin
import pytest
import wtforms
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask_admin.contrib.sqla import ModelView

from sop_admin.i18n import TRANSLATIONS
from sop_admin.models import AccessLevel, Office

from .conftest import make_test_app

ROOT = TRANSLATIONS.parent.parent
ID_DIR = TRANSLATIONS / "id" / "LC_MESSAGES"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
LIBRARY_PO = {
    "admin": (
        ID_DIR / "admin.po",
        Path(flask_admin.__file__).parent / "translations/en/LC_MESSAGES/admin.po",
    ),
    "wtforms": (
        ID_DIR / "wtforms.po",
        Path(wtforms.__file__).parent / "locale/wtforms.pot",
    ),
}
ALL_PO = [ID_DIR / "admin.po", ID_DIR / "wtforms.po", EN_PO]
PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sdifr]|%[sdifr]|\{[^{}]*\}")


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def _messages(path: Path):
    return [m for m in _catalog(path) if m.id]


def _forms(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def _placeholders(text: str) -> list[str]:
    named = sorted(p for p in PLACEHOLDER.findall(text) if p.startswith("%("))
    others = [p for p in PLACEHOLDER.findall(text) if not p.startswith("%(")]
    return named + others


def _compile(po: Path, mo: Path) -> None:
    catalog = _catalog(po)
    with mo.open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=True)


@pytest.fixture(scope="module")
def compiled_catalogues():
    """Compile stale or missing .mo files as `make translations` would.

    Lets this module run without `make`; the domains' caches are cleared so a
    catalogue loaded (or found missing) earlier in the run is read again.
    """
    from flask_admin import babel as admin_babel

    from sop_admin.extensions import babel

    for po in ALL_PO:
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            _compile(po, mo)
    admin_babel.domain.cache.clear()
    if "domain_instance" in vars(babel):  # made by the first translated request
        babel.domain_instance.cache.clear()


@pytest.fixture
def probe(app, db, compiled_catalogues):
    """A plain Flask-Admin list/create view with a filter and a search box."""

    class OfficeProbe(ModelView):
        column_filters = ["code"]
        column_searchable_list = ["name"]
        form_columns = ["code", "government", "name"]

    admin = app.extensions["admin"][0]
    admin.add_view(
        OfficeProbe(Office, db, endpoint="i18n_probe", url="/admin/i18n-probe")
    )
    return "/admin/i18n-probe/"


def _admin_client(make, db, login_as):
    user = make.user(make.office(), AccessLevel.ADMIN)
    db.session.commit()
    return login_as(user)


# -- the catalogues themselves ------------------------------------------------


@pytest.mark.parametrize("name", sorted(LIBRARY_PO))
def test_library_catalogue_covers_every_library_msgid(name):
    ours, theirs = LIBRARY_PO[name]
    wanted = {m.id for m in _messages(theirs)}
    have = {m.id for m in _messages(ours)}
    assert wanted - have == set(), f"{ours.name}: untranslated library strings"


@pytest.mark.parametrize("po", ALL_PO, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_catalogue_every_msgid_translated_not_fuzzy(po):
    bad = [m.id for m in _messages(po)
           if "fuzzy" in m.flags or not all(f.strip() for f in _forms(m))]
    assert bad == [], f"{po}: empty or fuzzy translations"


@pytest.mark.parametrize("po", ALL_PO, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_catalogue_translations_keep_placeholders(po):
    bad = []
    for m in _messages(po):
        ids = list(m.id) if m.pluralizable else [m.id]
        for index, form in enumerate(_forms(m)):
            # One-form languages (Indonesian) use the plural msgid's wording.
            source = ids[-1] if len(_forms(m)) == 1 else ids[min(index, 1)]
            if _placeholders(form) != _placeholders(source):
                bad.append((source, form))
    assert bad == []


def test_indonesian_catalogues_have_one_plural_form():
    for path in (ID_DIR / "admin.po", ID_DIR / "wtforms.po"):
        catalog = _catalog(path)
        assert catalog.plural_forms == "nplurals=1; plural=0;", path.name
        assert all(len(_forms(m)) == 1 for m in catalog if m.id and m.pluralizable)


@pytest.mark.parametrize("po", ALL_PO, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_catalogue_compiles_and_translates(po, tmp_path):
    catalog = _catalog(po)
    assert list(catalog.check()) == []
    mo = tmp_path / po.with_suffix(".mo").name
    _compile(po, mo)
    with mo.open("rb") as fh:
        loaded = Translations(fh)
    first = next(m for m in catalog if m.id and not m.pluralizable)
    assert loaded.gettext(first.id) == first.string


def _extract(tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYBABEL": str(Path(sys.executable).parent / "pybabel")}
    return subprocess.run(
        [str(ROOT / "scripts/update_translations.sh"), "--pot",
         str(tmp_path / "messages.pot")],
        capture_output=True, text=True, env=env, check=True,
    )


def test_english_catalogue_covers_fresh_extraction(tmp_path):
    _extract(tmp_path)
    extracted = {m.id for m in _messages(tmp_path / "messages.pot")}
    translated = {m.id for m in _messages(EN_PO)
                  if all(_forms(m)) and "fuzzy" not in m.flags}
    assert len(extracted) > 50
    missing = sorted(str(i) for i in extracted - translated)
    assert missing == [], (
        "untranslated: run scripts/update_translations.sh and translate "
        "sop_admin/translations/en/LC_MESSAGES/messages.po"
    )


def test_source_strings_all_extractable(tmp_path):
    """An f-string inside _() cannot be translated; babel only warns."""
    result = _extract(tmp_path)
    assert "warning" not in result.stderr.lower(), result.stderr


# -- the running panel ---------------------------------------------------------


def test_admin_list_page_indonesian_by_default_english_after_switch(
    probe, make, db, login_as
):
    client = _admin_client(make, db, login_as)
    page = client.get(probe).get_data(as_text=True)
    for text in ("Buat", "Tambah Saringan", "Cari", "Pilih semua data"):
        assert text in page
    assert "Add Filter" not in page

    client.get("/lang/en")
    page = client.get(probe).get_data(as_text=True)
    for text in ("Create", "Add Filter", "Search", "Select all records"):
        assert text in page
    assert "Tambah Saringan" not in page

    client.get("/lang/id")
    assert "Tambah Saringan" in client.get(probe).get_data(as_text=True)


def test_admin_form_required_field_error_is_indonesian(probe, make, db, login_as):
    client = _admin_client(make, db, login_as)
    page = client.post(probe + "new/", data={"code": ""}).get_data(as_text=True)
    assert "Kolom ini wajib diisi." in page
    assert "This field is required." not in page

    client.get("/lang/en")
    page = client.post(probe + "new/", data={"code": ""}).get_data(as_text=True)
    assert "This field is required." in page


def _in_indonesian(app, translate):
    from flask import session

    with app.test_request_context("/"):
        session["lang"] = "id"
        return translate()


def test_admin_plural_message_uses_indonesian_form(app, compiled_catalogues):
    """Also outside an admin view, where Admin(translations_path) is not used."""
    from flask_admin.babel import ngettext

    text = _in_indonesian(app, lambda: ngettext(
        "Record was successfully deleted.",
        "%(count)s records were successfully deleted.", 2, count=2))
    assert text == "2 data berhasil dihapus."


def test_wtforms_plural_message_in_indonesian(app, compiled_catalogues):
    from flask_admin.babel import Translations as AdminFormTranslations

    text = _in_indonesian(app, lambda: AdminFormTranslations().ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.", 3))
    assert text == "Isian sekurang-kurangnya %(min)d karakter."


def test_login_form_required_error_is_indonesian(client, compiled_catalogues):
    page = client.post("/login", data={}).get_data(as_text=True)
    assert "Kolom ini wajib diisi." in page


def test_csrf_failure_gives_indonesian_page_with_400(database_uri, compiled_catalogues):
    client = make_test_app(database_uri, WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/logout")
    assert response.status_code == 400
    assert "Formulir tidak membawa token keamanan." in response.get_data(as_text=True)

    client.get("/lang/en")
    response = client.post("/logout")
    assert response.status_code == 400
    assert "The form did not carry a security token." in response.get_data(as_text=True)
