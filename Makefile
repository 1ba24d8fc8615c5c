# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck check messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list changed; otherwise this is a no-op.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	KAWAL_ENV=demo $(BIN)/kawal demo

# Both cores: the suite runs in two worker processes (pytest-xdist). Not
# --dist worksteal: with it, tests ran after a transactional test had emptied
# the tables that migrations fill (regions) and hundreds failed. Bytecode is
# cached even where the environment says not to (PYTHONDONTWRITEBYTECODE): each
# worker otherwise compiles and rewrites every test module again, about 9 s each.
PYTEST_WORKERS ?= 2

test: $(STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	KAWAL_ENV=test $(BIN)/mypy

check: lint typecheck test

# Refresh the Indonesian catalogue after changing interface strings, then
# translate the new entries in src/kawal/locale/id/LC_MESSAGES/django.po.
messages: $(STAMP)
	cd src/kawal && KAWAL_ENV=test ../../$(BIN)/kawal makemessages -l id --no-obsolete --no-location
	KAWAL_ENV=test $(BIN)/python -m kawal.web.translations compile

clean:
	rm -rf $(VENV) var
