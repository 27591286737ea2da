-- PostgreSQL roles for sop-admin: the app must not own the audit log.
--
-- The audit triggers refuse UPDATE, DELETE and TRUNCATE on audit_entries, but a
-- table's owner (or a superuser) can disable triggers, drop them, or set
-- session_replication_role = replica. So: migrations run as an owner role; the
-- app runs as a role that owns nothing and is not a superuser. Run as a
-- superuser, once per database; replace the passwords and the database name.

CREATE ROLE sop_owner LOGIN PASSWORD 'change-me-owner';   -- runs `flask db upgrade`
CREATE ROLE sop_app   LOGIN PASSWORD 'change-me-app'      -- serves the panel
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;

ALTER DATABASE sop_admin OWNER TO sop_owner;
\connect sop_admin
ALTER SCHEMA public OWNER TO sop_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO sop_app;

-- After `DATABASE_URL=postgresql://sop_owner@.../sop_admin flask db upgrade`:
-- the app reads and writes the business tables ...
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO sop_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO sop_app;
ALTER DEFAULT PRIVILEGES FOR ROLE sop_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO sop_app;
ALTER DEFAULT PRIVILEGES FOR ROLE sop_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO sop_app;

-- ... but on the log only reads, appends (the triggers run as the writer) and
-- the one-time sealing UPDATE (the guard trigger allows only the seal columns
-- of a not yet sealed row). No DELETE, no TRUNCATE, no ownership.
REVOKE ALL ON audit_entries FROM sop_app;
GRANT SELECT, INSERT ON audit_entries TO sop_app;
GRANT UPDATE (seq, prev_hash, hash) ON audit_entries TO sop_app;
-- audit_context is unused on PostgreSQL (session settings carry the context).
REVOKE ALL ON audit_context FROM sop_app;

-- Check: as sop_app these must fail.
--   TRUNCATE audit_entries;                                  -- permission denied
--   DELETE FROM audit_entries;                               -- permission denied
--   ALTER TABLE audit_entries DISABLE TRIGGER USER;          -- must be owner
--   SET session_replication_role = replica;                  -- permission denied
