"""Verification of the hash chain, and signed checkpoints of its head.

`verify` checks sealed rows in `seq` order: each `seq` follows the previous
one (else "missing"), each hash matches its content (else "changed"), and
each `prev_hash` is the previous row's hash (else "reordered" when that hash
turns up later in the chain, "missing" when it never does: a row was removed
and the rest renumbered).

On PostgreSQL the server does all of it in one query: it recomputes every
row's hash (`chain.hash_sql`, the definition sealing uses too; its parallel
workers share that work) and compares each row with the one before it
through window functions (`lag` over `seq`), so only the first bad row, if
any, leaves the server; nothing is streamed per row. `verify_parallel`
splits the chain into seq ranges checked at the same time on several
connections. With `client_hash` (and always on SQLite, which has no SHA-256
in SQL) the payload the database builds is streamed and hashed here
instead, for an auditor who does not want to trust the server's hashing.

A chain alone can be rewritten end to end by someone who can write to the
database; a checkpoint (head seq and hash, HMAC-signed with a key kept
outside the database) kept elsewhere proves the history up to it unchanged.
"""

import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from .chain import GENESIS, hash_sql, payload_sql

#: How far to look ahead for the hash a broken link points to.
_LOOKAHEAD = 10_000


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str  #: changed, missing, reordered, checkpoint
    message: str


@dataclass(frozen=True)
class VerifyResult:
    count: int
    unsealed: int
    head_seq: int
    head_hash: str
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _missing(expect: int, found: int | None = None) -> Problem:
    after = f" (next found: {found})" if found is not None else ""
    return Problem(expect, "missing", f"baris seq {expect} hilang / missing{after}")


def _changed(seq: int) -> Problem:
    return Problem(seq, "changed", f"isi baris seq {seq} diubah / content changed "
                   "(hash does not match)")


def _unlinked(seq: int, found: int | None) -> Problem:
    """A row whose `prev_hash` is not its predecessor's hash.

    `found` is the later seq holding the hash it points to (rows swapped), or
    None (its predecessor is gone: rows removed and the rest renumbered).
    """
    if found is not None:
        return Problem(seq, "reordered", f"urutan berubah di seq {seq} / reordered: "
                       f"its predecessor now sits at seq {found}")
    return Problem(seq, "missing", f"baris sebelum seq {seq} hilang / missing: "
                   "link to the previous row broken (rows removed and renumbered)")


def _cursor_of(engine):
    """A raw DBAPI connection and cursor; the caller rolls back and closes."""
    raw = engine.raw_connection()
    return raw, raw.driver_connection.cursor()


def _scalar(engine, sql: str):
    raw, cur = _cursor_of(engine)
    try:
        cur.execute(sql)
        return cur.fetchone()
    finally:
        cur.close()
        raw.rollback()
        raw.close()


def unsealed_count(engine) -> int:
    return _scalar(engine, "SELECT count(*) FROM audit_entries WHERE seq IS NULL")[0]


def _hash_before(cur, from_seq: int) -> str:
    """The stored hash a range starting at `from_seq` must link to."""
    if from_seq <= 1:
        return GENESIS
    cur.execute("SELECT hash FROM audit_entries "  # noqa: S608
                f"WHERE seq = {int(from_seq) - 1}")
    row = cur.fetchone()
    return row[0] if row else GENESIS


# --- PostgreSQL: the server checks every row, only the first bad one leaves ------

def _first_bad_sql(before: int, first: int, last: int) -> str:
    """The first row (in seq order) of `first..last` that breaks the chain.

    The inner query recomputes each row's hash with `hash_sql`, the
    expression sealing uses; `OFFSET 0` keeps it a separate step below the
    window, where PostgreSQL's parallel workers can hash rows (a window
    query's other expressions would be computed above the window, by one
    process). `lag` then gives each row its predecessor's seq and stored
    hash (for the range's first row: `before` and the `%(start)s` hash it
    must follow). Returns that row's seq, its predecessor's seq and hash,
    and whether its own hash matches.
    """
    return (
        "SELECT seq, prev_seq, prev, ok_hash FROM ("  # noqa: S608 - ints only
        " SELECT seq, prev_hash, ok_hash,"
        f" lag(seq, 1, {int(before)}::bigint) OVER w AS prev_seq,"
        " lag(hash::text, 1, %(start)s::text) OVER w AS prev FROM ("
        f"  SELECT seq, prev_hash, hash, hash IS NOT DISTINCT FROM {hash_sql()}"
        f"  AS ok_hash FROM audit_entries WHERE seq BETWEEN {int(first)}"
        f"  AND {int(last)} ORDER BY seq OFFSET 0) AS hashed"
        " WINDOW w AS (ORDER BY seq)) AS chain"
        " WHERE seq <> prev_seq + 1 OR NOT ok_hash OR prev_hash IS DISTINCT FROM prev"
        " ORDER BY seq LIMIT 1"
    )


def _check_in_server(cur, from_seq: int,
                     to_seq: int | None) -> tuple[int, str, Problem | None]:
    """`(last good seq, its hash, first problem)` of the range, PostgreSQL."""
    start = _hash_before(cur, from_seq)
    upto = f" AND seq <= {int(to_seq)}" if to_seq is not None else ""
    # The head is fixed first: rows sealed while we check are left for later.
    cur.execute("SELECT seq, hash FROM audit_entries "  # noqa: S608
                f"WHERE seq >= {int(from_seq)}{upto} ORDER BY seq DESC LIMIT 1")
    head = cur.fetchone()
    if head is None:
        return from_seq - 1, start, None
    cur.execute(_first_bad_sql(from_seq - 1, from_seq, head[0]), {"start": start})
    bad = cur.fetchone()
    if bad is None:
        return head[0], head[1], None
    seq, prev_seq, prev, ok_hash = bad
    if seq != prev_seq + 1:
        problem = _missing(prev_seq + 1, seq)
    elif not ok_hash:
        problem = _changed(seq)
    else:
        cur.execute("SELECT prev_hash FROM audit_entries "  # noqa: S608
                    f"WHERE seq = {int(seq)}")
        wanted = cur.fetchone()[0]
        cur.execute(
            "SELECT seq FROM audit_entries WHERE seq > %(seq)s "
            "AND seq <= %(until)s AND hash = %(wanted)s ORDER BY seq LIMIT 1",
            {"seq": seq, "until": min(seq + _LOOKAHEAD, head[0]), "wanted": wanted})
        found = cur.fetchone()
        problem = _unlinked(seq, found[0] if found else None)
    return prev_seq, prev, problem


# --- SQLite and --client-hash: rows streamed and hashed here --------------------

def _payload_rows(cur, dialect: str, from_seq: int,
                  to_seq: int | None) -> Iterator[tuple]:
    """`(seq, hash, prev_hash, payload)` in seq order."""
    upto = f" AND seq <= {int(to_seq)}" if to_seq is not None else ""
    query = (f"SELECT seq, hash, prev_hash, {payload_sql(dialect)} "  # noqa: S608
             f"FROM audit_entries WHERE seq >= {int(from_seq)}{upto} ORDER BY seq")
    if dialect == "postgresql":
        yield from cur.stream(query)
        return
    cur.execute(query)
    while batch := cur.fetchmany(5000):
        yield from batch


def _check_here(cur, dialect: str, from_seq: int, to_seq: int | None,
                progress: Callable[[int], None] | None,
                every: int) -> tuple[int, str, Problem | None]:
    """`(last good seq, its hash, first problem)`, hashing every row here."""
    sha256 = hashlib.sha256
    expect, prev = from_seq, _hash_before(cur, from_seq)
    rows = _payload_rows(cur, dialect, from_seq, to_seq)
    problem = None
    for seq, digest, link, payload in rows:
        if seq != expect:
            problem = _missing(expect, seq)
            break
        if sha256(((link or "") + payload).encode()).hexdigest() != digest:
            problem = _changed(seq)
            break
        if link != prev:
            found = next((row[0] for _, row in zip(range(_LOOKAHEAD), rows,
                                                   strict=False) if row[1] == link),
                         None)
            problem = _unlinked(seq, found)
            break
        prev, expect = digest, seq + 1
        if progress and (seq - from_seq + 1) % every == 0:
            progress(seq - from_seq + 1)
    rows.close()
    return expect - 1, prev, problem


def verify(engine, *, from_seq: int = 1, to_seq: int | None = None,
           progress: Callable[[int], None] | None = None,
           every: int = 100_000, client_hash: bool = False) -> VerifyResult:
    """Check the chain from `from_seq` (1: all of it) to `to_seq` (or the head).

    PostgreSQL checks every row itself unless `client_hash` (we then hash
    the payload it builds, as on SQLite; `progress` is called only then). A
    range starting past 1 trusts the stored hash of the row before it;
    `verify_parallel` checks that row in the neighbouring range.
    """
    dialect = engine.dialect.name
    raw, cur = _cursor_of(engine)
    try:
        if dialect == "postgresql" and not client_hash:
            last, head_hash, problem = _check_in_server(cur, from_seq, to_seq)
        else:
            last, head_hash, problem = _check_here(cur, dialect, from_seq, to_seq,
                                                   progress, every)
    finally:
        cur.close()
        raw.rollback()
        raw.close()
    if problem is None and to_seq is not None and last < to_seq:
        problem = _missing(last + 1)
    unsealed = unsealed_count(engine) if to_seq is None else 0
    return VerifyResult(last - from_seq + 1, unsealed, last, head_hash, problem)


def verify_parallel(engine, workers: int | None = None,
                    min_rows: int = 200_000) -> VerifyResult:
    """`verify` split by seq range over connections at once (PostgreSQL).

    Each range is checked by its own server process, so the work spreads
    over the server's CPUs; ranges are independent because each row stores
    its predecessor's hash. Threads suffice here: they only wait for the
    server.
    """
    workers = workers or os.cpu_count() or 1
    head = _scalar(engine, "SELECT max(seq) FROM audit_entries")[0] or 0
    if engine.dialect.name != "postgresql" or workers < 2 or head < min_rows:
        return verify(engine)
    size = -(-head // workers)
    starts = list(range(1, head + 1, size))
    ends = [min(s + size - 1, head) for s in starts]
    # Its own connections: the app's pool may hold fewer than `workers`.
    ranges = sa.create_engine(engine.url, poolclass=NullPool)
    try:
        with ThreadPoolExecutor(len(starts)) as pool:
            parts = list(pool.map(
                lambda first, last: verify(ranges, from_seq=first, to_seq=last),
                starts, ends))
    finally:
        ranges.dispose()
    # Up to the first range with a problem, as `verify` would have stopped.
    bad = next((i for i, p in enumerate(parts) if p.problem), len(parts) - 1)
    last = parts[bad]
    return VerifyResult(sum(p.count for p in parts[:bad + 1]), unsealed_count(engine),
                        last.head_seq, last.head_hash, last.problem)


# --- checkpoints ----------------------------------------------------------------

class CheckpointError(ValueError):
    """A checkpoint cannot be made or read (no key, bad file, bad signature)."""


def _signature(body: dict, key: str) -> str:
    message = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def _need_key(key: str | None) -> str:
    if not key:
        raise CheckpointError(
            "AUDIT_CHECKPOINT_KEY belum diatur / AUDIT_CHECKPOINT_KEY is not set: "
            "export a long random key, kept outside the database"
        )
    return key


def make_checkpoint(engine, key: str | None, now: datetime) -> dict:
    """Signed head of the sealed chain: seq, hash, time (UTC) and HMAC-SHA256."""
    key = _need_key(key)
    head = _scalar(engine, "SELECT seq, hash FROM audit_entries WHERE seq IS NOT NULL "
                           "ORDER BY seq DESC LIMIT 1") or (0, GENESIS)
    body = {"seq": int(head[0]), "hash": head[1], "at": now.isoformat()}
    return {**body, "hmac": _signature(body, key)}


def check_checkpoint(engine, checkpoint: dict, key: str | None) -> Problem | None:
    """None if the signature holds and the chain still has that hash at that seq."""
    key = _need_key(key)
    try:
        body = {k: checkpoint[k] for k in ("seq", "hash", "at")}
        given = str(checkpoint["hmac"])
    except (KeyError, TypeError) as exc:
        raise CheckpointError(
            f"berkas checkpoint rusak / bad checkpoint: {exc}"
        ) from exc
    if not hmac.compare_digest(_signature(body, key), given):
        raise CheckpointError(
            "tanda tangan checkpoint salah / checkpoint signature invalid"
        )
    seq = int(body["seq"])
    if seq == 0:
        return None
    query = f"SELECT hash FROM audit_entries WHERE seq = {seq}"  # noqa: S608
    row = _scalar(engine, query)
    if row is None:
        return Problem(seq, "missing", f"seq {seq} dari checkpoint tidak ada / "
                       "checkpoint's entry missing")
    if row[0] != body["hash"]:
        return Problem(seq, "changed", f"hash seq {seq} berbeda dari checkpoint / "
                       "history up to the checkpoint was rewritten")
    return None
