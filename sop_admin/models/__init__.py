"""All models, importable from one place (Flask-Migrate and the views need them)."""

from .api import ApiToken
from .audit import AuditContext, AuditEntry
from .complaint import (
    Channel,
    Classification,
    Complaint,
    ComplaintStatus,
    Evidence,
    RegisterCounter,
)
from .notice import NoticeKind, NoticeTemplate, OutboxMessage, OutboxStatus
from .office import PAPER_SIZES, TIMEZONES, Office, Role
from .sop import (
    ListName,
    Sop,
    SopApproval,
    SopCoordinationInitial,
    SopHistoryEntry,
    SopLane,
    SopListItem,
    SopStatus,
    SopStep,
    SopVersion,
    StepKind,
    TimeUnit,
)
from .types import UTCDateTime, utcnow
from .user import AccessLevel, User, hash_password, normalise_nip, user_roles
from .workflow import ClosureDay, ComplaintStep, Disposition, Escalation, Reply

__all__ = [
    "PAPER_SIZES", "TIMEZONES", "AccessLevel", "ApiToken", "AuditContext",
    "AuditEntry", "Channel", "Classification", "ClosureDay", "Complaint",
    "ComplaintStatus", "ComplaintStep", "Disposition", "Escalation", "Evidence",
    "NoticeKind", "NoticeTemplate", "OutboxMessage", "OutboxStatus", "Reply",
    "ListName", "Office", "RegisterCounter", "Role", "Sop", "SopApproval",
    "SopCoordinationInitial", "SopHistoryEntry", "SopLane", "SopListItem",
    "SopStatus", "SopStep", "SopVersion", "StepKind", "TimeUnit", "UTCDateTime",
    "User", "hash_password", "normalise_nip", "user_roles", "utcnow",
]
