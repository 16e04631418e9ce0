"""The README's backup procedure, played for real: demo → backup → wipe → restore → same data, ledger OK."""

import os
import subprocess
import sys
from pathlib import Path

from opencity.movement import backups

ROOT = Path(__file__).resolve().parents[2]


def test_backup_wipe_restore_the_demo(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "EMAIL_URL")}
    env |= {
        "OPENCITY_DATA_DIR": str(tmp_path / "var"),
        "BACKUP_DIR": str(tmp_path / "backup"),
        "BIN": str(Path(sys.executable).parent),
    }
    result = subprocess.run(
        [str(ROOT / "scripts" / "backup-restore-demo.sh")], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rows, ledger totals and files match the backup" in result.stdout
    assert "ledger OK" in result.stdout
    for name in (backups.DB_SQLITE, backups.DATA_TAR, backups.MANIFEST):
        assert (tmp_path / "backup" / name).stat().st_size > 0
