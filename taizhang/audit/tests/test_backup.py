"""A backup of the demo restores into a fresh database, media included, and its ledger verifies.

Run for real, as an operator would: manage.py in subprocesses on their own databases (SQLite files
under tmp_path, or two scratch PostgreSQL databases beside the test database when the suite runs on
PostgreSQL), so the online backup API, pg_dump and pg_restore are what is tested.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def _manage(*args, env, check=True):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=check
    )


@pytest.fixture
def databases(tmp_path):
    """The URLs of a source and a fresh target database; PostgreSQL ones are created and dropped here."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    db = settings.DATABASES["default"]
    base = f"{connection.settings_dict['NAME']}_backup"
    names = [f"{base}_source", f"{base}_fresh"]
    admin = psycopg.connect(
        host=db.get("HOST") or "localhost",
        port=db.get("PORT") or 5432,
        user=db.get("USER"),
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    for name in names:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = db.get("USER") + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    where = f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}"
    yield tuple(f"postgres://{auth}@{where}/{name}" for name in names)
    for name in names:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def test_a_backup_of_the_demo_restores_into_a_fresh_database_and_its_ledger_verifies(tmp_path, databases):
    source_url, fresh_url = databases
    env = {**os.environ, "DEBUG": "1", "TAIZHANG_VAR_DIR": str(tmp_path / "var")}
    source = {**env, "DATABASE_URL": source_url, "MEDIA_ROOT": str(tmp_path / "media")}
    _manage("migrate", "-v0", env=source)
    _manage("demo", "--quiet", env=source)
    (tmp_path / "media" / "evidence").mkdir(parents=True, exist_ok=True)
    (tmp_path / "media" / "evidence" / "photo.jpg").write_bytes(b"\xff\xd8\xff a photo")
    assert "ok" in _manage("verify_ledger", "--campaign", "2026", env=source).stdout
    folder = Path(_manage("backup", "--to", str(tmp_path / "backups"), env=source).stdout.strip())
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["manifest.json", "media.tar.gz", "db.sqlite3" if source_url.startswith("sqlite") else "db.dump"]
    )

    fresh = {**env, "DATABASE_URL": fresh_url, "MEDIA_ROOT": str(tmp_path / "restored-media")}
    _manage("restore", str(folder), "--yes", env=fresh)
    verified = _manage("verify_ledger", env=fresh, check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "2026: ok" in verified.stdout
    assert (tmp_path / "restored-media" / "evidence" / "photo.jpg").read_bytes() == b"\xff\xd8\xff a photo"


def test_a_damaged_backup_is_refused_before_anything_is_replaced(tmp_path):
    from taizhang.audit import backups

    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "db.sqlite3").write_bytes(b"one")
    (folder / "media.tar.gz").write_bytes(b"two")
    wrong = {"db.sqlite3": "0" * 64, "media.tar.gz": "0" * 64}
    (folder / "manifest.json").write_text(json.dumps({"engine": "sqlite", "database": "db.sqlite3", "files": wrong}))
    target = tmp_path / "target.sqlite3"
    target.write_bytes(b"keep me")
    with pytest.raises(ValueError, match="damaged"):
        backups.restore(
            folder, db={"ENGINE": "django.db.backends.sqlite3", "NAME": str(target)}, media_root=tmp_path / "m"
        )
    assert target.read_bytes() == b"keep me"
