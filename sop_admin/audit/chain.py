"""Sealing: give committed audit rows their chain position and hash.

Each entry's hash is SHA-256 over the UTF-8 of its previous entry's hash
followed by a canonical payload of its content, all as text: the timestamp
formatted by us, ids as decimal strings, the old/new values as the exact
text the trigger stored (a TEXT column, never re-rendered by the engine).
The payload is length-prefixed (`payload_sql`), built by the database in
one SQL expression used by both sealing and verification, so PostgreSQL can
hash rows itself when verifying; `payload_text` is the same in Python. `seq` and
`id` are not hashed: the chain itself fixes the order, so a swapped `seq`
shows up as a broken link ("reordered") rather than as changed content.

Sealing runs on a raw DBAPI cursor so it can run inside the commit of the
writing transaction (see `listeners.on_commit`): the chain head is locked
(PostgreSQL: an advisory transaction lock; SQLite: the database write lock),
the head is read, and every visible unsealed row, ordered by id, gets the
next `seq`. Writers therefore take turns only for the few milliseconds
between sealing and commit, and rows written outside the app (psql, the
sqlite3 shell) are sealed by the next writer or by `flask audit seal`.
On PostgreSQL, once its migration has made `audit_seal`, the server runs
those same steps in one call (`seal_function_sql`).
"""

import hashlib

from .context import SEALER, schema_has

GENESIS = "0" * 64
#: pg_advisory_xact_lock key of the chain head ("SOPA" in ASCII).
LOCK_KEY = 0x534F5041
#: Content columns in hash order (after the previous hash).
CONTENT = (
    "at", "table_name", "row_key", "operation", "old_values", "new_values",
    "office_id", "parent_table", "parent_key", "actor_id", "actor_name",
    "access_level", "client_ip", "user_agent", "request_id", "interface", "reason",
)
#: A NULL field in the payload (a present field always starts with a digit).
NULL = "~"
_AT = {
    "postgresql": "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    "sqlite": "replace(at, ' ', 'T') || 'Z'",
}
_TEXT = {"postgresql": "{}::text", "sqlite": "CAST({} AS TEXT)"}
#: UTF-8 byte length of a text expression (SQLite's length() would count
#: characters and stop at the first NUL; the database encoding is UTF-8).
_BYTES = {"postgresql": "octet_length({})", "sqlite": "length(CAST({} AS BLOB))"}


def content_sql(dialect: str) -> list[str]:
    """One text expression per `CONTENT` column, as the engine renders it."""
    parts = []
    for name in CONTENT:
        if name == "at":
            parts.append(_AT[dialect])
        elif dialect == "sqlite" or name in ("office_id", "actor_id"):
            parts.append(_TEXT[dialect].format(name))
        else:
            parts.append(name)
    return parts


def payload_sql(dialect: str) -> str:
    """The canonical payload as ONE SQL expression (sealing and verifying).

    For each content field `<UTF-8 byte length>:<text>` (netstring style),
    NULL as `~`: unambiguous, so no two contents give the same payload, and
    the same text on both engines for the same content (`payload_text`).
    """
    text, size = _TEXT[dialect], _BYTES[dialect]
    # `||` with NULL is NULL on both engines; coalesce (not CASE) evaluates
    # each field twice instead of three times (to_char is not cheap).
    fields = [
        f"coalesce({text.format(size.format(x))} || ':' || {x}, '{NULL}')"
        for x in (f"({e})" for e in content_sql(dialect))
    ]
    return " || ".join(fields)


def hash_sql() -> str:
    """PostgreSQL: the row's chain hash computed by the server (hex)."""
    return ("encode(pg_catalog.sha256(convert_to(coalesce(prev_hash, '') || "
            f"{payload_sql('postgresql')}, 'UTF8')), 'hex')")


def columns_sql(dialect: str) -> str:
    """`seq, id, hash, prev_hash, payload`."""
    return f"seq, id, hash, prev_hash, {payload_sql(dialect)}"


def payload_text(values) -> str:
    """What `payload_sql` builds, from the content values as text (reference)."""
    return "".join(NULL if v is None else f"{len(v.encode())}:{v}" for v in values)


def chain_hash(prev: str | None, payload: str) -> str:
    """SHA-256 hex of the UTF-8 of the previous hash followed by the payload."""
    return hashlib.sha256(((prev or "") + payload).encode()).hexdigest()


def _lock(dialect: str, cur) -> None:
    if dialect == "postgresql":
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
    else:
        # Any write takes SQLite's database lock; this one changes nothing.
        cur.execute("UPDATE audit_context SET id = id WHERE 0")


def seal_cursor(dialect: str, cur, limit: int | None = None, *,
                in_server: bool = False) -> int:
    """Seal unsealed rows visible to this transaction; returns how many.

    `in_server` (PostgreSQL, once the migration made `audit_seal`): the
    server does it all in one call, so a commit costs one round trip for
    sealing instead of four.
    """
    if in_server:
        cur.execute(f"SELECT {SEAL_FUNCTION}(%s)", (limit,))
        return cur.fetchone()[0]
    _lock(dialect, cur)
    cur.execute(
        "SELECT seq, hash FROM audit_entries WHERE seq IS NOT NULL "
        "ORDER BY seq DESC LIMIT 1"
    )
    head = cur.fetchone()
    seq, prev = head if head else (0, GENESIS)
    query = (f"SELECT {columns_sql(dialect)} FROM audit_entries "  # noqa: S608
             "WHERE seq IS NULL ORDER BY id")
    cur.execute(query + (f" LIMIT {int(limit)}" if limit else ""))
    rows = cur.fetchall()
    ids, seqs, prevs, hashes = [], [], [], []
    for row in rows:
        seq += 1
        digest = chain_hash(prev, row[4])
        ids.append(row[1])
        seqs.append(seq)
        prevs.append(prev)
        hashes.append(digest)
        prev = digest
    if not rows:
        return 0
    if dialect == "postgresql":
        cur.execute(
            "UPDATE audit_entries AS a SET seq = v.seq, prev_hash = v.prev, "
            "hash = v.h FROM unnest(%s::bigint[], %s::bigint[], %s::text[], "
            "%s::text[]) AS v(id, seq, prev, h) WHERE a.id = v.id",
            (ids, seqs, prevs, hashes),
        )
    else:
        cur.executemany(
            "UPDATE audit_entries SET seq = ?, prev_hash = ?, hash = ? WHERE id = ?",
            list(zip(seqs, prevs, hashes, ids, strict=True)),
        )
    return len(rows)


#: PostgreSQL function that seals like `seal_cursor` (made by a migration).
SEAL_FUNCTION = "audit_seal"


def seal_function_sql() -> str:
    """`CREATE FUNCTION audit_seal(max_rows)`: `seal_cursor` inside the server.

    Same lock, same head, same order and the very hash expression
    verification uses (`hash_sql`), row by row. Each statement of a
    (volatile) PL/pgSQL function takes a fresh snapshot, so the head is read
    after the lock is held, as in the client-side version.
    """
    # Built from our own constants, no outside input.
    return f"""CREATE OR REPLACE FUNCTION {SEAL_FUNCTION}(max_rows integer)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
  v_seq bigint;
  v_prev text;
  v_hash text;
  v_row record;
  v_count integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock({LOCK_KEY});
  SELECT seq, hash INTO v_seq, v_prev FROM audit_entries
   WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
  IF NOT FOUND THEN
    v_seq := 0;
    v_prev := '{GENESIS}';
  END IF;
  FOR v_row IN SELECT id, {payload_sql("postgresql")} AS payload
                 FROM audit_entries WHERE seq IS NULL ORDER BY id LIMIT max_rows
  LOOP
    v_seq := v_seq + 1;
    v_hash := encode(pg_catalog.sha256(convert_to(v_prev || v_row.payload, 'UTF8')),
                     'hex');
    UPDATE audit_entries SET seq = v_seq, prev_hash = v_prev, hash = v_hash
     WHERE id = v_row.id;
    v_prev := v_hash;
    v_count := v_count + 1;
  END LOOP;
  RETURN v_count;
END $fn$"""  # noqa: S608


def seals_in_server(conn, cur) -> bool:
    """Whether this database has `audit_seal` (see `context.schema_has`)."""
    return conn.dialect.name == "postgresql" and schema_has(
        conn, cur, SEALER,
        f"SELECT to_regprocedure('{SEAL_FUNCTION}(integer)') IS NOT NULL")


def seal(engine, batch: int = 20_000) -> int:
    """Seal everything unsealed, in batches of its own transactions."""
    total = 0
    with engine.connect() as conn:
        while True:
            with conn.begin():
                cur = conn.connection.driver_connection.cursor()
                try:
                    done = seal_cursor(engine.dialect.name, cur, batch,
                                       in_server=seals_in_server(conn, cur))
                finally:
                    cur.close()
            total += done
            if done < batch:
                return total
