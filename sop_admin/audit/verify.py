"""Verification of the hash chain, and signed checkpoints of its head.

`verify` streams sealed rows in `seq` order and checks, for each row: its `seq`
follows the previous one (else "missing"), its hash matches its content
(else "changed"), and its `prev_hash` is the previous row's hash (else
"reordered" when that hash turns up later in the chain, "missing" when it
never does: a row was removed and the rest renumbered). On PostgreSQL the
server hashes each row (`chain.hash_sql`) and `COPY ... TO STDOUT` streams
only seq and three hex hashes; with `client_hash` (and on SQLite) the
SQL-built payload is fetched and hashed here.

A chain alone can be rewritten end to end by someone who can write to the
database; a checkpoint (head seq and hash, HMAC-signed with a key kept
outside the database) kept elsewhere proves the history up to it unchanged.
"""

import hashlib
import hmac
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
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


def _rows(engine, from_seq: int, to_seq: int | None,
          client_hash: bool) -> Iterator[tuple]:
    """`(seq, hash, prev_hash, x)` in seq order; x is the hash PostgreSQL
    computed, or (client_hash, SQLite) the payload for us to hash."""
    dialect = engine.dialect.name
    server = dialect == "postgresql" and not client_hash
    last = hash_sql() if server else payload_sql(dialect)
    upto = f" AND seq <= {int(to_seq)}" if to_seq is not None else ""
    query = (f"SELECT seq, hash, prev_hash, {last} FROM audit_entries "  # noqa: S608
             f"WHERE seq >= {int(from_seq)}{upto} ORDER BY seq")
    raw = engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()
        if server:
            yield from _copy_rows(cur, query)
        elif dialect == "postgresql":
            yield from cur.stream(query)
        else:
            cur.execute(query)
            while batch := cur.fetchmany(5000):
                yield from batch
        cur.close()
    finally:
        raw.rollback()
        raw.close()


def _copy_rows(cur, query: str) -> Iterator[tuple]:
    """COPY text rows of (seq, hash, prev_hash, computed), split by us.

    COPY escapes tabs, newlines and backslashes inside values, so a line is
    a row and a tab separates fields; NULL arrives as `\\N` (never a hash).
    Blocks are decoded as Latin-1: one character per byte, so a block may end
    mid-character and values (hex when intact) compare exactly.
    """
    rest = ""
    with cur.copy(f"COPY ({query}) TO STDOUT") as copy:
        for block in copy:
            lines = (rest + bytes(block).decode("latin-1")).split("\n")
            rest = lines.pop()
            for line in lines:
                seq, digest, prev, computed = line.split("\t")
                yield int(seq), digest, prev, computed


def _scalar(engine, sql: str):
    raw = engine.raw_connection()
    try:
        cur = raw.driver_connection.cursor()
        cur.execute(sql)
        value = cur.fetchone()
        cur.close()
        return value
    finally:
        raw.rollback()
        raw.close()


def unsealed_count(engine) -> int:
    return _scalar(engine, "SELECT count(*) FROM audit_entries WHERE seq IS NULL")[0]


def verify(engine, *, from_seq: int = 1, to_seq: int | None = None,
           progress: Callable[[int], None] | None = None,
           every: int = 100_000, client_hash: bool = False) -> VerifyResult:
    """Check the chain from `from_seq` (1: all of it) to `to_seq` (or the head).

    PostgreSQL hashes each row itself unless `client_hash` (we then hash
    the payload it builds, as on SQLite). A range starting past 1 trusts the
    stored hash of the row before it; `verify_parallel` checks that row in
    the neighbouring range.
    """
    sha256 = hashlib.sha256
    server = engine.dialect.name == "postgresql" and not client_hash
    expect, prev, count = from_seq, GENESIS, 0
    if from_seq > 1:
        before = _scalar(engine, "SELECT hash FROM audit_entries "  # noqa: S608
                                 f"WHERE seq = {int(from_seq) - 1}")
        prev = before[0] if before else GENESIS
    problem, rows = None, _rows(engine, from_seq, to_seq, client_hash)
    for seq, digest, link, last in rows:
        if seq != expect:
            problem = Problem(expect, "missing", f"baris seq {expect} hilang / missing "
                              f"(next found: {seq})")
            break
        computed = last if server else sha256(
            ((link or "") + last).encode()).hexdigest()
        if computed != digest:
            problem = Problem(seq, "changed", f"isi baris seq {seq} diubah / content "
                              "changed (hash does not match)")
            break
        if link != prev:
            problem = _broken_link(seq, link, rows)
            break
        prev, expect, count = digest, seq + 1, count + 1
        if progress and count % every == 0:
            progress(count)
    rows.close()
    if problem is None and to_seq is not None and expect <= to_seq:
        problem = Problem(expect, "missing", f"baris seq {expect} hilang / missing")
    unsealed = unsealed_count(engine) if to_seq is None else 0
    return VerifyResult(count, unsealed, expect - 1, prev, problem)


def _verify_range(url: str, from_seq: int, to_seq: int,
                  client_hash: bool = False) -> VerifyResult:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        return verify(engine, from_seq=from_seq, to_seq=to_seq,
                      client_hash=client_hash)
    finally:
        engine.dispose()


def verify_parallel(engine, workers: int | None = None, min_rows: int = 200_000,
                    client_hash: bool = False) -> VerifyResult:
    """`verify` split over processes by seq range (PostgreSQL, big chains).

    Verification is bound by one CPU fetching and hashing rows; ranges are
    independent because each row stores its predecessor's hash.
    """
    workers = workers or os.cpu_count() or 1
    head = _scalar(engine, "SELECT max(seq) FROM audit_entries")[0] or 0
    if engine.dialect.name != "postgresql" or workers < 2 or head < min_rows:
        return verify(engine, client_hash=client_hash)
    size = -(-head // workers)
    starts = list(range(1, head + 1, size))
    ends = [min(s + size - 1, head) for s in starts]
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(len(starts), mp_context=context) as pool:
        parts = list(pool.map(_verify_range, [url] * len(starts), starts, ends,
                              [client_hash] * len(starts)))
    problem = next((p.problem for p in parts if p.problem), None)
    return VerifyResult(sum(p.count for p in parts), unsealed_count(engine),
                        parts[-1].head_seq, parts[-1].head_hash, problem)


def _broken_link(seq: int, wanted: str, rows: Iterator[tuple]) -> Problem:
    for _, row in zip(range(_LOOKAHEAD), rows, strict=False):
        if row[1] == wanted:
            return Problem(seq, "reordered",
                           f"urutan berubah di seq {seq} / reordered: "
                           f"its predecessor now sits at seq {row[0]}")
    return Problem(seq, "missing", f"baris sebelum seq {seq} hilang / missing: "
                   "link to the previous row broken (rows removed and renumbered)")


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
