"""Sealing, verification, tampering detection, checkpoints and the CLI."""

import json
import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from sop_admin import audit
from sop_admin.audit.chain import (
    CONTENT,
    GENESIS,
    chain_hash,
    content_sql,
    hash_sql,
    payload_sql,
    payload_text,
)
from sop_admin.models import AuditEntry, Role

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def _roles(db, make, count=6):
    office = make.office()
    db.session.commit()
    for i in range(count):
        make.role(office, f"Jabatan {i}")
        db.session.commit()
    return office


def _tamper(db, *statements):
    """Write to the log as an attacker with the owner's rights would."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_entries_seal_only")
            conn.exec_driver_sql("DROP TRIGGER audit_entries_no_delete")
        for statement in statements:
            conn.exec_driver_sql(statement)


def test_audit_chain_sealed_at_commit_gapless(db, make):
    _roles(db, make)
    seqs = db.session.scalars(sa.select(AuditEntry.seq).order_by(AuditEntry.id)).all()
    assert seqs == list(range(1, len(seqs) + 1))
    result = audit.verify(db.engine)
    assert result.ok and result.count == len(seqs) == 7 and result.unsealed == 0


def test_audit_chain_first_entry_links_to_genesis(db, make):
    _roles(db, make, 1)
    first = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.seq == 1))
    assert first.prev_hash == GENESIS


@pytest.mark.parametrize(("statements", "seq", "kind"), [
    (["UPDATE audit_entries SET actor_name = 'Lain' WHERE seq = 3"], 3, "changed"),
    (["UPDATE audit_entries SET new_values = '{}' WHERE seq = 5"], 5, "changed"),
    (["UPDATE audit_entries SET hash = prev_hash WHERE seq = 4"], 4, "changed"),
    (["DELETE FROM audit_entries WHERE seq = 3"], 3, "missing"),
    (["UPDATE audit_entries SET seq = -1 WHERE seq = 3",
      "UPDATE audit_entries SET seq = 3 WHERE seq = 4",
      "UPDATE audit_entries SET seq = 4 WHERE seq = -1"], 3, "reordered"),
    (["DELETE FROM audit_entries WHERE seq = 3",
      "UPDATE audit_entries SET seq = -seq WHERE seq > 3",
      "UPDATE audit_entries SET seq = -seq - 1 WHERE seq < 0"], 3, "missing"),
])
@pytest.mark.parametrize("client_hash", [False, True])
def test_audit_tampering_detected_at_its_seq(db, make, statements, seq, kind,
                                             client_hash):
    _roles(db, make)
    _tamper(db, *statements)
    result = audit.verify(db.engine, client_hash=client_hash)
    assert (result.problem.seq, result.problem.kind) == (seq, kind), result.problem
    # What came before the bad row is reported as verified.
    assert result.head_seq == result.count == seq - 1


@pytest.mark.parametrize("client_hash", [False, True])
def test_audit_verify_range(db, make, client_hash):
    _roles(db, make)  # seq 1..7
    whole = audit.verify(db.engine)
    part = audit.verify(db.engine, from_seq=3, to_seq=5, client_hash=client_hash)
    assert part.ok and (part.count, part.head_seq) == (3, 5)
    tail = audit.verify(db.engine, from_seq=4, client_hash=client_hash)
    assert tail.ok and tail.count == 4
    assert (tail.head_seq, tail.head_hash) == (whole.head_seq, whole.head_hash) == (
        7, db.session.scalar(sa.select(AuditEntry.hash).where(AuditEntry.seq == 7)))
    beyond = audit.verify(db.engine, from_seq=6, to_seq=9, client_hash=client_hash)
    assert (beyond.problem.seq, beyond.problem.kind) == (8, "missing")
    # A range trusts the row before it only for the link: its first row's
    # own content is still checked.
    _tamper(db, "UPDATE audit_entries SET reason = 'x' WHERE seq = 4")
    problem = audit.verify(db.engine, from_seq=4, client_hash=client_hash).problem
    assert (problem.seq, problem.kind) == (4, "changed")


def test_audit_parallel_verify_matches_serial(db, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("parallel verification is for PostgreSQL")
    _roles(db, make, 9)
    whole = audit.verify_parallel(db.engine, workers=3, min_rows=1)
    assert whole.ok and whole.count == 10 and whole.head_seq == 10
    _tamper(db, "UPDATE audit_entries SET reason = 'x' WHERE seq = 8",
            "DELETE FROM audit_entries WHERE seq = 4")
    result = audit.verify_parallel(db.engine, workers=3, min_rows=1)
    assert (result.problem.seq, result.problem.kind) == (4, "missing")
    assert result.count == result.head_seq == 3
    serial = audit.verify(db.engine)
    assert (serial.problem.seq, serial.problem.kind, serial.count,
            serial.head_hash) == (4, "missing", 3, result.head_hash)


def _rewrite_from(db, seq):
    """Change seq's content and recompute every later hash: a full rewrite."""
    with db.engine.begin() as conn:
        dialect = conn.dialect.name
        rows = conn.exec_driver_sql(
            f"SELECT seq, {', '.join(content_sql(dialect))} "  # noqa: S608
            "FROM audit_entries ORDER BY seq").all()
    prev, updates = GENESIS, []
    for row in rows:
        content = list(row[1:])
        if row[0] == seq:
            content[10] = "Orang Lain"  # actor_name
        digest = chain_hash(prev, payload_text(content))
        updates.append((row[0], content[10], prev, digest))
        prev = digest
    statements = [
        f"UPDATE audit_entries SET actor_name = '{name}', prev_hash = '{p}', "  # noqa: S608
        f"hash = '{h}' WHERE seq = {s}" for s, name, p, h in updates if s >= seq
    ]
    _tamper(db, *statements)


def test_audit_full_rewrite_passes_chain_but_fails_checkpoint(db, make, app):
    _roles(db, make)
    key = app.config["AUDIT_CHECKPOINT_KEY"]
    checkpoint = audit.make_checkpoint(db.engine, key, NOW)
    _rewrite_from(db, 2)
    assert audit.verify(db.engine).ok
    problem = audit.check_checkpoint(db.engine, checkpoint, key)
    assert (problem.seq, problem.kind) == (checkpoint["seq"], "changed")


def test_audit_checkpoint_signature_checked(db, make, app):
    _roles(db, make, 1)
    key = app.config["AUDIT_CHECKPOINT_KEY"]
    checkpoint = audit.make_checkpoint(db.engine, key, NOW)
    assert audit.check_checkpoint(db.engine, checkpoint, key) is None
    forged = {**checkpoint, "seq": checkpoint["seq"] - 1}
    with pytest.raises(audit.CheckpointError, match="signature"):
        audit.check_checkpoint(db.engine, forged, key)
    with pytest.raises(audit.CheckpointError, match="AUDIT_CHECKPOINT_KEY"):
        audit.make_checkpoint(db.engine, None, NOW)


def test_audit_concurrent_writers_leave_gapless_valid_chain(db, make, app):
    office = make.office()
    db.session.commit()
    office_id, errors = office.id, []

    def writer(n: int) -> None:
        try:
            with app.app_context():
                for i in range(10):
                    db.session.add(Role(office_id=office_id, name=f"T{n}-{i}"))
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = audit.verify(db.engine)
    assert result.ok, result.problem
    assert result.count == 61 and result.unsealed == 0


def _outside_rows(db, count):
    """Audit rows written by a plain PostgreSQL connection, as psql would:
    nothing seals them at commit."""
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for i in range(count):
            cur.execute("UPDATE roles SET description = %s WHERE id = "
                        "(SELECT min(id) FROM roles)", (f"luar {i}",))
            raw.commit()
    finally:
        raw.close()


def test_audit_postgresql_seals_in_the_server_and_both_sealers_agree(db, make):
    """`audit_seal` (one call per commit) and the client-side sealer extend one
    chain that verifies both ways, whichever sealed which rows."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the server-side sealer is PostgreSQL's")
    _roles(db, make, 2)
    _outside_rows(db, 5)
    assert audit.unsealed_count(db.engine) == 5
    with db.engine.begin() as conn:
        cur = conn.connection.driver_connection.cursor()
        assert audit.seals_in_server(conn, cur)
        assert audit.seal_cursor("postgresql", cur, 2) == 2  # client side
        assert audit.seal_cursor("postgresql", cur, 2, in_server=True) == 2
    assert audit.unsealed_count(db.engine) == 1
    make.role(make.office(), "Jabatan baru")
    db.session.commit()  # the app's commit seals the rest in the server
    assert audit.unsealed_count(db.engine) == 0
    for client_hash in (False, True):
        result = audit.verify(db.engine, client_hash=client_hash)
        assert result.ok, result.problem
        assert result.count == 3 + 5 + 2


def test_audit_record_event_sealed_with_context(db, make):
    office = make.office()
    db.session.commit()
    token = audit.set_context("web", actor_id=9, actor_name="Rina (Arsiparis)")
    try:
        audit.record_event("pdf", {"sop": "001/2026", "paper": "F4"}, record=office)
        db.session.commit()
    finally:
        audit.reset_context(token)
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.operation == "event"))
    assert entry.seq is not None and entry.actor_name == "Rina (Arsiparis)"
    assert json.loads(entry.new_values) == {
        "event": "pdf", "paper": "F4", "sop": "001/2026"}
    assert (entry.table_name, entry.row_key, entry.office_id) == (
        "offices", str(office.id), office.id)
    assert audit.verify(db.engine).ok


#: Content that a careless canonical form would mangle or confuse.
TRICKY = {
    "actor_name": "Dési Ñoño 日本 😀",
    "reason": "baris satu\nbaris dua\r\n\ttab \\ backslash \\N 'kutip' \"ganda\"",
    "user_agent": "",
    "client_ip": None,
    "request_id": "~",
    "parent_key": "3:abc~",
}


def _tricky_rows(db):
    """Seal one event per `TRICKY` column carrying that value (and one more)."""
    for i, (column, value) in enumerate([*TRICKY.items(), ("parent_table", None)]):
        with db.engine.begin() as conn:
            conn.execute(sa.insert(AuditEntry).values(
                at=NOW, table_name="offices", row_key=str(i), operation="event",
                new_values=value if column == "reason" else "{}",
                interface="sql",
                **{column: value}))
    audit.seal(db.engine)


def test_audit_payload_same_in_python_and_sql(db):
    _tricky_rows(db)
    dialect = db.engine.dialect.name
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT prev_hash, hash, {payload_sql(dialect)}, "  # noqa: S608
            f"{', '.join(content_sql(dialect))}"
            + (f", {hash_sql()}" if dialect == "postgresql" else "")
            + " FROM audit_entries ORDER BY seq").all()
    assert len(rows) == len(TRICKY) + 1
    for row in rows:
        prev, digest, payload, content = row[0], row[1], row[2], row[3:3 + len(CONTENT)]
        assert payload == payload_text(content)
        assert chain_hash(prev, payload) == digest
        if dialect == "postgresql":
            assert row[-1] == digest
    # Both engines render the same instant the same way.
    assert rows[0][3] == "2026-11-28T10:00:00.000000Z"
    # NULL and "" and a field that looks like an encoding stay distinct.
    assert payload_text([None]) != payload_text([""]) != payload_text(["~"])
    assert payload_text(["1:a", "b"]) != payload_text(["1", "a1:b"])
    assert payload_text(["é"]) == "2:é"


@pytest.mark.parametrize("client_hash", [False, True])
@pytest.mark.parametrize(("column", "value"), [
    *((c, v) for c, v in TRICKY.items() if v is not None),
    ("actor_name", "Desi Nono 日本 😀"), ("reason", None),
    ("user_agent", None), ("client_ip", ""), ("request_id", None),
    ("parent_key", "3:abc"), ("parent_table", ""),
])
def test_audit_tricky_content_tampering_detected(db, column, value, client_hash):
    _tricky_rows(db)
    assert audit.verify(db.engine, client_hash=client_hash).ok
    values = dict(db.session.execute(
        sa.select(AuditEntry.seq, getattr(AuditEntry, column))).all())
    own = 1 + [*TRICKY, "parent_table"].index(column)  # the row made for it
    seq = own if values[own] != value else min(
        s for s, v in values.items() if v != value)
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_entries_seal_only")
        conn.execute(sa.update(AuditEntry).where(AuditEntry.seq == seq)
                     .values({column: value}))
    problem = audit.verify(db.engine, client_hash=client_hash).problem
    assert problem is not None and (problem.seq, problem.kind) == (seq, "changed")


# --- CLI ------------------------------------------------------------------------

def test_audit_cli_verify_ok_prints_count(db, make, runner):
    _roles(db, make, 2)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 3 entri" in result.output


@pytest.mark.parametrize("options", [[], ["--client-hash"]])
def test_audit_cli_verify_tampered_names_seq(db, make, runner, options):
    _roles(db, make, 3)
    assert runner.invoke(args=["audit", "verify", *options]).exit_code == 0
    _tamper(db, "UPDATE audit_entries SET reason = 'x' WHERE seq = 2")
    result = runner.invoke(args=["audit", "verify", *options])
    assert result.exit_code == 1
    assert "seq 2 changed" in result.output


def test_audit_cli_checkpoint_then_verify_against_it(db, make, runner, tmp_path):
    _roles(db, make, 2)
    path = tmp_path / "head.json"
    result = runner.invoke(args=["audit", "checkpoint", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text())["seq"] == 3
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code == 0 and "checkpoint seq 3" in result.output
    _rewrite_from(db, 1)
    result = runner.invoke(args=["audit", "verify", "--checkpoint", str(path)])
    assert result.exit_code == 1 and "seq 3 changed" in result.output


def test_audit_cli_checkpoint_without_key_explains(db, make, runner, app):
    app.config["AUDIT_CHECKPOINT_KEY"] = None
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 2
    assert "AUDIT_CHECKPOINT_KEY" in result.output


def test_audit_cli_seal_seals_rows_written_outside(db, make, runner):
    _roles(db, make, 1)
    raw = db.engine.raw_connection()  # a plain DBAPI connection, as psql would be
    try:
        raw.cursor().execute("UPDATE roles SET description = 'y'")
        raw.commit()
    finally:
        raw.close()
    assert audit.unsealed_count(db.engine) == 1
    result = runner.invoke(args=["audit", "seal"])
    assert result.exit_code == 0 and "1 entri disegel" in result.output
    assert audit.unsealed_count(db.engine) == 0
    assert audit.verify(db.engine).ok


def test_audit_cli_commands_marked_cli(db, make, app, runner):
    import click

    office = make.office()
    db.session.commit()

    @app.cli.command("touch-office")
    def touch_office():
        db.session.get(type(office), office.id).phone = "0812"
        db.session.commit()
        click.echo("ok")

    assert runner.invoke(args=["touch-office"]).exit_code == 0
    entry = db.session.scalars(
        sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.interface == "cli" and entry.actor_name.endswith("(CLI)")
