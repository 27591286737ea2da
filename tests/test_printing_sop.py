"""SOP document PDF: the flowchart plan on its own, then the PDF itself."""

import hashlib
import re
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from sop_admin import sopfile, sops
from sop_admin.models import SopStatus, utcnow
from sop_admin.models.audit import AuditEntry
from sop_admin.models.sop import ListName, SopListItem
from sop_admin.printing import sop_pdf
from sop_admin.printing.flowchart import steps_of
from sop_admin.printing.flowplan import StepSpec, paginate, plan_flowchart

from .printing_builders import LANES, long_sop


def _pages_text(data: bytes) -> list[str]:
    reader = PdfReader(BytesIO(data))
    return [" ".join((p.extract_text() or "").split()) for p in reader.pages]


def _chain(n: int, lanes: int = 3, **decisions) -> list[StepSpec]:
    """n steps over `lanes` lanes; decisions={'5': (yes, no)} makes step 5 one."""
    out = []
    for k in range(1, n + 1):
        kind = "start" if k == 1 else "end" if k == n else "process"
        yes_no = decisions.get(f"s{k}")
        if yes_no:
            out.append(StepSpec(k, k % lanes, "decision", (), *yes_no))
        else:
            out.append(StepSpec(k, k % lanes, kind, () if k == n else (k + 1,)))
    return out


def _assert_orthogonal_and_clear(plan) -> None:
    """Every arrow bends at right angles and runs through no other symbol."""
    for arrow in plan.arrows:
        pts = arrow.points
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            assert x0 == x1 or y0 == y1, arrow
            for i, sym in enumerate(plan.symbols):
                if i in (arrow.source, arrow.target):
                    continue
                if plan.rows[sym.row].page != arrow.page:
                    continue
                on_x = min(x0, x1) <= sym.x <= max(x0, x1)
                on_y = min(y0, y1) <= sym.y <= max(y0, y1)
                assert not (on_x and on_y), (arrow, sym)


# -- the plan -------------------------------------------------------------------


def test_plan_factory_sop_symbols_in_their_lanes(make):
    office = make.office()
    version = make.sop(office)
    specs, lanes = steps_of(version)
    plan = plan_flowchart(specs, len(lanes))
    assert lanes == ["Masyarakat", "Admin Media Sosial"]
    kinds = [(s.step, s.kind, s.lane) for s in plan.symbols]
    assert kinds == [
        (1, "terminator", 1),
        (2, "decision", 1),
        (3, "process", 1),
        (4, "terminator", 0),
    ]
    assert plan.step_symbol(1).start and not plan.step_symbol(4).start


def test_plan_decision_branches_leave_by_different_sides_with_labels():
    specs = [
        StepSpec(1, 0, "start", (2,)),
        StepSpec(2, 0, "decision", (), 3, 4),
        StepSpec(3, 0, "process", (4,)),
        StepSpec(4, 1, "end"),
    ]
    plan = plan_flowchart(specs, 2)
    from_decision = [a for a in plan.arrows if plan.symbols[a.source].step == 2]
    assert sorted(a.label for a in from_decision) == ["Tidak", "Ya"]
    assert len({a.exit_side for a in from_decision}) == 2
    yes = next(a for a in from_decision if a.label == "Ya")
    assert yes.exit_side == "bottom" and yes.entry_side == "top"
    _assert_orthogonal_and_clear(plan)


def test_plan_loop_back_runs_on_a_track_and_avoids_the_targets_exit_side():
    specs = _chain(8, lanes=3, s6=(7, 2))
    plan = plan_flowchart(specs, 3)
    loop = next(a for a in plan.arrows if a.label == "Tidak")
    assert plan.symbols[loop.target].step == 2
    # step 2 leaves by its left side for step 3, so the loop comes in from above
    leaving = {a.exit_side for a in plan.arrows if a.source == loop.target}
    assert leaving == {"left"} and loop.entry_side == "top"
    xs = {x for x, _ in loop.points[1:3]}  # the vertical run
    assert all(round(x % 1, 2) in (0.08, 0.92) for x in xs)  # lane-edge track
    _assert_orthogonal_and_clear(plan)


def test_plan_jump_past_blocked_lane_does_not_cross_symbols():
    specs = [
        StepSpec(1, 0, "start", (2,)),
        StepSpec(2, 0, "decision", (), 3, 5),
        StepSpec(3, 0, "process", (4,)),
        StepSpec(4, 0, "process", (5,)),
        StepSpec(5, 0, "end"),
    ]
    plan = plan_flowchart(specs, 2)
    _assert_orthogonal_and_clear(plan)


def test_paginate_reserves_connector_rows_and_respects_capacity():
    pages = paginate([50.0] * 20, avail=300.0, conn_h=24.0)
    assert pages[0] == (0, 5)  # 5*50 + 24 (bottom connector) <= 300
    assert pages[1] == (5, 10)  # 24 top + 5*50 + 24 bottom = 298 <= 300
    assert pages[-1][1] == 20
    assert all(b > a for a, b in pages)


def test_paginate_gives_an_oversized_row_a_page_of_its_own():
    assert paginate([50.0, 900.0, 50.0], avail=300.0, conn_h=24.0)[1] == (1, 2)


def test_plan_page_breaks_get_matching_connector_letters():
    specs = _chain(30, lanes=4, s10=(11, 3), s25=(26, 8))
    pages = paginate([50.0] * 30, avail=300.0, conn_h=24.0)
    plan = plan_flowchart(specs, 4, pages)
    assert len(plan.pages) == len(pages) > 3
    connectors = plan.connectors()
    letters = [c.letter for c in connectors]
    for letter in set(letters):
        ends = [c for c in connectors if c.letter == letter]
        assert len(ends) == 2, letter
        assert len({plan.rows[c.row].page for c in ends}) == 2
    # a forward break: out row at the bottom of one page, in row atop the next
    kinds = {plan.rows[c.row].kind for c in connectors}
    assert {"in", "out"} <= kinds
    # the loop 25 -> 8 goes to an earlier page: connectors beside both steps
    back = [c for c in connectors if plan.rows[c.row].kind == "step"]
    assert {plan.rows[c.row].step for c in back} >= {25, 8}
    # no arrow leaves its page
    for arrow in plan.arrows:
        for i in (arrow.source, arrow.target):
            assert plan.rows[plan.symbols[i].row].page == arrow.page
    _assert_orthogonal_and_clear(plan)


def test_plan_twelve_lanes_two_hundred_steps_stays_clear():
    specs = _chain(200, lanes=12, **{f"s{k}": (k + 1, k - 4) for k in range(7, 199, 9)})
    plan = plan_flowchart(specs, 12, paginate([60.0] * 200, 480.0, 24.0))
    assert len([s for s in plan.symbols if s.kind == "decision"]) == 22
    _assert_orthogonal_and_clear(plan)


# -- the PDF -----------------------------------------------------------------


def test_sop_pdf_prints_identity_lists_sheets_and_every_step(make, db):
    office = make.office()
    version = long_sop(db, office, 15)
    data = sop_pdf(version)
    pages = _pages_text(data)
    # identity, sheets, two flowchart pages, maybe a page for the signature
    assert len(pages) in (4, 5)
    ident = pages[0]
    for text in (
        "Nomor SOP",
        "045/SOP/2026",
        "Tanggal Pembuatan",
        "1 Agustus 2018",
        "Tanggal Efektif",
        "Disahkan Oleh",
        "Dr. Ir. Sidik Mulyono",
        "NIP. 196701241986021000",
        "Nama SOP",
        "Dasar Hukum",
        "1. Undang-Undang Nomor 25",
        "2. Permenpan RB",
        "Kualifikasi Pelaksana",
        "a) Memahami teknologi informasi",
        "b) Membuat kalimat",
        "Keterkaitan",
        "Peringatan",
        "Pencatatan dan Pendataan",
    ):
        assert text in ident, text
    assert ident.count(" - ") >= 3 or ident.count("-") >= 3  # empty boxes print "-"
    assert "PENGESAHAN" in pages[1] and "Retno Ayati" in pages[1]
    assert "SEJARAH DOKUMEN" in pages[1] and "Paraf Koordinasi" in pages[1]
    flow_pages = [p for p in pages[2:] if "Langkah" in p]
    assert len(flow_pages) == 2
    flow = " ".join(flow_pages)
    for n in range(1, 16):
        assert f"Langkah {n}:" in flow
    for page in flow_pages:
        for header in (
            "Kegiatan",
            "Pelaksana",
            "Mutu Baku",
            "Kelengkapan",
            "Waktu",
            "Output",
            "Keterangan",
            "Admin Media Sosial",
        ):
            assert header in page, header
    total = len(pages)
    assert f"Hal : {total} dari {total}" in pages[-1]


def test_sop_pdf_prints_hostile_and_non_latin_text_literally(make, db):
    office = make.office()
    version = long_sop(db, office, 5, sheets=False)
    version.steps[1].activity = '<b>&<script>x</script> <img src="/etc/passwd"/> <font'
    version.steps[2].activity = "Đặng Thị Ωμέγα Привет ✓"
    version.steps[3].note = "x" * 10_000
    version.steps[4].output = "<para><unclosed <b & ☎ ★ עברית"
    version.name = "SOP <a href='javascript:alert(1)'>klik</a>"
    db.session.flush()
    pages = _pages_text(sop_pdf(version))
    text = " ".join(pages)
    assert "<b>&<script>x</script>" in text
    assert '<img src="/etc/passwd"/> <font' in text
    assert "Đặng Thị Ωμέγα Привет ✓" in text
    assert "<a href='javascript:alert(1)'>klik</a>" in text
    assert "xxxxxxxx" in text
    assert "<para><unclosed <b & ☎ ★" in text
    # Hebrew has glyphs in DejaVu; pypdf may reorder right-to-left runs
    assert set("עברית") <= set(text)


def test_sop_pdf_is_deterministic(make, db):
    office = make.office()
    version = long_sop(db, office, 15)
    assert sop_pdf(version) == sop_pdf(version)


def test_sop_pdf_draft_gets_watermark_and_active_does_not(make, db):
    office = make.office()
    version = long_sop(db, office, 5, status=SopStatus.DRAFT, sheets=False)
    assert "DRAF" in _pages_text(sop_pdf(version))[0]
    assert "DRAF" not in _pages_text(sop_pdf(version, draft=False))[0]


@pytest.mark.parametrize(("paper", "size"), [("A4", (842, 595)), ("F4", (935, 609))])
def test_sop_pdf_paper_is_landscape_a4_or_f4(make, db, paper, size):
    office = make.office(paper_size=paper)
    version = long_sop(db, office, 5, sheets=False)
    box = PdfReader(BytesIO(sop_pdf(version))).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


def test_sop_pdf_two_hundred_steps_repeats_headers_and_connectors(make, db):
    office = make.office()
    lanes = tuple(LANES) + tuple(f"Pelaksana Tambahan {i}" for i in range(6))
    version = long_sop(db, office, 200, lanes, sheets=False)
    pages = [p for p in _pages_text(sop_pdf(version)) if "Langkah" in p]
    assert len(pages) > 20
    for page in pages:
        assert "Kegiatan" in page and "Mutu Baku" in page and "Pelaksana" in page
    body = " ".join(pages)
    for n in (1, 57, 133, 200):
        assert f"Langkah {n}:" in body
    assert re.search(r"\bA\b", pages[0]) and re.search(r"\bA\b", pages[1])


SEEDS = sorted(
    (Path(__file__).parent.parent / "sop_admin" / "demo" / "sops").glob("*.yaml")
)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem)
def test_sop_pdf_seed_prints_every_field_and_step(db, path):
    version = sops.import_document(sopfile.load(path), now=utcnow())
    pages = _pages_text(sop_pdf(version))
    text = _words(" ".join(pages))
    for step in version.steps:
        for field in (
            step.activity,
            step.requirements,
            step.time_text,
            step.output,
            step.note,
        ):
            assert _words(field) in text, (step.number, field)
    for item in version.list_items:
        assert _words(item.text) in text, item.text
    for lane in version.lanes:
        assert _words(lane.name.replace("/", "/ ")) in text, lane.name
    for value in (version.name, version.approver_name, version.approver_nip or ""):
        assert _words(value) in text, value
    for row in version.approvals:
        assert _words(row.name) in text and _words(row.position) in text
    assert all(_words(c.position) in text for c in version.coordination_initials)


def _words(text: str | None) -> str:
    return " ".join((text or "").replace("/ ", "/").split())


def test_cli_sop_pdf_writes_the_file_and_rejects_unknown_numbers(
    make, db, runner, tmp_path
):
    office = make.office()
    version = long_sop(db, office, 5, sheets=False)
    db.session.commit()
    out = tmp_path / "sop.pdf"
    result = runner.invoke(args=["sop", "pdf", "045/SOP/2026", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == sop_pdf(version)
    event = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.operation == "event")
    ).one()
    assert event.table_name == "sop_versions" and event.row_key == str(version.id)
    assert hashlib.sha256(out.read_bytes()).hexdigest() in event.new_values
    result = runner.invoke(args=["sop", "pdf", str(version.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["sop", "pdf", "999/XX", "-o", str(out)])
    assert result.exit_code == 1 and "tidak ditemukan" in result.output


def test_sop_pdf_identity_list_longer_than_a_page_breaks_between_items(make, db):
    office = make.office()
    version = long_sop(db, office, 5, sheets=False)
    version.list_items += [
        SopListItem(
            list_name=ListName.LEGAL_BASIS,
            sort_order=10 + i,
            text=f"Peraturan nomor {i} tentang pelayanan publik " * 3,
        )
        for i in range(80)
    ]
    db.session.flush()
    pages = _pages_text(sop_pdf(version))
    identity = [p for p in pages if "Peraturan nomor" in p]
    assert len(identity) >= 2
    assert "82. Peraturan nomor 79" in " ".join(identity)
