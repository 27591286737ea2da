"""What every benchmark needs: the PostgreSQL server to use and scratch databases."""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

PG_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pg_reachable() -> bool:
    engine = sa.create_engine(PG_URL)
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


@contextmanager
def scratch(kind: str, tag: str):
    """A fresh empty database URL beside PG_URL (or SQLite), removed afterwards."""
    if kind == "sqlite":
        # tmpfs when there is one: this disk's fsync (100+ ms) would drown
        # the CPU cost being compared.
        shm = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
        with tempfile.TemporaryDirectory(dir=shm) as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        return
    url = sa.engine.make_url(PG_URL)
    name = f"bench_{tag}_{os.getpid()}"
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()
