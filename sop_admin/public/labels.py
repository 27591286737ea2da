"""Plain Indonesian words for the public: stage labels, classifications, dates.

What the public sees of a complaint's progress is one label per SOP step:
the step's own `public_label` when the office wrote one in the SOP form, else
a label derived from the step by `derived_label`. The derivation, in order:

1. a start step (Mulai): "Diterima";
2. an end step (Selesai): "Selesai";
3. a step whose lane names another unit (perangkat daerah, OPD, UKPD,
   "... terkait") or whose activity forwards (meneruskan, diteruskan,
   disposisi): "Diteruskan ke perangkat daerah";
4. a step in the public's own lane (Masyarakat, Pelapor):
   "Tanggapan disampaikan kepada pelapor";
5. any other step: "Sedang ditelaah".

These words never name an officer or quote a note: they are fixed phrases.
Text here is the office's language (Indonesian) whatever the viewer's locale,
like the other records the public receives (mails, the JSON of /api/v1/track).
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from ..models import TIMEZONES, Classification, ComplaintStatus, SopStep, StepKind
from ..workflow import is_public_lane

RECEIVED = "Diterima"
IN_REVIEW = "Sedang ditelaah"
FORWARDED = "Diteruskan ke perangkat daerah"
ANSWERED = "Tanggapan disampaikan kepada pelapor"
DONE = "Selesai"

_FORWARD_LANE = re.compile(r"perangkat daerah|\bopd\b|\bukpd\b|\bterkait\b")
_FORWARD_ACTIVITY = re.compile(r"\bmeneruskan\b|\bditeruskan\b|\bdisposisi\b")

CLASSIFICATIONS = {
    Classification.ASPIRATION: "Aspirasi",
    Classification.COMPLAINT: "Pengaduan",
    Classification.INFORMATION_REQUEST: "Permintaan informasi",
}
#: `status` of GET /api/v1/track.
STATUSES = {
    ComplaintStatus.NEW: "diterima",
    ComplaintStatus.IN_PROGRESS: "diproses",
    ComplaintStatus.CLOSED: "selesai",
}


def derived_label(step: SopStep) -> str:
    """The label of a step with no `public_label` (rules in the module docstring)."""
    if step.kind == StepKind.START:
        return RECEIVED
    if step.kind == StepKind.END:
        return DONE
    lane = (step.lane.name if step.lane else "").casefold()
    if _FORWARD_LANE.search(lane) or _FORWARD_ACTIVITY.search(step.activity.casefold()):
        return FORWARDED
    if step.lane is not None and is_public_lane(step.lane):
        return ANSWERED
    return IN_REVIEW


def stage_label(step: SopStep | None) -> str:
    """What the public reads for a step: the SOP's own words, else derived."""
    if step is None:
        return IN_REVIEW
    return (step.public_label or "").strip() or derived_label(step)


def local_time(value: datetime | None, timezone: str) -> str:
    """`3 Desember 2026 14.05 WIB` in the office's zone ("" for no value)."""
    if value is None:
        return ""
    zone = ZoneInfo(timezone or "Asia/Jakarta")
    text = format_datetime(value, "d MMMM y HH.mm", tzinfo=zone, locale="id")
    return f"{text} {TIMEZONES.get(zone.key, zone.key)}"
