"""API tokens: made, found, touched and revoked (plain service, no Flask).

A token is shown once, when it is made; only its SHA-256 is stored, with its
first characters so admins can tell tokens apart. Looking a token up is one
index probe on the hash. `last_used_at` is written at most once a minute:
every write of a row is an audit row, and a busy bridge must not turn each
request into one.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select, update

from ..extensions import db
from ..models import ApiToken, Office, User

#: Tokens start with this, so a leaked one is recognisable in logs and scans.
SCHEME = "sopa_"
PREFIX_LENGTH = 12
TOUCH_EVERY = timedelta(minutes=1)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token(office: Office, name: str, *, created_by: User | None,
              now: datetime) -> tuple[ApiToken, str]:
    """Add a token for `office`; returns it and the secret to show once."""
    token = ApiToken(office=office, name=name.strip(), created_by=created_by,
                     created_at=now)
    raw = issue(token)
    db.session.add(token)
    db.session.flush()
    return token, raw


def issue(token: ApiToken) -> str:
    """Give `token` a new random secret (hash and visible prefix); return it."""
    raw = SCHEME + secrets.token_urlsafe(32)
    token.prefix = raw[:PREFIX_LENGTH]
    token.token_hash = token_hash(raw)
    return raw


@dataclass(frozen=True)
class OfficeRef:
    """What intake needs of an office: enough to register, nothing to render."""

    id: int
    code: str
    timezone: str


@dataclass(frozen=True)
class Caller:
    """An API request's unrevoked token and its office, read in one query.

    Plain values, not ORM objects: every API request reads them, and loading
    two entities cost about a tenth of an intake's time.
    """

    token_id: int
    name: str
    last_used_at: datetime | None
    office: OfficeRef


def find_active(raw: str) -> Caller | None:
    """The unrevoked token whose secret is `raw`, with its office."""
    if not raw.startswith(SCHEME):
        return None
    row = db.session.connection().execute(_BY_HASH, {"hash": token_hash(raw)}).first()
    if row is None or row.revoked_at is not None:
        return None
    return Caller(row.id, row.name, row.last_used_at,
                  OfficeRef(row.office_id, row.code, row.timezone))


_tokens, _offices = ApiToken.__table__.c, Office.__table__.c
#: Built once, Core only: every API request runs it.
_BY_HASH = (
    select(_tokens.id, _tokens.name, _tokens.last_used_at, _tokens.revoked_at,
           _tokens.office_id, _offices.code, _offices.timezone)
    .join_from(ApiToken.__table__, Office.__table__, _offices.id == _tokens.office_id)
    .where(_tokens.token_hash == bindparam("hash"))
)


def touch(caller: Caller, now: datetime) -> bool:
    """Record use, unless recorded less than a minute ago; True if written.

    A conditional UPDATE, so concurrent requests of one token (two app
    workers) write once per minute between them. The caller commits.
    """
    if caller.last_used_at is not None and now - caller.last_used_at < TOUCH_EVERY:
        return False
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == caller.token_id,
               or_(ApiToken.last_used_at.is_(None),
                   ApiToken.last_used_at <= now - TOUCH_EVERY))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def revoke(token: ApiToken, now: datetime) -> bool:
    """Switch the token off for good; False if it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = now
    return True
