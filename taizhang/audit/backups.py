"""Backups: the database and the uploaded files in one directory, with a manifest of hashes.

SQLite is copied with its online backup API (consistent while the site and the worker write);
PostgreSQL with ``pg_dump -Fc`` and restored with ``pg_restore``. The media directory goes in a
tar archive beside it. The manifest keeps each file's SHA-256 and the chain heads at backup
time, so a restore refuses a damaged backup and ``verify_ledger`` can be run on what it restored.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connections
from django.utils import timezone

from . import chain

MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_sqlite(source: Path, dest: Path) -> None:
    """SQLite's online backup: page by page, consistent even while another process writes the source."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(dest)) as dst:
        src.backup(dst)


def is_sqlite(db: dict) -> bool:
    return db["ENGINE"] == "django.db.backends.sqlite3"


def libpq_url(db: dict) -> str:
    """A libpq URL for pg_dump and pg_restore from Django's settings of one database."""
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth + '@' if auth else ''}{host}{port}/{quote(db['NAME'], safe='')}"


def backup(target: Path, *, db: dict | None = None, media_root: Path | None = None) -> Path:
    """Write a backup into a new directory under ``target``; return that directory."""
    db = db or settings.DATABASES["default"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder = Path(target) / f"taizhang-{stamp}"
    n = 1
    while folder.exists():
        n += 1
        folder = Path(target) / f"taizhang-{stamp}-{n}"
    folder.mkdir(parents=True)
    if is_sqlite(db):
        name = "db.sqlite3"
        _copy_sqlite(Path(db["NAME"]), folder / name)
    else:
        name = "db.dump"
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={folder / name}", libpq_url(db)],
            check=True,
        )
    with tarfile.open(folder / "media.tar.gz", "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname="media")
    manifest = {
        "created_at": timezone.now().isoformat(),
        "engine": "sqlite" if is_sqlite(db) else "postgresql",
        "database": name,
        "files": {file: _sha256(folder / file) for file in (name, "media.tar.gz")},
        "chain_heads": chain.heads(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return folder


def check(folder: Path) -> dict:
    """The backup's manifest, after checking every file's hash (ValueError when one differs)."""
    manifest = json.loads((Path(folder) / MANIFEST).read_text())
    for file, expected in manifest["files"].items():
        if _sha256(Path(folder) / file) != expected:
            raise ValueError(f"{file} does not match its hash in the manifest: the backup is damaged")
    return manifest


def restore(folder: Path, *, db: dict, media_root: Path) -> dict:
    """Restore a checked backup into ``db`` (overwritten) and ``media_root`` (replaced); return its manifest."""
    folder = Path(folder)
    manifest = check(folder)
    if manifest["engine"] == "sqlite":
        if not is_sqlite(db):
            raise ValueError("a SQLite backup restores into a SQLite database")
        connections.close_all()
        _copy_sqlite(folder / manifest["database"], Path(db["NAME"]))
    else:
        if is_sqlite(db):
            raise ValueError("a PostgreSQL backup restores into a PostgreSQL database")
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={libpq_url(db)}",
                str(folder / manifest["database"]),
            ],
            check=True,
        )
    media_root = Path(media_root)
    staging = media_root.with_name(media_root.name + f".restoring-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(folder / "media.tar.gz", "r:gz") as archive:
        archive.extractall(staging, filter="data")
    restored = staging / "media"
    if media_root.exists():
        shutil.rmtree(media_root)
    if restored.exists():
        restored.rename(media_root)
    else:
        media_root.mkdir(parents=True)
    shutil.rmtree(staging, ignore_errors=True)
    return manifest
