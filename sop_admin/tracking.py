"""Kode lacak: the reporter's code for following a complaint on /lacak.

The code is random (`secrets`), not derived from the register number, and
only its hash is stored, so neither the database nor the audit log gives it
away; staff see it once, when it is issued, to pass on to the reporter. The
hash covers the register number too, so one code is only good for its own
complaint. Codes use Crockford's base32 alphabet (no I, L, O, U) in groups of
four, and reading them back forgives case, spaces, dashes and the usual
look-alikes (O for 0, I or L for 1), because reporters type them from paper.

One exception to "only the hash": a reporter who gave an e-mail address and
agreed gets the code in the "registered" mail, so that mail's outbox row
(and its audit entry) holds it in clear, readable by the office's admins
and auditors, who could issue a new code anyway.
"""

import hashlib
import secrets

from sqlalchemy import inspect

from .models import Complaint

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 12 symbols of 5 bits: 60 bits, far beyond guessing at a rate-limited form.
LENGTH = 12
_ISSUED = "tracking_code"
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise(code: str) -> str:
    """The code as stored in the hash: upper case, separators dropped."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.translate(_LOOKALIKES)


def code_hash(register_no: str, code: str) -> str:
    return hashlib.sha256(f"{register_no}:{normalise(code)}".encode()).hexdigest()


def issue(complaint: Complaint) -> str:
    """Give `complaint` a new code (the old one stops working) and return it.

    The complaint must have its register number; the caller commits.
    """
    # One draw of 60 random bits cut into twelve 5-bit symbols: the same
    # uniform code as twelve `secrets.choice` calls, one system call.
    bits = secrets.randbits(5 * LENGTH)
    raw = "".join(ALPHABET[(bits >> 5 * i) & 31] for i in range(LENGTH))
    complaint.tracking_code_hash = code_hash(complaint.register_no, raw)
    code = "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))
    # Kept in memory only, for the reporter's "registered" mail written in
    # this transaction (sop_admin.notices collects it with `take_issued`).
    state = inspect(complaint, raiseerr=False)
    if state is not None:
        state.info[_ISSUED] = code
    return code


def take_issued(complaint: Complaint) -> str | None:
    """The code issued to `complaint` in this process and not yet taken."""
    state = inspect(complaint, raiseerr=False)
    return state.info.pop(_ISSUED, None) if state is not None else None


def matches(complaint: Complaint, code: str) -> bool:
    """Whether `code` is the complaint's current code (constant-time compare)."""
    if not complaint.tracking_code_hash or not code:
        return False
    return secrets.compare_digest(
        complaint.tracking_code_hash, code_hash(complaint.register_no, code)
    )
