# Two commands on a fresh machine: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PY_BOOTSTRAP ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate demo lint format check bench worker beat e2e clean messages

# DEBUG is off unless set (production's default). The development commands turn it on, so that they
# run on the embedded defaults; `make test` uses the test settings (union_portal/settings_test.py).
run demo migrate worker beat messages check: export DEBUG ?= true

$(UV):
	@echo "uv not found: installing it into .tools/"
	$(PY_BOOTSTRAP) -m venv .tools
	.tools/bin/pip install --quiet uv

install: $(UV)
	$(UV) sync --frozen

migrate: install
	$(UV) run python manage.py migrate --no-input

demo: migrate
	$(UV) run python manage.py seed_demo

run: demo
	$(UV) run python manage.py runserver $(HOST):$(PORT)

test: install
	$(UV) run pytest $(PYTEST_ARGS)

e2e: install
	$(UV) run pytest -m e2e tests/e2e

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .

format: install
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

check: install
	$(UV) run python manage.py makemigrations --check --dry-run
	$(UV) run python manage.py spectacular --validate --fail-on-warn --file /dev/null

messages: install
	$(UV) run python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=.tools --no-obsolete
	$(UV) run python manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=.tools

worker: install
	$(UV) run celery -A union_portal worker --loglevel=INFO

beat: install
	$(UV) run celery -A union_portal beat --loglevel=INFO

bench: install
	$(UV) run python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf .venv .tools db.sqlite3 staticfiles .pytest_cache
