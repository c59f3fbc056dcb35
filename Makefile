# The store's everyday commands. `make run` and `make test` are README's two commands.
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run test test-fast services migrate seed worker beat bench faults schemathesis

venv:
	@bin/ensure-venv

run: venv
	@bin/run-local

services:
	@bin/ensure-services

test: services venv
	$(PY) -m pytest

test-fast: venv
	$(PY) -m pytest -m "not browser and not celery_worker"

migrate: venv
	DEBUG=1 $(PY) manage.py migrate

seed: venv
	DEBUG=1 $(PY) manage.py seed_demo

worker: venv
	DEBUG=1 CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/1} .venv/bin/celery -A shop worker -l info

beat: venv
	DEBUG=1 CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/1} .venv/bin/celery -A shop beat -l info --schedule /tmp/shop-celerybeat-schedule

# Benchmarks (never part of the test suite). `bench` seeds shop_bench once (~100k orders) and reuses it.
bench: services venv
	@command -v wrk >/dev/null || (export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq wrk >/dev/null))
	$(PY) benchmarks/bench.py

faults: services venv
	$(PY) benchmarks/faults.py
