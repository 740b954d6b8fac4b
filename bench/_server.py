"""A real portal for benchmarks: gunicorn on a free loopback port (and, if asked, a task worker),
against the database `bench_django` prepared."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def logged_in_sessions(people) -> list[str]:
    """A session cookie value for each person, as if they had logged in."""
    from django.test import Client

    keys = []
    for person in people:
        client = Client()
        client.force_login(person)
        keys.append(client.cookies["sessionid"].value)
    return keys


class PortalServer:
    """`with PortalServer() as server:` serves the portal at `server.port` until the block ends."""

    def __init__(self, *, workers: int = 2, threads: int = 4, task_worker: bool = False, log: bool = False):
        self.workers, self.threads, self.task_worker, self.log = workers, threads, task_worker, log
        self.port = free_port()
        self.processes: list[subprocess.Popen] = []

    @property
    def settings_module(self) -> str:
        return self.env["DJANGO_SETTINGS_MODULE"]

    @property
    def env(self) -> dict:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if self.task_worker:
            env["PORTAL_TASKS_BACKEND"] = "database"
        # The test settings: DEBUG off, production's middleware, caches and database options
        # (SQLite in WAL mode with IMMEDIATE transactions), tasks in the database when asked.
        env["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
        return env

    def __enter__(self) -> "PortalServer":
        output = None if self.log else subprocess.DEVNULL
        command = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(self.workers), "--threads", str(self.threads), "--error-logfile", "-"]
        # Keep idle connections longer than clients pause (locust: up to 3 s; a load balancer: its idle
        # timeout): with gunicorn's 2 s default the server closes a connection as a client reuses it.
        command += ["--log-level", "warning", "--keep-alive", "75"]
        self.processes.append(subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=output, stderr=output))
        if self.task_worker:
            worker = [sys.executable, "manage.py", "task_worker", "-v0", "--interval", "0.2"]
            self.processes.append(subprocess.Popen(worker, cwd=ROOT, env=self.env, stdout=output, stderr=output))
        try:
            self._wait_until_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    @property
    def pid(self) -> int:
        return self.processes[0].pid

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz/live", headers={"Host": "127.0.0.1"})
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            if self.processes[0].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the portal did not start")
            time.sleep(0.3)

    def cpu_seconds(self) -> float:
        """User + system CPU time the gunicorn workers have used so far: the server's own cost,
        which other load on the machine does not change."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
