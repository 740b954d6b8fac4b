"""Throughput of portal pages against the cheapest Django view, on one gunicorn server.

SPEC §3: a rule page for a logged-in employee must reach at least half the throughput of a
minimal Django view under the same server, and every page an employee opens at least a third
(issue 16). The floor is `/healthz/live` (a view that touches no database); the others are the
pages a logged-in demo employee reads most: home, a rule, a case, a Q&A topic, a search, their
training and a training module. Every page is first fetched once per client and must answer
200; the run exits non-zero if any request fails, so a broken page never prints a ratio. Each
endpoint gets the same number of concurrent keep-alive clients for the same time, in rounds that
pass over every endpoint in turn; the ratios are measured in one run, so a noisy machine affects
both sides alike. The server's own CPU time per request is counted too (from /proc): its ratio
leaves out the client's cost, and other load moves it less.

    python -m bench page_throughput                       # SQLite
    python -m bench.page_throughput --clients 20 --seconds 10
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal python -m bench page_throughput

`bench.load` runs the same comparison after its load test, on the same server.
"""

import argparse
import http.client
import statistics
import sys
import threading
import time
from urllib.parse import quote

from ._server import PortalServer, logged_in_sessions
from ._setup import bench_django

FLOOR = ("floor: /healthz/live", "/healthz/live")
RULE_PAGE = ("rule page", "/rules/switching/")
SEARCH = ("search 閲覧", "/search/?q=" + quote("閲覧"))
MY_TRAINING = ("my training", "/training/")
ENDPOINTS = [FLOOR, RULE_PAGE, ("home page", "/"), SEARCH, MY_TRAINING]
# Issue 16's targets, as a share of the floor (server CPU ratio).
TARGETS = {RULE_PAGE[0]: 0.5}
TARGET_ANY_PAGE = 0.33


def load_demo() -> None:
    """The demo content the pages need: rules and Q&A, people, cases, quizzes and training."""
    from io import StringIO

    from casebook.demo import load as load_casebook
    from people.demo import load as load_people
    from portal.demo import load as load_portal
    from quizzes.demo import load as load_quizzes
    from training.demo import load as load_training

    for load in (load_portal, load_people, load_casebook, load_quizzes, load_training):
        load(StringIO())


def all_endpoints() -> list[tuple[str, str]]:
    """Every page measured, the floor first; the case, Q&A topic and module are demo pages."""
    from casebook.models import CaseStudyPage
    from portal.models import QAPage
    from training.models import TrainingModulePage

    case = CaseStudyPage.objects.live().public().order_by("path").first()
    topic = QAPage.objects.live().public().order_by("path").first()
    module = TrainingModulePage.objects.live().public().filter(audience_everyone=True).order_by("path").first()
    return [
        FLOOR,
        RULE_PAGE,
        ("home page", "/"),
        ("case page", case.url),
        ("Q&A page", topic.url),
        SEARCH,
        MY_TRAINING,
        ("module page", module.url),
    ]


def employees(count: int) -> list:
    """Demo employees without a role (editors and handlers see the editing bar and staff pages)."""
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(is_active=True, is_staff=False, groups=None).order_by("pk")[:count])


def check_pages(server: PortalServer, sessions: list[str], endpoints: list[tuple[str, str]]) -> list[str]:
    """What fails when each client opens each page once (a redirect to the login page, say)."""
    failures = []
    for label, path in endpoints:
        for session in sessions:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            try:
                conn.request("GET", path, headers={"Cookie": f"sessionid={session}", "Host": "127.0.0.1"})
                status = conn.getresponse().status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
            finally:
                conn.close()
            if status != 200:
                failures.append(f"{label} ({path}): {status}")
                break
    return failures


def _hammer(port: int, path: str, session: str, until: float, out: list, errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    cookies = {"sessionid": session}
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
            conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            # Send cookies back as a browser does (the CSRF cookie of pages with forms, above all:
            # without it every page view would mint a new one).
            for set_cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, value = set_cookie.split(";", 1)[0].partition("=")
                cookies[name] = value
            if response.status != 200:
                errors.append(response.status)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        out.append(time.perf_counter() - started)
    conn.close()


def _hammer_all(server: PortalServer, sessions: list[str], path: str, seconds: float, latencies, errors) -> None:
    until = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_hammer, args=(server.port, path, session, until, latencies, errors))
        for session in sessions
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def compare(
    server: PortalServer, sessions: list[str], endpoints: list[tuple[str, str]], seconds: float, rounds: int = 4
) -> dict:
    """Hammer each endpoint in turn (the floor first) and print throughput, latency and server CPU.

    The `seconds` each endpoint gets are split over `rounds` passes through all of them, and each
    endpoint's figures pool its passes: a slow spell of the machine (another process, a noisy
    neighbour) then falls on every endpoint alike instead of on whichever was being measured.

    Returns {label: (throughput ratio to the floor, server-CPU ratio floor/this, errors)}."""
    # Warm every endpoint first (imports, template and connection set-up, caches), so the first
    # endpoint measured is not the only one paying for a cold server.
    for _, path in endpoints:
        _hammer_all(server, sessions, path, seconds=min(2.0, seconds / 3), latencies=[], errors=[])
    latencies: dict[str, list[float]] = {label: [] for label, _ in endpoints}
    errors: dict[str, list] = {label: [] for label, _ in endpoints}
    cpu = dict.fromkeys(latencies, 0.0)
    for _ in range(rounds):
        for label, path in endpoints:
            cpu_before = server.cpu_seconds()
            _hammer_all(server, sessions, path, seconds / rounds, latencies[label], errors[label])
            cpu[label] += server.cpu_seconds() - cpu_before
    floor_label = endpoints[0][0]
    floor = len(latencies[floor_label]) / seconds
    floor_cpu = cpu[floor_label] / max(len(latencies[floor_label]), 1)
    ratios = {}
    for label, _ in endpoints:
        rate = len(latencies[label]) / seconds
        cpu_per_request = cpu[label] / max(len(latencies[label]), 1)
        ordered = sorted(latencies[label]) or [0.0]
        p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
        ratios[label] = (rate / floor, floor_cpu / cpu_per_request, len(errors[label]))
        print(
            f"{label:<22} {rate:7.1f} req/s  p50 {statistics.median(ordered) * 1000:6.1f} ms  "
            f"p95 {p95 * 1000:6.1f} ms  errors {len(errors[label])}  ratio to floor {rate / floor:4.2f}  "
            f"server CPU {cpu_per_request * 1000:5.2f} ms/req (floor/this {floor_cpu / cpu_per_request:4.2f})",
            flush=True,
        )
    print(f"target: every page ≥ {TARGET_ANY_PAGE:.2f} of the floor (server CPU), rule page ≥ 0.50; 0 errors")
    return ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.page_throughput")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=4, help="passes over the endpoints, sharing --seconds")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])

    where = bench_django("page_throughput")
    load_demo()
    endpoints = all_endpoints()
    sessions = logged_in_sessions(employees(args.clients))
    with PortalServer(workers=args.workers) as server:
        print(
            f"database: {where}; gunicorn {args.workers} workers × 4 threads; "
            f"{len(sessions)} logged-in clients, {args.seconds:.0f} s per endpoint in {args.rounds} rounds"
        )
        failures = check_pages(server, sessions, endpoints)
        if failures:
            print("pages that fail for a logged-in employee:", *failures, sep="\n  ", file=sys.stderr)
            return 1
        ratios = compare(server, sessions, endpoints, args.seconds, args.rounds)
    failed = {label: errors for label, (_rate, _cpu, errors) in ratios.items() if errors}
    if failed:
        print(f"requests failed: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
