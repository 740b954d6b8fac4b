"""Quiz submission under load: 100 simulated people submit their attempts to a real portal server.

Each simulated person logs in (a session made for them), opens their attempt page (for the
CSRF token) and then submits answers to all questions. Two patterns are measured:

- spread: the 100 submissions arrive over `--spread` seconds (people finishing at different
  moments, as in real use);
- burst: all 100 submit at the same instant (the worst case; requests queue on 2 cores).

Prints p50/p95/max latency of the submit request (POST until the redirect arrives) and the
number of errors. Target (SPEC §3): p95 under 200 ms with 100 concurrent users, no errors.

    python -m bench quiz_submit            # SQLite
    python -m bench.quiz_submit --users 100 --spread 5 --questions 20
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/conduct_portal python -m bench quiz_submit
"""

import argparse
import http.client
import random
import re
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from ._server import PortalServer
from ._setup import bench_django

ROOT = Path(__file__).resolve().parent.parent
USERS = 100


def bench_quiz(questions: int, slug: str = "bench"):
    """A quiz drawing `questions` single-choice questions from a bank of twice as many (unchanged
    when it exists already)."""
    from quizzes.services import question_bank_publish, quiz_configure

    specs = [
        {
            "kind": "single",
            "text": f"設問 {i}",
            "choices": [{"text": f"正しい {i}", "correct": True}, {"text": f"誤り {i}", "correct": False}],
            "explanation": f"<p>解説 {i}</p>",
        }
        for i in range(questions * 2)
    ]
    question_bank_publish(slug=f"{slug}-bank", title=slug, questions=specs)
    return quiz_configure(slug=slug, title=slug, bank_slugs=[f"{slug}-bank"], question_count=questions)


def _prepare(users: int, questions: int, prefix: str) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from quizzes.services import attempt_start

    quiz = bench_quiz(questions)
    people = []
    person_model = get_user_model()
    for n in range(users):
        person = person_model.objects.create_user(f"{prefix}{n}@example.jp", password=None)
        attempt = attempt_start(person=person, quiz=quiz, context="bench")
        client = Client()
        client.force_login(person)
        answers = {}
        for q in attempt.questions:
            pick = random.choice(q["choices"])
            answers[f"q-{q['id']}"] = pick["id"]
        people.append(
            {
                "session": client.cookies["sessionid"].value,
                "path": attempt.get_absolute_url(),
                "answers": answers,
            }
        )
    return people


def _request(port: int, method: str, path: str, cookies: dict, body: str = "") -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Host": "127.0.0.1"}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{port}{path}"
    conn.request(method, path, body=body or None, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    set_cookies = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            set_cookies[name] = rest.split(";", 1)[0]
    conn.close()
    return response.status, set_cookies, text


def _run(port: int, people: list[dict], spread: float) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = []
    lock = threading.Lock()
    ready = threading.Barrier(len(people))

    def user(person: dict) -> None:
        try:
            cookies = {"sessionid": person["session"]}
            status, set_cookies, html = _request(port, "GET", person["path"], cookies)
            cookies.update(set_cookies)
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
            if status != 200 or not match:
                raise RuntimeError(f"attempt page: {status}")
            body = urlencode({**person["answers"], "csrfmiddlewaretoken": match.group(1), "action": "submit"})
            ready.wait(timeout=120)
            time.sleep(random.uniform(0, spread))
            started = time.perf_counter()
            status, _, _ = _request(port, "POST", person["path"], cookies, body)
            elapsed = time.perf_counter() - started
            if status != 302:
                raise RuntimeError(f"submit: {status}")
            with lock:
                latencies.append(elapsed)
        except Exception as error:  # noqa: BLE001 - every failure is counted and reported
            with lock:
                errors.append(repr(error))

    threads = [threading.Thread(target=user, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    if errors:
        print(f"   first error: {errors[0]}")
    return latencies, len(errors)


def _report(label: str, latencies: list[float], errors: int) -> None:
    if not latencies:
        print(f"{label}: no successful submissions, {errors} errors")
        return
    ordered = sorted(latencies)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    print(
        f"{label}: {len(ordered)} submissions, p50 {statistics.median(ordered) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms, errors {errors}"
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench.quiz_submit")
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--spread", type=float, default=5.0, help="seconds over which spread submissions arrive")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)

    where = bench_django("quiz")
    print(f"database: {where}; {args.users} users, {args.questions} questions each")
    random.seed(2026)
    batches = {name: _prepare(args.users, args.questions, prefix=name) for name in ("spread", "burst")}
    with PortalServer(workers=args.workers, threads=args.threads, log=True) as server:
        print(f"server settings: {server.settings_module}, gunicorn {args.workers} workers x {args.threads} threads")
        port = server.port
        _report(
            f"spread over {args.spread:.0f} s",
            *_run(port, batches["spread"], args.spread),
        )
        _report("burst (all at once)", *_run(port, batches["burst"], 0.0))
        from quizzes.models import Attempt

        graded = Attempt.objects.filter(status=Attempt.Status.SUBMITTED).count()
        print(f"graded attempts: {graded} of {args.users * 2}")


if __name__ == "__main__":
    main(sys.argv[1:])
