#!/usr/bin/env bash
# Proves the backup procedure of the README: seed the demo, back it up, wipe everything, restore, compare.
# SQLite by default (in a temporary data folder); with DATABASE_URL=postgres://… the database is dropped and
# recreated between backup and restore.
set -euo pipefail
BIN="${BIN:-.venv/bin}"
export OPENCITY_DATA_DIR="${OPENCITY_DATA_DIR:-$(mktemp -d)/var}"
BACKUP="${BACKUP_DIR:-$(mktemp -d)/backup}"
mkdir -p "$OPENCITY_DATA_DIR"
"$BIN/opencity" migrate --noinput >/dev/null
"$BIN/opencity" demo >/dev/null
mkdir -p "$OPENCITY_DATA_DIR/media/stories" && printf 'demo upload' >"$OPENCITY_DATA_DIR/media/stories/proof.txt"
"$BIN/opencity" backup "$BACKUP"
# Wipe: the data folder and the database.
rm -rf "$OPENCITY_DATA_DIR"
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  db="${DATABASE_URL##*/}"; server="${DATABASE_URL%/*}"
  psql "$server/postgres" -qc "DROP DATABASE IF EXISTS \"$db\"" -c "CREATE DATABASE \"$db\"" >/dev/null
  mkdir -p "$OPENCITY_DATA_DIR"
  "$BIN/opencity" migrate --noinput >/dev/null   # an empty schema, as on a new machine
fi
mkdir -p "$OPENCITY_DATA_DIR"
"$BIN/opencity" restore "$BACKUP"
"$BIN/opencity" check-ledger
echo "backup → wipe → restore: OK"
