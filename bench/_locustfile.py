"""Employees at work, for `bench.load` (run by locust, not directly).

Each simulated employee has their own logged-in session and, between pauses of one to three
seconds, reads rule pages, the home page, Q&A and cases, searches, looks at their training and
takes the quiz: open the attempt, submit answers, start the next attempt. The plan (sessions,
attempts, addresses) comes from the JSON file named by BENCH_LOAD_PLAN.
"""

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["BENCH_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
PEOPLE = itertools.cycle(PLAN["people"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CHOICE = re.compile(r'type="radio" name="(q-[^"]+)" id="[^"]*" value="([^"]+)"')


class Employee(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        me = next(PEOPLE)
        self.client.cookies.set("sessionid", me["session"])
        self.attempt = me["attempt"]

    @task(4)
    def rule_page(self):
        self.client.get(random.choice(PLAN["rules"]), name="rule page")

    @task(3)
    def home(self):
        self.client.get("/", name="home page")

    @task(2)
    def qa(self):
        self.client.get(random.choice(PLAN["qa"]), name="Q&A page")

    @task(2)
    def casebook(self):
        self.client.get("/casebook/", name="casebook index")
        self.client.get(random.choice(PLAN["cases"]), name="case page")

    @task(2)
    def search(self):
        self.client.get("/search/", params={"q": random.choice(PLAN["searches"])}, name="search")

    @task(2)
    def my_training(self):
        self.client.get("/training/", name="my training")

    @task(2)
    def take_the_quiz(self):
        page = self.client.get(self.attempt, name="quiz attempt page")
        token = CSRF.search(page.text)
        questions: dict[str, list[str]] = {}
        for name, value in CHOICE.findall(page.text):
            questions.setdefault(name, []).append(value)
        if not token or not questions:
            return  # already counted as a failure if the page failed
        answers = {name: random.choice(values) for name, values in questions.items()}
        data = {**answers, "csrfmiddlewaretoken": token.group(1), "action": "submit"}
        with self.client.post(
            self.attempt, data=data, name="quiz submit", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"submit answered {response.status_code}")
                return
        with self.client.post(
            self.attempt + "retake/",
            data={"csrfmiddlewaretoken": token.group(1)},
            name="quiz retake",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302 or "/quizzes/attempts/" not in location or location == self.attempt:
                response.failure(f"retake answered {response.status_code} → {location!r}")
                return
            self.attempt = location
