"""Start the test identity provider: `start(...)` for pytest fixtures, `python -m tests.oidc_provider`
for `make run`."""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.processes import ROOT, start_gunicorn, wait_until_serving

from .people import CLIENT_ID, CLIENT_SECRET, PORTAL_PROVIDER_ID


@dataclass
class RunningProvider:
    url: str
    env: dict
    process: subprocess.Popen
    log_path: Path

    @property
    def issuer(self) -> str:
        return f"{self.url}/openid"

    def register_portal(self, *portal_urls: str) -> None:
        """Allow these portal origins as redirect and post-logout targets (idempotent)."""
        _run_setup(self.env, portal_urls)

    def portal_environ(self, *, trust_mfa: bool = True) -> dict[str, str]:
        return environ_for(self.url, trust_mfa=trust_mfa)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def environ_for(url: str, *, trust_mfa: bool = True) -> dict[str, str]:
    """The environment that configures the portal for the provider at `url` (portal/settings/sso.py)."""
    prefix = f"PORTAL_OIDC_{PORTAL_PROVIDER_ID.upper()}"
    return {
        "PORTAL_OIDC_PROVIDERS": PORTAL_PROVIDER_ID,
        f"{prefix}_ISSUER": f"{url}/openid",
        f"{prefix}_CLIENT_ID": CLIENT_ID,
        f"{prefix}_CLIENT_SECRET": CLIENT_SECRET,
        f"{prefix}_NAME": "デモ社内ID",
        f"{prefix}_EMPLOYEE_NUMBER_CLAIM": "employee_number",
        f"{prefix}_TRUST_MFA": "1" if trust_mfa else "0",
    }


def _run_setup(env: dict, portal_urls) -> None:
    args = [sys.executable, "-m", "tests.oidc_provider", "setup", *[f"--portal-url={u}" for u in portal_urls]]
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"identity provider setup failed:\n{done.stdout}\n{done.stderr}")


def start(*, port: int, workdir: Path, portal_urls: list[str]) -> RunningProvider:
    """Migrate and fill the provider's own database in `workdir`, then serve it with gunicorn."""
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "OIDC_OP_URL": url,
        "OIDC_OP_DATABASE": str(workdir / "provider.sqlite3"),
        "PYTHONUNBUFFERED": "1",
    }
    _run_setup(env, portal_urls)
    log_path = workdir / "provider.log"
    log = log_path.open("w")
    process = start_gunicorn("tests.oidc_provider.wsgi", port=port, env=env, log=log)
    provider = RunningProvider(url=url, env=env, process=process, log_path=log_path)
    discovery = f"{provider.issuer}/.well-known/openid-configuration"
    wait_until_serving(discovery, process, log_path=log_path, what="identity provider")
    return provider
