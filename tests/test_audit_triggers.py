"""Audit capture by triggers: every kind of write leaves exactly its rows."""

import json
import sqlite3

import psycopg
import pytest
import sqlalchemy as sa

from sop_admin import audit
from sop_admin.audit_ddl import EXCLUDED, REDACTED_TEXT, trigger_sql
from sop_admin.models import (
    AccessLevel,
    AuditEntry,
    Complaint,
    ComplaintStatus,
    Office,
    Role,
    SopStep,
)


def _entries(db, table=None):
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if table:
        query = query.where(AuditEntry.table_name == table)
    return list(db.session.scalars(query))


def _last(db, table):
    return _entries(db, table)[-1]


def _count(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_audit_triggers_cover_every_table_and_column(db):
    installed = trigger_sql(db.session.connection())
    for table in db.metadata.sorted_tables:
        if table.name in EXCLUDED:
            continue
        assert table.name in installed, f"{table.name} has no audit triggers"
        for column in table.columns:
            assert column.name in installed[table.name], (
                f"{table.name}.{column.name} missing from its audit trigger: "
                "call audit_ddl.install_triggers in the migration that added it"
            )


def test_audit_orm_insert_update_records_changed_columns_only(db, make):
    office = make.office(name="Dinas A")
    db.session.commit()
    office.name = "Dinas B"
    db.session.commit()
    insert, update = _entries(db, "offices")
    assert insert.operation == "insert"
    assert json.loads(insert.new_values)["name"] == "Dinas A"
    assert update.operation == "update"
    assert json.loads(update.old_values) == {"name": "Dinas A"}
    assert json.loads(update.new_values) == {"name": "Dinas B"}
    assert update.row_key == str(office.id) and update.office_id == office.id


def test_audit_noop_update_writes_nothing(db, make):
    make.office()
    db.session.commit()
    before = _count(db)
    db.session.execute(sa.update(Office).values(name=Office.name))
    db.session.commit()
    assert _count(db) == before


def test_audit_bulk_update_and_delete_each_row(db, make):
    office = make.office()
    for _ in range(3):
        make.complaint(office)
    db.session.commit()
    db.session.execute(
        sa.update(Complaint).values(status=ComplaintStatus.IN_PROGRESS.value)
    )
    db.session.execute(sa.delete(Complaint))
    db.session.commit()
    ops = [e.operation for e in _entries(db, "complaints")]
    assert ops == ["insert"] * 3 + ["update"] * 3 + ["delete"] * 3
    deleted = _last(db, "complaints")
    assert json.loads(deleted.old_values)["status"] == "in_progress"
    assert deleted.office_id == office.id


def test_audit_raw_sql_insert_update_delete(db, make):
    office = make.office()
    db.session.commit()
    db.session.execute(sa.text("INSERT INTO roles (office_id, name) "
                               "VALUES (:o, 'Operator')"), {"o": office.id})
    db.session.execute(sa.text("UPDATE roles SET description = 'x' "
                               "WHERE name = 'Operator'"))
    db.session.execute(sa.text("DELETE FROM roles WHERE name = 'Operator'"))
    db.session.commit()
    ops = [e.operation for e in _entries(db, "roles")]
    assert ops == ["insert", "update", "delete"]
    assert all(e.office_id == office.id for e in _entries(db, "roles"))


def test_audit_upsert_on_conflict_recorded(db, make):
    office = make.office()
    db.session.commit()
    insert = (sa.dialects.postgresql.insert if db.engine.dialect.name == "postgresql"
              else sa.dialects.sqlite.insert)
    table = sa.table("register_counters", sa.column("office_id"), sa.column("year"),
                     sa.column("last_value"))
    for _ in range(2):
        stmt = insert(table).values(office_id=office.id, year=2026, last_value=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["office_id", "year"],
            set_={"last_value": table.c.last_value + 1},
        )
        db.session.execute(stmt)
    db.session.commit()
    insert_row, update_row = _entries(db, "register_counters")
    assert insert_row.operation == "insert" and update_row.operation == "update"
    assert update_row.row_key == f"{office.id},2026"
    assert json.loads(update_row.new_values) == {"last_value": 2}


def test_audit_rollback_leaves_no_row(db, make):
    make.office()
    db.session.commit()
    before = _count(db)
    make.office()
    db.session.rollback()
    assert _count(db) == before


def test_audit_savepoint_rollback_keeps_only_outer_rows(db, make):
    office = make.office()
    db.session.commit()
    before = _count(db)
    with db.session.begin_nested() as nested:
        make.role(office, "Dibatalkan")
        nested.rollback()
    make.role(office, "Tetap")
    db.session.commit()
    new = _entries(db)[before:]
    assert [json.loads(e.new_values)["name"] for e in new] == ["Tetap"]


def test_audit_inline_child_edit_belongs_to_parent(db, make):
    version = make.sop(make.office())
    db.session.commit()
    version.steps[0].activity = "Menerima dan mencatat pengaduan"
    db.session.commit()
    entry = _last(db, "sop_steps")
    assert entry.operation == "update"
    assert (entry.parent_table, entry.parent_key) == ("sop_versions", str(version.id))
    assert entry.office_id == version.office_id
    assert json.loads(entry.new_values) == {
        "activity": "Menerima dan mencatat pengaduan"}


def test_audit_many_to_many_add_and_remove(db, make):
    office = make.office()
    user, role = make.user(office), make.role(office)
    db.session.commit()
    user.roles.append(role)
    db.session.commit()
    user.roles.remove(role)
    db.session.commit()
    added, removed = _entries(db, "user_roles")
    assert (added.operation, removed.operation) == ("insert", "delete")
    assert added.row_key == f"{user.id},{role.id}"
    assert (added.parent_table, added.parent_key) == ("users", str(user.id))
    assert added.office_id == office.id


def test_audit_delete_then_reinsert_same_key(db, make):
    office = make.office()
    role = make.role(office, "Loket")
    db.session.commit()
    role_id = role.id
    db.session.delete(role)
    db.session.flush()
    db.session.add(Role(id=role_id, office=office, name="Loket"))
    db.session.commit()
    ops = [(e.operation, e.row_key) for e in _entries(db, "roles")]
    assert ops == [("insert", str(role_id)), ("delete", str(role_id)),
                   ("insert", str(role_id))]


def test_audit_password_hash_redacted(db, make):
    user = make.user(make.office())
    db.session.commit()
    user.set_password("another-password")
    db.session.commit()
    created, changed = _entries(db, "users")
    assert json.loads(created.new_values)["password_hash"] == REDACTED_TEXT
    assert json.loads(changed.new_values) == {"password_hash": REDACTED_TEXT}
    assert "argon2" not in (created.new_values + changed.old_values)


def test_audit_binary_column_stored_as_size(db, make):
    office = make.office(logo=b"\x89PNG" + b"\0" * 96)
    db.session.commit()
    assert json.loads(_last(db, "offices").new_values)["logo"] == "[biner 100 byte]"
    assert office.logo


def test_audit_context_and_reason_copied(db, make):
    office = make.office()
    actor = make.user(office, AccessLevel.ADMIN, full_name="Siti Aminah")
    db.session.commit()
    token = audit.set_context("web", actor=actor, client_ip="10.1.2.3",
                              user_agent="pytest", request_id="req-1")
    try:
        audit.set_reason("Nomor telepon berubah")
        office.phone = "021-1"
        db.session.commit()
    finally:
        audit.reset_context(token)
    entry = _last(db, "offices")
    assert (entry.actor_id, entry.actor_name, entry.access_level) == (
        actor.id, "Siti Aminah", "admin")
    assert (entry.client_ip, entry.user_agent, entry.request_id, entry.interface) == (
        "10.1.2.3", "pytest", "req-1", "web")
    assert entry.reason == "Nomor telepon berubah"
    office.phone = "021-2"
    db.session.commit()
    later = _last(db, "offices")
    assert later.reason is None and later.interface == "system"


def test_audit_deactivated_user_keeps_actor_name(db, make):
    office = make.office()
    actor = make.user(office, full_name="Budi Santoso")
    db.session.commit()
    token = audit.set_context("web", actor=actor)
    try:
        make.role(office, "Verifikator")
        db.session.commit()
    finally:
        audit.reset_context(token)
    actor.active = False
    actor.full_name = "Budi S."
    db.session.commit()
    entry = _last(db, "roles")
    assert (entry.actor_id, entry.actor_name) == (actor.id, "Budi Santoso")


def test_audit_writer_outside_app_marked_sql(db, make, app):
    office = make.office()
    db.session.commit()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if db.engine.dialect.name == "postgresql":
        with psycopg.connect(uri.replace("postgresql+psycopg", "postgresql")) as conn:
            conn.execute("UPDATE offices SET phone = '1' WHERE id = %s", (office.id,))
    else:
        conn = sqlite3.connect(uri.removeprefix("sqlite:///"))
        conn.execute("UPDATE offices SET phone = '1' WHERE id = ?", (office.id,))
        conn.commit()
        conn.close()
    entry = _last(db, "offices")
    assert entry.interface == "sql" and entry.actor_id is None
    assert entry.seq is None  # sealed by the next writer or `flask audit seal`
    assert audit.seal(db.engine) == 1


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entries SET actor_name = 'x'",
    "UPDATE audit_entries SET hash = 'x'",
    "DELETE FROM audit_entries",
])
def test_audit_log_refuses_update_and_delete(db, make, statement):
    make.office()
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
    db.session.rollback()


def test_audit_log_refuses_truncate_on_postgresql(db, make):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    make.office()
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text("TRUNCATE audit_entries"))
    db.session.rollback()


def test_audit_unsealed_row_accepts_only_seal_columns(db, make, app):
    office = make.office()
    db.session.commit()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if db.engine.dialect.name != "sqlite":
        pytest.skip("checked on SQLite with a plain connection")
    conn = sqlite3.connect(uri.removeprefix("sqlite:///"))
    conn.execute("UPDATE offices SET phone = '2' WHERE id = ?", (office.id,))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_entries SET reason = 'x', seq = 999, hash = 'h' "
                     "WHERE seq IS NULL")
    conn.rollback()
    conn.close()


def test_audit_step_child_of_version_deleted_with_it(db, make):
    version = make.sop(make.office())
    db.session.commit()
    db.session.execute(sa.delete(SopStep).where(SopStep.version_id == version.id))
    db.session.commit()
    deleted = [e for e in _entries(db, "sop_steps") if e.operation == "delete"]
    assert len(deleted) == 4
    assert {e.parent_key for e in deleted} == {str(version.id)}
