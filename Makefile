# One obvious command per job. `make run` and `make test` set everything up from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= portal.settings.dev
SYSTEM_PACKAGES := chromium fonts-ipaexfont-gothic fonts-ipaexfont-mincho libharfbuzz-subset0 poppler-utils gettext

APPS := portal infrastructure people audit casebook enquiries quizzes training reports whistleblowing monitoring

.PHONY: run test lint format bench demo setup system-deps migrate messages messages-extract lock worker scheduler audit totp

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

# Chromium (browser tests), a Japanese font and HarfBuzz's subsetter (PDFs), pdffonts and msgfmt.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

messages: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv -v0

# Refresh the Japanese catalogues: one per app, and the root one for templates/ only.
messages-extract: $(STAMP)
	$(PY) manage.py makemessages -l ja -i ".venv/*" -i "var/*" -i "tests/*" -i "bench/*" $(foreach a,$(APPS),-i "$(a)/*")
	for a in $(APPS); do (cd $$a && ../$(PY) ../manage.py makemessages -l ja); done

migrate: $(STAMP)
	$(PY) manage.py migrate --no-input -v0

setup: system-deps $(STAMP) messages migrate

demo: setup
	$(PY) manage.py demo

run: demo
	$(PY) manage.py collectstatic --no-input -v0
	@$(PY) manage.py demo --print-logins
	@echo "Task worker, scheduler and portal starting on http://127.0.0.1:8000/ (Ctrl-C stops all three)"
	@trap 'kill 0' EXIT; $(DEMO_SSO) $(PY) manage.py task_worker -v0 & $(PY) manage.py scheduler & $(PY) manage.py runserver 127.0.0.1:8000

# PORTAL_DEMO_SSO=1 make run: the test identity provider (tests/oidc_provider, needs the dev
# requirements) on 127.0.0.1:8001, and the portal configured to offer it ("デモ社内IDでログイン").
ifeq ($(PORTAL_DEMO_SSO),1)
DEMO_SSO = mkdir -p var/oidc-provider; \
	OIDC_OP_DIR=var/oidc-provider $(PY) -m tests.oidc_provider serve --port 8001 \
	  --portal-url http://127.0.0.1:8000 --portal-url http://localhost:8000 & \
	eval "$$($(PY) -m tests.oidc_provider env --port 8001)";
endif

# The current code of a demo account's authenticator, for trying the demo without a phone:
# `make totp EMAIL=compliance@example.jp` once enrolled, `make totp SECRET=…` while enrolling.
totp: $(STAMP)
	@$(PY) manage.py demo $(if $(SECRET),--totp-secret "$(SECRET)",--totp-email "$(EMAIL)")

worker: setup
	$(PY) manage.py task_worker

scheduler: setup
	$(PY) manage.py scheduler

test: export DJANGO_SETTINGS_MODULE = portal.settings.test
test: setup lint
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Known vulnerabilities in the pinned requirements (pip-audit); says "NOT RUN" when offline.
audit: $(STAMP)
	.ci/audit

bench: setup
	$(PY) -m bench

lock: $(STAMP)
	$(VENV)/bin/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras requirements.in -o requirements.txt
	$(VENV)/bin/pip-compile -q --no-emit-index-url --no-emit-find-links --strip-extras requirements-dev.in -o requirements-dev.txt
