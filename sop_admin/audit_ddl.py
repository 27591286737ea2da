"""Audit triggers: DDL generated from the live schema, for SQLite and PostgreSQL.

Triggers are the one layer that sees every write: ORM flushes, bulk
`update()`/`delete()`, raw SQL, upserts, cascades and writers outside the app.
They use only built-in SQL (a SQLite trigger calling a Python function would
break every other writer with "no such function").

The DDL is generated from the *reflected* database, not from the models, so a
migration produces triggers matching the schema as it is at that revision.
Every later migration that creates a table, adds a column or rebuilds a table
(SQLite batch mode drops triggers) must end with::

    from sop_admin.audit_ddl import install_triggers
    install_triggers(op.get_bind(), ["new_or_changed_table"])

`tests/test_audit_triggers.py` fails if any table of the models lacks them.
"""
# ruff: noqa: S608  (SQL built from reflected identifiers, never from user input)

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

#: Tables never audited: the log itself, its context row and Alembic's marker.
EXCLUDED = frozenset({"audit_entries", "audit_context", "alembic_version"})
#: Shown instead of secret values; the change itself is still recorded.
REDACTED_TEXT = "[disembunyikan]"
#: Columns that count as secrets, by name (passwords, token hashes, keys).
SECRET_MARKERS = ("password", "secret", "token_hash", "code_hash", "api_key")
_UNCHANGED_PATH = '$."~"'  # a key no table has: json_remove() leaves the value
_CONTEXT = (
    "actor_id", "actor_name", "access_level", "client_ip", "user_agent",
    "request_id", "interface", "reason",
)
_TARGET = (
    "at, table_name, row_key, operation, old_values, new_values, office_id, "
    "parent_table, parent_key, " + ", ".join(_CONTEXT)
)


def is_secret(column: str) -> bool:
    return any(marker in column for marker in SECRET_MARKERS)


@dataclass
class TableShape:
    """What the trigger needs to know about one table."""

    name: str
    columns: list[str]
    binary: set[str]
    key: list[str]
    #: (column, parent table, parent column) that gives the row's office.
    office: tuple[str, str | None, str | None] | None
    #: (column, parent table) for child rows shown in the parent's history.
    parent: tuple[str, str] | None


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def reflect(conn: Connection, table: str) -> TableShape:
    insp = sa.inspect(conn)
    cols = insp.get_columns(table)
    names = [c["name"] for c in cols]
    binary = {c["name"] for c in cols if isinstance(c["type"], sa.LargeBinary)}
    key = insp.get_pk_constraint(table)["constrained_columns"] or names[:1]
    fks = sorted(
        (fk for fk in insp.get_foreign_keys(table)
         if len(fk["constrained_columns"]) == 1),
        key=lambda fk: fk["constrained_columns"][0],
    )
    # A child row belongs to the row its cascading key points at; a link
    # table (every column part of the key) to its first key's row.
    link_table = set(key) == set(names)
    if link_table:
        fks.sort(key=lambda fk: key.index(fk["constrained_columns"][0]))
    parent_fk = next(
        (fk for fk in fks
         if fk["referred_table"] != table
         and ((fk.get("options") or {}).get("ondelete", "").upper() == "CASCADE"
              or link_table)),
        None,
    )
    parent = parent_fk and (parent_fk["constrained_columns"][0],
                            parent_fk["referred_table"])
    # The office comes from the row itself, else from its parent (never from
    # another key such as an actor's user row: that is not the row's office).
    office = None
    if "office_id" in names:
        office = ("office_id", None, None)
    elif table == "offices":
        office = ("id", None, None)
    elif parent_fk and "office_id" in {
        c["name"] for c in insp.get_columns(parent_fk["referred_table"])
    }:
        office = (parent_fk["constrained_columns"][0], parent_fk["referred_table"],
                  parent_fk["referred_columns"][0])
    return TableShape(table, names, binary, key, office, parent)


def audited_tables(conn: Connection) -> list[str]:
    return sorted(set(sa.inspect(conn).get_table_names()) - EXCLUDED)


# --- expressions shared by both dialects -------------------------------------

def _value(shape: TableShape, ref: str, col: str, length_fn: str) -> str:
    raw = f"{ref}.{_q(col)}"
    if col in shape.binary:
        return (f"CASE WHEN {raw} IS NULL THEN NULL "
                f"ELSE '[biner ' || {length_fn}({raw}) || ' byte]' END")
    if is_secret(col):
        return f"CASE WHEN {raw} IS NULL THEN NULL ELSE '{REDACTED_TEXT}' END"
    return raw


def _office(shape: TableShape, ref: str) -> str:
    if shape.office is None:
        return "NULL"
    col, parent, parent_col = shape.office
    if parent is None:
        return f"{ref}.{_q(col)}"
    return (f"(SELECT office_id FROM {_q(parent)} "
            f"WHERE {_q(parent_col)} = {ref}.{_q(col)})")


def _parent(shape: TableShape, ref: str, cast: str) -> tuple[str, str]:
    if shape.parent is None:
        return "NULL", "NULL"
    col, table = shape.parent
    return f"'{table}'", cast.format(f"{ref}.{_q(col)}")


def _key(shape: TableShape, ref: str, cast: str) -> str:
    return " || ',' || ".join(cast.format(f"{ref}.{_q(c)}") for c in shape.key)


# --- SQLite --------------------------------------------------------------------

_SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"
_SQLITE_CAST = "CAST({} AS TEXT)"


def _sqlite_json(shape: TableShape, ref: str) -> str:
    pairs = ", ".join(
        f"'{c}', {_value(shape, ref, c, 'length')}" for c in shape.columns
    )
    return f"json_object({pairs})"


def _sqlite_trigger(shape: TableShape, op: str) -> str:
    ref = "OLD" if op == "delete" else "NEW"
    old = _sqlite_json(shape, "OLD") if op != "insert" else "NULL"
    new = _sqlite_json(shape, "NEW") if op != "delete" else "NULL"
    when = ""
    if op == "update":
        paths = ", ".join(
            f"CASE WHEN NEW.{_q(c)} IS OLD.{_q(c)} THEN '$.{c}' "
            f"ELSE '{_UNCHANGED_PATH}' END"
            for c in shape.columns
        )
        old, new = f"json_remove({old}, {paths})", f"json_remove({new}, {paths})"
        when = "WHEN " + " OR ".join(
            f"NEW.{_q(c)} IS NOT OLD.{_q(c)}" for c in shape.columns
        )
    ptable, pkey = _parent(shape, ref, _SQLITE_CAST)
    context = ", ".join(
        "COALESCE(c.interface, 'sql')" if c == "interface" else f"c.{c}"
        for c in _CONTEXT
    )
    return (
        f"CREATE TRIGGER audit_{shape.name}_{op} AFTER {op.upper()} "
        f"ON {_q(shape.name)} {when} BEGIN "
        f"INSERT INTO audit_entries ({_TARGET}) SELECT {_SQLITE_NOW}, "
        f"'{shape.name}', {_key(shape, ref, _SQLITE_CAST)}, '{op}', {old}, {new}, "
        f"{_office(shape, ref)}, {ptable}, {pkey}, {context} "
        "FROM (SELECT 1) LEFT JOIN audit_context c ON c.id = 1; END"
    )


# --- PostgreSQL ----------------------------------------------------------------

_PG_CAST = "({})::text"
_PG_LEN = "octet_length"


def _pg_setting(name: str) -> str:
    return f"NULLIF(current_setting('sop_admin.{name}', true), '')"


def _pg_full(shape: TableShape, ref: str) -> str:
    special = [c for c in shape.columns if c in shape.binary or is_secret(c)]
    if not special:
        return f"to_jsonb({ref})"
    names = ", ".join(f"'{c}'" for c in special)
    pairs = ", ".join(
        f"'{c}', {_value(shape, ref, c, 'octet_length')}" for c in special
    )
    return f"((to_jsonb({ref}) - ARRAY[{names}]) || jsonb_build_object({pairs}))"


def _pg_function(shape: TableShape) -> str:
    diffs = "\n".join(
        f"    IF NEW.{_q(c)} IS DISTINCT FROM OLD.{_q(c)} THEN "
        f"o := o || jsonb_build_object('{c}', {_value(shape, 'OLD', c, _PG_LEN)}); "
        f"n := n || jsonb_build_object('{c}', {_value(shape, 'NEW', c, _PG_LEN)}); "
        "END IF;"
        for c in shape.columns
    )
    ptable, pkey = _parent(shape, "r", _PG_CAST)
    actor = ", ".join(
        {
            "actor_id": f"{_pg_setting('actor_id')}::integer",
            "actor_name": f"CASE WHEN iface IS NULL THEN session_user::text "
                          f"ELSE {_pg_setting('actor_name')} END",
            "client_ip": f"CASE WHEN iface IS NULL THEN host(inet_client_addr()) "
                         f"ELSE {_pg_setting('client_ip')} END",
            "interface": "COALESCE(iface, 'sql')",
        }.get(c, _pg_setting(c))
        for c in _CONTEXT
    )
    return f"""
CREATE OR REPLACE FUNCTION audit_row_{shape.name}() RETURNS trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  o jsonb; n jsonb; r record; iface text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    r := NEW; n := {_pg_full(shape, 'NEW')};
  ELSIF TG_OP = 'DELETE' THEN
    r := OLD; o := {_pg_full(shape, 'OLD')};
  ELSE
    r := NEW; o := '{{}}'::jsonb; n := '{{}}'::jsonb;
{diffs}
    IF n = '{{}}'::jsonb THEN RETURN NULL; END IF;
  END IF;
  iface := {_pg_setting('interface')};
  INSERT INTO audit_entries ({_TARGET}) VALUES (
    clock_timestamp(), '{shape.name}', {_key(shape, 'r', _PG_CAST)}, lower(TG_OP),
    o::text, n::text, {_office(shape, 'r')}, {ptable}, {pkey}, {actor});
  RETURN NULL;
END $fn$"""


# --- the log itself: append-only ----------------------------------------------

#: Columns a sealer may fill once; every other column is frozen on insert.
SEAL_COLUMNS = ("seq", "prev_hash", "hash")
_APPEND_ONLY = "audit_entries hanya bisa ditambah / audit_entries is append-only"


def _frozen_columns(conn: Connection) -> list[str]:
    names = [c["name"] for c in sa.inspect(conn).get_columns("audit_entries")]
    return [c for c in names if c not in SEAL_COLUMNS]


def guard_ddl(conn: Connection) -> list[str]:
    """Refuse DELETE (and TRUNCATE), and any UPDATE but sealing an unsealed row."""
    frozen = _frozen_columns(conn)
    if conn.dialect.name == "postgresql":
        changed = " OR ".join(
            f"NEW.{_q(c)} IS DISTINCT FROM OLD.{_q(c)}" for c in frozen
        )
        return [
            f"""CREATE OR REPLACE FUNCTION audit_entries_guard() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.hash IS NOT NULL
       AND NOT ({changed}) THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION '{_APPEND_ONLY} (%)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $fn$""",
            "DROP TRIGGER IF EXISTS audit_entries_append_only ON audit_entries",
            "CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE "
            "ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_guard()",
            "DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries",
            "CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE "
            "ON audit_entries FOR EACH STATEMENT "
            "EXECUTE FUNCTION audit_entries_guard()",
        ]
    changed = " OR ".join(f"NEW.{_q(c)} IS NOT OLD.{_q(c)}" for c in frozen)
    return [
        "DROP TRIGGER IF EXISTS audit_entries_no_delete",
        "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
        f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END",
        "DROP TRIGGER IF EXISTS audit_entries_seal_only",
        "CREATE TRIGGER audit_entries_seal_only BEFORE UPDATE ON audit_entries "
        f"WHEN OLD.seq IS NOT NULL OR NEW.seq IS NULL OR NEW.hash IS NULL OR {changed} "
        f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END",
    ]


def _run(conn: Connection, statement: str) -> None:
    # psycopg treats % as a placeholder even when no parameters are given.
    if conn.dialect.name == "postgresql":
        statement = statement.replace("%", "%%")
    conn.exec_driver_sql(statement)


def install_guards(conn: Connection) -> None:
    for statement in guard_ddl(conn):
        _run(conn, statement)


# --- public API ----------------------------------------------------------------

def trigger_ddl(conn: Connection, table: str) -> list[str]:
    """Statements that (re)create the audit triggers of one table."""
    shape = reflect(conn, table)
    if conn.dialect.name == "postgresql":
        return [
            _pg_function(shape),
            f"DROP TRIGGER IF EXISTS audit_{table} ON {_q(table)}",
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE "
            f"ON {_q(table)} FOR EACH ROW EXECUTE FUNCTION audit_row_{table}()",
        ]
    drops = [f"DROP TRIGGER IF EXISTS audit_{table}_{op}"
             for op in ("insert", "update", "delete")]
    return drops + [_sqlite_trigger(shape, op) for op in ("insert", "update", "delete")]


def install_triggers(conn: Connection, tables: Iterable[str] | None = None) -> None:
    """Create or refresh audit triggers; `None` means every audited table."""
    for table in audited_tables(conn) if tables is None else tables:
        if table in EXCLUDED:
            raise ValueError(f"{table} is not audited")
        for statement in trigger_ddl(conn, table):
            _run(conn, statement)


def drop_triggers(conn: Connection, tables: Iterable[str]) -> None:
    """Remove audit triggers (migrations' downgrade and the benchmark's baseline)."""
    for table in tables:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS audit_{table} ON {_q(table)}")
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS audit_row_{table}()")
        else:
            for op in ("insert", "update", "delete"):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS audit_{table}_{op}")


def trigger_sql(conn: Connection) -> dict[str, str]:
    """Installed audit trigger source per table (for the completeness test)."""
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(
            "SELECT c.relname, p.prosrc FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgname LIKE 'audit\\_%%' AND NOT t.tgisinternal"
        )
        return {name: src for name, src in rows}
    found: dict[str, str] = {}
    for table, sql in conn.exec_driver_sql(
        "SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND name LIKE 'audit\\_%' ESCAPE '\\'"
    ):
        found[table] = found.get(table, "") + sql
    return found
