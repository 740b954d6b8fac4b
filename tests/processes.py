"""Servers the tests start in processes of their own: the demo portal under gunicorn, the test
identity provider. Plain functions without pytest, so `python -m tests.oidc_provider` can use them."""

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(wsgi: str, *, port: int, env: dict, log, workers: int = 1) -> subprocess.Popen:
    """Like production: gunicorn with no access log (client addresses must never be logged)."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "gunicorn", wsgi, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        + ["--threads", "4", "--timeout", "60", "--error-logfile", "-"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until_serving(url: str, process: subprocess.Popen, *, log_path: Path, what: str, seconds: int = 60) -> None:
    """Return once `url` answers 200; otherwise kill the process and raise with its log."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"{what} did not start:\n{log_path.read_text()}")
        time.sleep(0.3)
