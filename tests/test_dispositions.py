"""Disposisi (dispositions.py): phone numbers, links and the forward service."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sop_admin import dispositions, workflow
from sop_admin.dispositions import InvalidDisposition, normalise_phone
from sop_admin.models import AccessLevel, Disposition

NOW = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)  # Monday 10:00 WIB

national = st.from_regex(r"[1-9][0-9]{7,11}", fullmatch=True)
separator = st.sampled_from(["", " ", "-", ".", "  ", " - "])


def spaced(digits: str, seps: list[str]) -> str:
    """`digits` with a separator after each of the first len(seps) digits."""
    return "".join(d + (seps[i] if i < len(seps) else "")
                   for i, d in enumerate(digits))


@pytest.mark.parametrize(("raw", "expected"), [
    ("0812-3456-7890", "6281234567890"),
    ("+62 812 3456 7890", "6281234567890"),
    ("62812.3456.7890", "6281234567890"),
    ("0062 812 3456 7890", "6281234567890"),
    ("(021) 5550123", "62215550123"),
    ("+62 (21) 555-0123", "62215550123"),
    ("081234567", "6281234567"),
])
def test_normalise_phone_known_forms(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", [
    None, "", "   ", "112", "0812", "+1 415 555 0100", "0044 20 7946 0958",
    "0812-3456-7890 ext 5", "telepon kantor", "00812345678", "812345678901234",
    "+62 0812 3456 7890",
])
def test_normalise_phone_refuses_what_is_not_an_indonesian_number(raw):
    assert normalise_phone(raw) is None


@given(national, st.lists(separator, max_size=12),
       st.sampled_from(["0", "+62", "62", "0062", "+62 ", "62-"]))
def test_normalise_phone_every_written_form_gives_62_and_the_national_number(
    digits, seps, prefix
):
    assert normalise_phone(prefix + spaced(digits, seps)) == "62" + digits


@given(st.text(alphabet="0123456789+-() .", max_size=20))
def test_normalise_phone_result_is_wa_form_and_stable(raw):
    number = normalise_phone(raw)
    if number is not None:
        assert re.fullmatch(r"62[1-9]\d{7,11}", number)
        assert normalise_phone(number) == number
        assert normalise_phone("+" + number) == number


def test_whatsapp_link_holds_number_and_urlencoded_text():
    text = "Disposisi pengaduan DPK/2026/000001\nPerihal: Jalan rusak & banjir?"
    link = dispositions.whatsapp_link("0812 3456 7890", text)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "wa.me",
                                                        "/6281234567890")
    assert parts.query.startswith("text=") and "&" not in parts.query
    assert parse_qs(parts.query)["text"] == [text]
    assert dispositions.whatsapp_link("12345", text) is None


def test_mailto_and_tel_links():
    link = dispositions.mailto_link("opd@depok.go.id", "Disposisi A/1", "Isi & isi")
    address, query = link.removeprefix("mailto:").split("?")
    assert unquote(address) == "opd@depok.go.id"
    assert parse_qs(query) == {"subject": ["Disposisi A/1"], "body": ["Isi & isi"]}
    assert dispositions.mailto_link("bukan surel", "s", "b") is None
    assert dispositions.tel_link("(021) 5550123") == "tel:+62215550123"
    assert dispositions.tel_link("abc") is None


@pytest.fixture
def case(make, db):
    """A Depok-like office: a started complaint at step 1 and its officer."""
    office = make.office("DPK")
    version = make.sop(office, status="active")
    for step in version.steps:
        if step.time_text:
            step.time_amount, step.time_unit = 5, "minute"
    role = version.steps[0].lane.role
    officer = make.user(office, roles=[role])
    complaint = make.complaint(office, sop_version=version, received_at=NOW,
                               subject="Lampu jalan mati")
    workflow.start(complaint, actor=officer, now=NOW)
    return office, officer, complaint


def test_forward_to_another_unit_with_default_deadline_and_message(case):
    office, officer, complaint = case
    later = NOW + timedelta(minutes=1)
    disposition = dispositions.forward(
        complaint, actor=officer, now=later, to_unit=" Dinas PUPR ",
        to_name="Budi", to_phone="0812-1111-2222", to_email="pupr@depok.go.id",
        message="Mohon ditindaklanjuti.")
    assert disposition.to_unit == "Dinas PUPR"
    assert disposition.due_at == later + timedelta(minutes=5)  # step 1's Waktu
    assert disposition.complaint_step_id == workflow.open_record(complaint).id
    text = dispositions.message_text(disposition)
    assert complaint.register_no in text and "Perihal: Lampu jalan mati" in text
    assert "Mohon ditindaklanjuti." in text
    assert "Batas waktu: 02-11-2026 10:06 WIB" in text
    [contact] = dispositions.contacts(disposition)
    assert (contact.name, contact.phone) == ("Budi", "0812-1111-2222")


def test_forward_never_puts_the_reporter_in_the_text(case, db):
    _office, officer, complaint = case
    complaint.reporter_name, complaint.reporter_contact = "Siti Rahma", "0813999"
    disposition = dispositions.forward(complaint, actor=officer, now=NOW,
                                       to_unit="PUPR", to_phone="0812 1111 2222")
    assert "Siti" not in dispositions.message_text(disposition)


def test_forward_to_a_role_reaches_its_active_holders(case, make):
    office, officer, complaint = case
    role = make.role(office, "Operator Perangkat Daerah")
    make.user(office, full_name="Ani", phone="0812 3333 4444", roles=[role])
    make.user(office, full_name="Tono", roles=[role], active=False)
    disposition = dispositions.forward(complaint, actor=officer, now=NOW,
                                       to_role=role, due_at=NOW + timedelta(days=1))
    assert disposition.due_at == NOW + timedelta(days=1)
    assert [c.name for c in dispositions.contacts(disposition)] == ["Ani"]


def test_forward_to_a_user_copies_their_contact(case, make):
    office, officer, complaint = case
    colleague = make.user(office, full_name="Dewi", phone="+62 811 222 333",
                          email="dewi@depok.go.id")
    disposition = dispositions.forward(complaint, actor=officer, now=NOW,
                                       to_user=colleague)
    assert (disposition.to_name, disposition.to_phone, disposition.to_email) == (
        "Dewi", "+62 811 222 333", "dewi@depok.go.id")


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "tepat satu"),
    ({"to_unit": "PUPR", "to_role": "own"}, "tepat satu"),
    ({"to_unit": "PUPR"}, "telepon atau surel"),
    ({"to_unit": "PUPR", "to_email": "pupr at depok"}, "Surel"),
    ({"to_unit": "PUPR", "to_phone": "0812", "due_at": NOW}, "Batas waktu"),
    ({"to_role": "other office"}, "Jabatan"),
    ({"to_user": "other office"}, "Pegawai"),
])
def test_forward_refuses_bad_input_naming_the_field(case, make, db, fields, message):
    office, officer, complaint = case
    other = make.office("BKS")
    values = dict(fields)
    if values.get("to_role") == "own":
        values["to_role"] = make.role(office, "Kasie")
    elif "to_role" in values:
        values["to_role"] = make.role(other, "Kasie")
    if "to_user" in values:
        values["to_user"] = make.user(other)
    with pytest.raises(InvalidDisposition, match=message):
        dispositions.forward(complaint, actor=officer, now=NOW, **values)
    assert db.session.scalar(db.select(db.func.count(Disposition.id))) == 0


def test_forward_only_by_who_may_act_and_only_while_in_progress(case, make):
    office, officer, complaint = case
    for level in (AccessLevel.AUDITOR, AccessLevel.RECORDS_OFFICER):
        reader = make.user(office, level, roles=officer.roles)
        with pytest.raises(InvalidDisposition, match="tidak dapat"):
            dispositions.forward(complaint, actor=reader, now=NOW, to_unit="PUPR",
                                 to_phone="0812 1111 2222")
    fresh = make.complaint(office, sop_version=complaint.sop_version)
    with pytest.raises(InvalidDisposition, match="tidak sedang diproses"):
        dispositions.forward(fresh, actor=officer, now=NOW, to_unit="PUPR",
                             to_phone="0812 1111 2222")
