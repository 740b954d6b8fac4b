""".ci/audit: fails on a finding, accepts only explained exceptions, and never passes silently
when no vulnerability service can be reached. A fake OSV service stands in for api.osv.dev."""

import json
import os
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAKE_ID = "PYSEC-0000-PORTALTEST"


class _FakeOSV(BaseHTTPRequestHandler):
    vulnerable = "django"

    def do_POST(self):
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name = query["package"]["name"]
        vulns = []
        if name == self.vulnerable:
            affected = {"package": {"name": name, "ecosystem": "PyPI"}, "ranges": [{"type": "ECOSYSTEM", "events": []}]}
            vulns = [{"id": FAKE_ID, "summary": "test finding", "affected": [affected]}]
        body = json.dumps({"vulns": vulns} if vulns else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_osv():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOSV)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1/query"


def _audit(tmp_path, osv_url, *, exceptions="", requirements="Django==5.2.4\nsqlparse==0.5.3\n"):
    (tmp_path / "requirements.txt").write_text(requirements)
    (tmp_path / "exceptions").write_text(exceptions)
    env = {
        **os.environ,
        "AUDIT_OSV_URL": osv_url,
        "AUDIT_REQUIREMENTS": str(tmp_path / "requirements.txt"),
        "AUDIT_EXCEPTIONS": str(tmp_path / "exceptions"),
        "AUDIT_CACHE_DIR": str(tmp_path / "cache"),
        # The test's requirements are complete, so the audit need not resolve them on PyPI.
        "AUDIT_PIP_AUDIT_ARGS": "--no-deps",
    }
    done = subprocess.run([str(ROOT / ".ci" / "audit")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


def test_unreachable_service_is_reported_loudly_and_not_as_a_pass(tmp_path):
    code, output = _audit(tmp_path, _closed_port_url())
    assert code == 0
    assert "dependency audit NOT RUN: no vulnerability service reachable" in output
    assert "No known vulnerabilities" not in output


def test_a_finding_fails_the_audit(tmp_path, fake_osv):
    code, output = _audit(tmp_path, fake_osv)
    assert code != 0
    assert FAKE_ID in output and "django" in output.lower()


def test_no_finding_passes(tmp_path, fake_osv):
    code, output = _audit(tmp_path, fake_osv, requirements="sqlparse==0.5.3\n")
    assert code == 0, output
    assert "No known vulnerabilities found" in output


def test_an_exception_needs_a_reason(tmp_path, fake_osv):
    code, output = _audit(tmp_path, fake_osv, exceptions=f"{FAKE_ID}\n")
    assert code != 0 and "has no reason" in output
    code, output = _audit(tmp_path, fake_osv, exceptions=f"{FAKE_ID}  # test: does not apply to us\n")
    assert code == 0, output
