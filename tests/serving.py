"""Run the real `opencity serve` console script against the test database, emails written to files."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.db import connection


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


MESSAGE_END = "\n" + "-" * 79 + "\n"  # what django.core.mail.backends.filebased writes after each message


class Served:
    def __init__(self, proc: subprocess.Popen, url: str, mail: Path):
        self.proc, self.url, self.mail = proc, url, mail
        self.output = ""

    def wait_for_mail(self, seconds: float, containing: str = "") -> str:
        """The text of the first email file (containing `containing`), or "" after `seconds`.

        Django's file backend creates the file, then writes the message and a line of 79 dashes: a file without
        that line is still being written (read then, it would be empty or cut short) and is looked at again.
        """
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for path in sorted(self.mail.iterdir()):
                text = path.read_text()
                if text.endswith(MESSAGE_END) and containing in text:
                    return text
            time.sleep(0.3)
        return ""


@contextlib.contextmanager
def serve(tmp_path: Path, *extra: str, env: dict | None = None, drop: tuple[str, ...] = ()):
    """`opencity serve --port <free>` with EMAIL_URL=file://…; stopped (SIGTERM) when the block ends. `drop`:
    variables of this environment the server must not see."""
    mail = tmp_path / "mail"
    mail.mkdir(exist_ok=True)
    port = free_port()
    environ = {
        **{k: v for k, v in os.environ.items() if k != "EMAIL_URL"},
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"file://{mail}",
        "OPENCITY_DATA_DIR": str(tmp_path),
        **(env or {}),
    }
    for name in drop:
        environ.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "opencity.cli", "serve", "--port", str(port), "--workers", "1", *extra],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(proc.communicate()[0]) from None
            time.sleep(0.3)
    served = Served(proc, url, mail)
    try:
        yield served
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            served.output = proc.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            served.output = proc.communicate()[0]
