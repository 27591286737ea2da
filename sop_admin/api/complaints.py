"""`POST /complaints` registers a report; `GET /complaints/<register_no>` tells
where it stands. Fields are named as in the model (see the OpenAPI document).
"""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, jsonify, request, url_for
from sqlalchemy import select

from ..complaints import (
    FIELDS,
    DuplicateComplaint,
    InvalidComplaint,
    check_complaint,
    register_complaint,
)
from ..extensions import db
from ..models import Complaint, SopStep, utcnow
from . import bp
from .auth import current_token
from .errors import json_error

#: What a client may send: everything of an intake but the SOP version,
#: which is always the office's active complaint SOP.
API_FIELDS = FIELDS - {"sop_version"}
#: A bridge's clock a little ahead of ours is not a report from the future.
CLOCK_SKEW = timedelta(seconds=60)


def _iso(value: datetime | None, zone: ZoneInfo) -> str | None:
    return value.astimezone(zone).isoformat(timespec="seconds") if value else None


def _status_url(complaint: Complaint) -> str:
    return url_for("api.complaint_status", register_no=complaint.register_no,
                   _external=True)


def _json_body() -> dict:
    """The request's JSON object, or a 415/400 error response raised."""
    if not request.mimetype or not (request.mimetype == "application/json"
                                    or request.mimetype.endswith("+json")):
        abort(json_error(415, "harus application/json / must be application/json",
                         "Kirim badan JSON dengan Content-Type: application/json."))
    try:
        body = json.loads(request.get_data(cache=False) or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        abort(json_error(400, "JSON tidak valid / malformed JSON", str(exc)))
    if not isinstance(body, dict):
        abort(json_error(400, "JSON tidak valid / malformed JSON",
                         "Badan permintaan harus objek JSON / the body must be "
                         "a JSON object."))
    return body


def _parse_received_at(value, now: datetime, problems: dict) -> datetime | None:
    if value is None:
        return now
    if not isinstance(value, str):
        problems["received_at"] = "harus teks ISO 8601 / must be an ISO 8601 string"
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        problems["received_at"] = ("bukan waktu ISO 8601 / not an ISO 8601 date-time "
                                   "(e.g. 2026-11-28T09:30:00+07:00)")
        return None
    if parsed.tzinfo is None:
        problems["received_at"] = ("perlu zona waktu / needs a UTC offset "
                                   "(e.g. +07:00 or Z)")
        return None
    return min(parsed, now) if parsed <= now + CLOCK_SKEW else parsed


@bp.post("/complaints")
def create_complaint():
    """Register a report for the token's office; 201 with its tracking code."""
    token = current_token()
    body = _json_body()
    now = utcnow()
    problems = {name: "kolom tidak dikenal / unknown field"
                for name in sorted(set(body) - API_FIELDS)}
    fields = {name: value for name, value in body.items() if name in API_FIELDS}
    fields["received_at"] = _parse_received_at(fields.get("received_at"), now,
                                               problems)
    if problems:
        # Name every bad field, not only the first kind found.
        fields = {k: v for k, v in fields.items() if k not in problems}
        fields.setdefault("received_at", now)
        checked = dict(check_complaint(token.office, now, fields))
        return _invalid({**checked, **problems})
    try:
        registration = register_complaint(token.office, actor=None, now=now,
                                          **fields)
    except InvalidComplaint as exc:
        db.session.rollback()
        return _invalid(exc.fields)
    except DuplicateComplaint as exc:
        db.session.rollback()
        return json_error(409, "duplikat / duplicate", str(exc),
                          register_no=exc.existing.register_no,
                          status_url=_status_url(exc.existing))
    complaint = registration.complaint
    status_url = _status_url(complaint)
    body = {"register_no": complaint.register_no,
            "tracking_code": registration.tracking_code,
            "received_at": _iso(complaint.received_at,
                                ZoneInfo(token.office.timezone)),
            "status_url": status_url}
    # Built before the commit, which expires what the session holds.
    db.session.commit()
    return jsonify(body), 201, {"Location": status_url}


def _invalid(fields: dict[str, str]):
    return json_error(422, "data tidak valid / validation failed",
                      "Periksa kolom yang disebut / see the fields named.",
                      fields=fields)


@bp.get("/complaints/<path:register_no>")
def complaint_status(register_no: str):
    """Where a complaint of the token's office stands (another office's: 404)."""
    token = current_token()
    complaint = db.session.scalars(
        select(Complaint).where(Complaint.register_no == register_no.strip().upper(),
                                Complaint.office_id == token.office.id)
    ).first()
    if complaint is None:
        abort(404, "Nomor register tidak ditemukan / no such register number.")
    return status_document(complaint, ZoneInfo(token.office.timezone))


def _current_step(complaint: Complaint) -> SopStep | None:
    if complaint.sop_version_id is None or complaint.current_step_number is None:
        return None
    return db.session.scalars(select(SopStep).where(
        SopStep.version_id == complaint.sop_version_id,
        SopStep.number == complaint.current_step_number)).first()


def status_document(complaint: Complaint, zone: ZoneInfo) -> dict:
    """The status as the API gives it; a confidential reporter is never in it."""
    step = _current_step(complaint)
    reporter = None
    if not (complaint.confidential or complaint.anonymous):
        reporter = {"name": complaint.reporter_name,
                    "contact": complaint.reporter_contact,
                    "email": complaint.reporter_email}
    return {
        "register_no": complaint.register_no,
        "status": complaint.status.value,
        "channel": complaint.channel.value,
        "classification": complaint.classification.value,
        "received_at": _iso(complaint.received_at, zone),
        "closed_at": _iso(complaint.closed_at, zone),
        "due_at": _iso(complaint.due_at, zone),
        "current_step": None if step is None else {
            "number": step.number,
            "label": step.public_label or step.activity,
            "due_at": _iso(complaint.step_due_at, zone),
        },
        "confidential": complaint.confidential,
        "reporter": reporter,
    }
