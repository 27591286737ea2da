"""Formulir pengaduan: blank and filled, identity masking, literal text."""

from io import BytesIO

from pypdf import PdfReader

from sop_admin.printing.complaint_form import complaint_form_pdf


def _text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())


def test_complaint_form_blank_has_every_field_and_tick_boxes(make):
    office = make.office(division="Bidang Informasi Publik")
    text = _text(complaint_form_pdf(office=office))
    for label in ("FORMULIR PENGADUAN MASYARAKAT", "BIDANG INFORMASI PUBLIK",
                  "Nomor Register", "Tanggal / Jam Diterima", "Kanal", "Klasifikasi",
                  "Nama", "Alamat", "Nomor Identitas (NIK)", "Uraian Permasalahan",
                  "Pihak yang Diadukan", "Harapan Pelapor", "Bukti",
                  "SP4N-LAPOR!", "UPIK/JSS", "Petugas Penerima", "Pelapor,"):
        assert label in text, label
    assert "☐ Datang langsung" in text and "☒" not in text


def test_complaint_form_filled_prints_values_in_office_time(make):
    office = make.office(timezone="Asia/Makassar")
    complaint = make.complaint(office, reporter_name="Siti Ωμέγα <b>Aminah</b> & co",
                               reporter_contact="0812-1111", subject_party="Dinas PU",
                               lapor_tracking_id="LAP-0099")
    text = _text(complaint_form_pdf(complaint))
    assert complaint.register_no in text
    assert "2 November 2026, 11.00 WITA" in text  # 03:00 UTC
    assert "Siti Ωμέγα <b>Aminah</b> & co" in text
    assert "☒ Facebook" in text and "☒ Pengaduan" in text
    assert "Jalan berlubang di depan pasar." in text and "LAP-0099" in text


def test_complaint_form_confidential_identity_masked_unless_revealed(make):
    office = make.office()
    complaint = make.complaint(office, reporter_name="Budi Rahasia",
                               reporter_identity_no="3276012345678901",
                               confidential=True)
    masked = _text(complaint_form_pdf(complaint))
    assert "Budi Rahasia" not in masked and "3276012345678901" not in masked
    assert "[dirahasiakan]" in masked
    shown = _text(complaint_form_pdf(complaint, reveal_identity=True))
    assert "Budi Rahasia" in shown and "3276012345678901" in shown


def test_complaint_form_is_deterministic(make):
    complaint = make.complaint(make.office())
    assert complaint_form_pdf(complaint) == complaint_form_pdf(complaint)
