"""Throughput of portal pages against the cheapest Django view, on one gunicorn server.

SPEC §3: a rule page for a logged-in employee must reach at least half the throughput of a
minimal Django view under the same server. The floor is `/healthz/live` (a view that touches
no database); the others are pages a logged-in employee reads. Each endpoint gets the same
number of concurrent keep-alive clients for the same time; the ratios are measured in one run,
so a noisy machine affects both sides alike.

    python -m bench page_throughput                       # SQLite
    python -m bench.page_throughput --clients 20 --seconds 10
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal python -m bench page_throughput
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from ._setup import bench_django

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = [
    ("floor: /healthz/live", "/healthz/live"),
    ("rule page", "/rules/switching/"),
    ("home page", "/"),
    ("search 閲覧", "/search/?q=" + quote("閲覧")),
    ("my training", "/training/"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_cpu_seconds(master_pid: int) -> float:
    """User + system CPU time of the gunicorn workers so far: the server's own cost, whatever else runs."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _sessions(count: int) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    people = list(get_user_model().objects.filter(is_active=True, is_staff=False, groups=None)[:count])
    keys = []
    for person in people:
        client = Client()
        client.force_login(person)
        keys.append(client.cookies["sessionid"].value)
    return keys


def _hammer(port: int, path: str, session: str, until: float, out: list, errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"sessionid={session}", "Host": "127.0.0.1"}
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        out.append(time.perf_counter() - started)
    conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])

    where = bench_django("page_throughput")
    from io import StringIO

    from people.demo import load as load_people
    from portal.demo import load as load_portal

    load_portal(StringIO())
    load_people(StringIO())
    sessions = _sessions(args.clients)
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            "4",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz/live")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("server did not start")
            time.sleep(0.3)
        print(
            f"database: {where}; gunicorn {args.workers} workers × 4 threads; "
            f"{len(sessions)} logged-in clients, {args.seconds:.0f} s per endpoint"
        )
        floor = floor_cpu = None
        for label, path in ENDPOINTS:
            cpu_before = _server_cpu_seconds(server.pid)
            latencies: list[float] = []
            errors: list = []
            until = time.perf_counter() + args.seconds
            threads = [
                threading.Thread(target=_hammer, args=(port, path, s, until, latencies, errors)) for s in sessions
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            rate = len(latencies) / args.seconds
            cpu = (_server_cpu_seconds(server.pid) - cpu_before) / max(len(latencies), 1)
            floor = floor or rate
            floor_cpu = floor_cpu or cpu
            ordered = sorted(latencies) or [0.0]
            p95 = ordered[int(len(ordered) * 0.95) - 1] if len(ordered) > 1 else ordered[0]
            print(
                f"{label:<22} {rate:7.1f} req/s  p50 {statistics.median(ordered) * 1000:6.1f} ms  "
                f"p95 {p95 * 1000:6.1f} ms  errors {len(errors)}  ratio to floor {rate / floor:4.2f}  "
                f"server CPU {cpu * 1000:5.2f} ms/req (floor/this {floor_cpu / cpu:4.2f})"
            )
        print("target: rule page ratio ≥ 0.50.")
        print("Server CPU per request: the gunicorn workers' own CPU time (from /proc) per answered request. Its")
        print("floor/this ratio leaves out the client's cost, so it is stricter, and other load does not move it.")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
