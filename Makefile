# The store's everyday commands. `make run` and `make test` are README's two commands.
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv dev-venv bench-venv run test test-fast lint format services migrate seed worker beat bench faults

venv:
	@bin/ensure-venv requirements.txt

dev-venv:
	@bin/ensure-venv requirements-dev.txt

# The dev tools plus the peers `make bench` measures (django-cachalot, django-cacheops); never in the image.
bench-venv:
	@bin/ensure-venv requirements-bench.txt

run: venv
	@bin/run-local

services:
	@bin/ensure-services

# `make test` is README's second command and what .ci/run runs: lint first, then the whole suite.
test: services dev-venv lint
	$(PY) -m pytest

test-fast: dev-venv
	$(PY) -m pytest -m "not browser and not celery_worker and not faults and not scale"

lint: dev-venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: dev-venv
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

migrate: venv
	DEBUG=1 $(PY) manage.py migrate

seed: venv
	DEBUG=1 $(PY) manage.py seed_demo

worker: venv
	DEBUG=1 CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/1} .venv/bin/celery -A config worker -l info

beat: venv
	DEBUG=1 CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/1} .venv/bin/celery -A config beat -l info --schedule /tmp/shop-celerybeat-schedule

# Benchmarks (never part of the test suite). `bench` seeds shop_bench once (~100k orders) and reuses it
# (re-created when its migrations are stale); it runs gunicorn with `manage.py cache_relay` beside it.
bench: services bench-venv
	@command -v wrk >/dev/null || (export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq wrk >/dev/null))
	$(PY) benchmarks/bench.py

# Two runs: one host (Redis killed, frozen, restarted from its dump; writers killed, psql; the database
# stopped), then three web hosts in network namespaces (Sentinel failover, a lagging read replica).
faults: services dev-venv
	$(PY) benchmarks/faults.py; one=$$?; $(PY) benchmarks/faults_multihost.py; many=$$?; exit $$((one || many))
