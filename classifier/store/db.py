"""Opening the database: which URL, engine settings per dialect, migrations on open.

SQLite (the default, ``<models>/findings.db``) runs in WAL mode so readers never block the
writer, with a 30 s busy timeout so two writers (the app and the CLI) queue rather than
fail. Transactions start with a plain ``BEGIN`` issued by us (pysqlite's own implicit
transactions are switched off, as the SQLAlchemy docs advise). PostgreSQL is used when
``CLASSIFIER_DATABASE_URL`` is set. Migrations (Alembic, shipped in this package) run on
open; a database stamped by a newer version of this package is refused.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from classifier import paths
from classifier.errors import ClassifierError

DB_FILE = "findings.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
URL_ENV = "CLASSIFIER_DATABASE_URL"


class DatabaseError(ClassifierError):
    """The database cannot be opened or used as it is; the message says what to do."""


def database_url(models_dir: Path | None = None) -> str:
    """``CLASSIFIER_DATABASE_URL`` if set, else the SQLite file in the models folder."""
    url = os.environ.get(URL_ENV, "").strip()
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    folder = Path(models_dir or paths.models_dir()).resolve()
    return f"sqlite:///{folder / DB_FILE}"


def _alembic_config(connection):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def _check_and_migrate(engine: Engine) -> None:
    """Upgrade to this package's head; refuse a database stamped with an unknown revision."""
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None))
    known = {rev.revision for rev in script.walk_revisions()}
    with engine.connect() as conn:
        current = None
        if inspect(conn).has_table("alembic_version"):
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        conn.rollback()
    if current is not None and current not in known:
        raise DatabaseError(
            f"the findings database ({_safe(engine)}) has schema {current}, newer than this "
            f"version of the classifier understands (head {script.get_current_head()}); "
            "upgrade the classifier (pip install -U inspection-themes) or set "
            f"{URL_ENV} to another database")
    if current == script.get_current_head():
        return
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")


def _safe(engine: Engine) -> str:
    """The URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (see module doc)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """A migrated engine for ``url`` (one per URL per process)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"{URL_ENV} is not a database URL (e.g. "
                            "postgresql://user:password@host/dbname)") from None
    if parsed.get_backend_name() == "sqlite":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _sqlite_setup(engine)
    elif parsed.get_backend_name() == "postgresql":
        engine = create_engine(url, pool_pre_ping=True)
    else:
        raise DatabaseError(f"{URL_ENV}: only sqlite and postgresql databases are supported")
    try:
        _check_and_migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(f"cannot open the findings database {_safe(engine)}: {reason}") \
            from None
    except DatabaseError:
        engine.dispose()
        raise
    return engine
