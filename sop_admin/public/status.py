"""What a reporter may learn of their complaint with its number and code.

`find` answers a wrong register number and a wrong code alike (None), and
does the same work for both: one indexed lookup and one SHA-256 of the code,
even when no complaint has that number, so neither the answer nor its time
tells which part was wrong.

`PublicStatus` holds only what the public may see: dates, classification,
stage labels (fixed phrases or the SOP's public labels), the final answer
and the office's contact. Never the reporter, notes, officers or files.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .. import tracking
from ..extensions import db
from ..models import Complaint, ComplaintStep, Reply
from .labels import CLASSIFICATIONS, DONE, RECEIVED, STATUSES, stage_label

#: Longest input looked at; anything longer cannot be a register number or code.
MAX_INPUT = 64
_NO_MATCH = tracking.code_hash("", "")


def clean_register_no(value: str | None) -> str:
    return "".join((value or "").split()).upper()[:MAX_INPUT]


def find(register_no: str | None, code: str | None) -> Complaint | None:
    """The complaint if the number exists and the code is its current one."""
    number, code = clean_register_no(register_no), (code or "")[:MAX_INPUT]
    complaint = db.session.scalar(
        select(Complaint).where(Complaint.register_no == number)) if number else None
    if complaint is None or not complaint.tracking_code_hash:
        secrets.compare_digest(_NO_MATCH, tracking.code_hash(number, code))
        return None
    return complaint if tracking.matches(complaint, code) else None


@dataclass(frozen=True)
class Stage:
    label: str
    reached_at: datetime


@dataclass(frozen=True)
class PublicStatus:
    register_no: str
    received_at: datetime
    classification: str
    status: str
    stage: str
    stages: list[Stage]
    final_answer: str | None
    office_name: str
    office_phone: str | None
    office_email: str | None
    office_address: str | None
    timezone: str

    def as_json(self) -> dict:
        zone = ZoneInfo(self.timezone)

        def iso(value: datetime) -> str:
            return value.astimezone(zone).isoformat(timespec="seconds")

        return {
            "register_no": self.register_no,
            "received_at": iso(self.received_at),
            "classification": self.classification,
            "status": self.status,
            "stage": self.stage,
            "stages": [{"label": s.label, "reached_at": iso(s.reached_at)}
                       for s in self.stages],
            "final_answer": self.final_answer,
            "office": {"name": self.office_name, "phone": self.office_phone,
                       "email": self.office_email, "address": self.office_address},
        }


def public_status(complaint: Complaint) -> PublicStatus:
    """Stages reached, oldest first; consecutive steps with one label are one stage."""
    rows = db.session.execute(
        select(ComplaintStep.step_number, ComplaintStep.started_at)
        .where(ComplaintStep.complaint_id == complaint.id)
        .order_by(ComplaintStep.started_at, ComplaintStep.id)).all()
    version = complaint.sop_version
    stages: list[Stage] = []

    def reach(label: str, at: datetime) -> None:
        if not stages or stages[-1].label != label:
            stages.append(Stage(label, at))

    reach(RECEIVED, complaint.received_at)
    for number, started_at in rows:
        reach(stage_label(version.step(number) if version else None), started_at)
    final_answer = None
    if complaint.is_closed:
        reach(DONE, complaint.closed_at or stages[-1].reached_at)
        final_answer = db.session.scalar(
            select(Reply.text).where(Reply.complaint_id == complaint.id,
                                     Reply.is_final.is_(True)).limit(1))
    office = complaint.office
    return PublicStatus(
        register_no=complaint.register_no,
        received_at=complaint.received_at,
        classification=CLASSIFICATIONS.get(complaint.classification, ""),
        status=STATUSES[complaint.status],
        stage=DONE if complaint.is_closed else stages[-1].label,
        stages=stages,
        final_answer=final_answer,
        office_name=office.name,
        office_phone=office.phone,
        office_email=office.email,
        office_address=office.address,
        timezone=office.timezone or "Asia/Jakarta",
    )
