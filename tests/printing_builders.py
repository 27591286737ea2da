"""SOP versions of any size for printing tests and the printing bench."""

from datetime import date

from sop_admin.models import Role, Sop, SopLane, SopStep, SopVersion, StepKind
from sop_admin.models.sop import (
    ListName,
    SopApproval,
    SopCoordinationInitial,
    SopHistoryEntry,
    SopListItem,
)

LANES = (
    "Masyarakat/Pelapor",
    "Admin Media Sosial",
    "Operator Perangkat Daerah",
    "Koordinator Call Center",
    "Kasie/Kabid Informasi Komunikasi Publik",
    "Pimpinan Perangkat Daerah",
)


def long_sop(
    db,
    office,
    steps: int = 15,
    lanes=LANES,
    *,
    status: str = "active",
    number: str = "045/SOP/2026",
    sheets: bool = True,
) -> SopVersion:
    """A chain of `steps` steps over `lanes`, with a decision every 5th step.

    Decision k says yes to the next step and no to the step three back (a
    loop), so long SOPs have loops that cross page breaks.
    """
    sop = Sop(office=office, number=number)
    version = SopVersion(
        sop=sop,
        office=office,
        status=status,
        name="SOP Penanganan Pengaduan Masyarakat melalui Media Sosial",
        unit_government=office.government,
        unit_office=office.name,
        unit_division="Bidang Informasi dan Komunikasi Publik",
        created_on=date(2018, 8, 1),
        effective_on=date(2018, 9, 1),
        approver_position="Kepala Dinas Komunikasi dan Informatika Kota Depok",
        approver_name="Dr. Ir. Sidik Mulyono, M. Eng",
        approver_nip="196701241986021000",
    )
    roles = {r.name: r for r in office.roles}
    version.lanes = [
        SopLane(role=roles.get(name) or Role(office=office, name=name), sort_order=i)
        for i, name in enumerate(lanes)
    ]
    rows = []
    for n in range(1, steps + 1):
        lane = version.lanes[(n * 7 // 5) % len(lanes)]
        kind = StepKind.PROCESS
        extra = {}
        if n == 1:
            kind = StepKind.START
        elif n == steps:
            kind = StepKind.END
        elif n % 5 == 0:
            kind = StepKind.DECISION
            extra = {"if_yes": n + 1, "if_no": max(2, n - 3)}
        rows.append(
            SopStep(
                number=n,
                lane=lane,
                kind=kind,
                activity=f"Langkah {n}: admin memeriksa dan meneruskan laporan "
                f"pengaduan masyarakat ke unit terkait",
                requirements="Media sosial Pemkot",
                time_text="10 menit",
                output="Laporan" if n % 2 else "",
                note="",
                **extra,
            )
        )
    version.steps = rows
    items = []
    for i, text in enumerate(
        [
            "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik",
            "Permenpan RB Nomor 35 Tahun 2012",
        ]
    ):
        items.append(
            SopListItem(list_name=ListName.LEGAL_BASIS, sort_order=i, text=text)
        )
    parent = SopListItem(
        list_name=ListName.QUALIFICATIONS,
        sort_order=0,
        text="Petugas Informasi memiliki kemampuan",
    )
    parent.children = [
        SopListItem(list_name=ListName.QUALIFICATIONS, sort_order=k, text=t)
        for k, t in enumerate(
            [
                "Memahami teknologi informasi",
                "Membuat kalimat singkat, padat, dan jelas",
            ]
        )
    ]
    items += [parent] + parent.children
    items.append(
        SopListItem(
            list_name=ListName.EQUIPMENT, sort_order=0, text="Komputer/Notebook"
        )
    )
    version.list_items = items
    if sheets:
        version.approvals = [
            SopApproval(
                sort_order=0,
                role="Konseptor",
                name="Retno Ayati",
                position="Kepala Seksi Data dan Informasi",
            ),
            SopApproval(
                sort_order=1,
                role="Disahkan oleh",
                name="Iwan Henry Wardhana",
                position="Kepala Dinas Kebudayaan",
            ),
        ]
        version.coordination_initials = [
            SopCoordinationInitial(sort_order=0, position="Kepala Bagian Hukum"),
        ]
        version.history = [
            SopHistoryEntry(
                sort_order=0,
                date=date(2023, 9, 7),
                change="Revisi waktu layanan",
                note="",
            ),
        ]
    db.session.add(version)
    db.session.flush()
    return version
