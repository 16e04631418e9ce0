"""Back up and restore one installation: the database (SQLite file or PostgreSQL dump) and the data folder
(uploaded receipts, story images, logos, the generated secret key). A manifest records a fingerprint of the
data so a restore can prove it brought everything back."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection

DB_SQLITE, DB_PG, DATA_TAR, MANIFEST = "database.sqlite3", "database.pgdump", "data.tar.gz", "manifest.json"


def fingerprint() -> dict:
    """Row counts of every OpenCity table, the ledger's posted totals, and a digest of the data folder's files."""
    from django.db.models import Sum

    from opencity.ledger.models import Account, AccountStripe

    counts = {m._meta.label_lower: m.objects.count() for m in apps.get_models() if m.__module__.startswith("opencity.")}
    rows = Account.objects.aggregate(d=Sum("debits_posted"), c=Sum("credits_posted"))
    stripes = AccountStripe.objects.aggregate(d=Sum("debits"), c=Sum("credits"))  # see ledger/stripes.py
    totals = [(rows["d"] or 0) + (stripes["d"] or 0), (rows["c"] or 0) + (stripes["c"] or 0)]
    return {"counts": counts, "ledger": totals, "files": _files_digest()}


def _data_dir() -> Path:
    return Path(settings.DATA_DIR)


def _is_db_file(path: Path) -> bool:
    return ".sqlite3" in path.name


def _files_digest() -> str:
    digest = hashlib.sha256()
    root = _data_dir()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not _is_db_file(p)):
        if "staticfiles" in path.relative_to(root).parts:
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _pg_env() -> tuple[list[str], dict]:
    s = connection.settings_dict
    args = ["-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"] or "postgres"]
    env = os.environ | ({"PGPASSWORD": s["PASSWORD"]} if s["PASSWORD"] else {})
    return args, env


def backup(target: Path) -> dict:
    target.mkdir(parents=True, exist_ok=True)
    manifest = {"vendor": connection.vendor, "fingerprint": fingerprint()}
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target / DB_SQLITE) as dest:
            connection.connection.backup(dest)  # a consistent copy, even while others write
    else:
        args, env = _pg_env()
        subprocess.run(
            ["pg_dump", "-Fc", "-f", str(target / DB_PG), *args, connection.settings_dict["NAME"]], check=True, env=env
        )
    root = _data_dir()
    with tarfile.open(target / DATA_TAR, "w:gz") as tar:
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root)
            if path.is_file() and not _is_db_file(path) and "staticfiles" not in rel.parts:
                tar.add(path, arcname=str(rel))
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def restore(source: Path) -> bool:
    """Put the backup back into an empty data folder / database. True when the fingerprint matches."""
    manifest = json.loads((source / MANIFEST).read_text())
    root = _data_dir()
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / DATA_TAR, "r:gz") as tar:
        tar.extractall(root, filter="data")
    if manifest["vendor"] == "sqlite":
        connection.close()
        db_path = Path(connection.settings_dict["NAME"])
        for extra in (db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")):
            extra.unlink(missing_ok=True)
        shutil.copyfile(source / DB_SQLITE, db_path)
    else:
        args, env = _pg_env()
        connection.close()
        subprocess.run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "-d", connection.settings_dict["NAME"], *args,
             str(source / DB_PG)],
            check=True,
            env=env,
        )  # fmt: skip
    return fingerprint() == manifest["fingerprint"]
