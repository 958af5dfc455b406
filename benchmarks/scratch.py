"""A scratch database for a benchmark: a fresh SQLite file, or a new schema in a PostgreSQL."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dispatch import db


@contextmanager
def scratch_database(url: str | None) -> Iterator[str]:
    """A fresh SQLite file, or a fresh schema in the PostgreSQL at url (dropped afterwards)."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="purna-bench-") as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
        return
    schema = f"purna_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(db.normalise_url(url))
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    scoped = make_url(db.normalise_url(url)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()
