# sop-admin: `make run` serves the demo panel, `make test` runs the whole suite.
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export FLASK_APP := app.py

.PHONY: run test bench load lint translations browser clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

# Compiled catalogues are build output (not in git).
PO_FILES := $(wildcard sop_admin/translations/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@
translations: $(MO_FILES)

instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

run: $(STAMP) translations instance/secret_key
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	$(BIN)/flask demo logins
	@echo "sop-admin: http://127.0.0.1:5000"
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# Browser tests drive Debian's Chromium; never a downloaded browser.
browser:
	@test -x /usr/bin/chromium || (apt-get update -q && apt-get install -y -q chromium)

test: $(STAMP) translations browser
	$(BIN)/pytest

BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install -q -e ".[dev,bench]"
	touch $@

# Figures go to the terminal; PostgreSQL parts use BENCH_POSTGRES_URL
# (default: the local test server). The intake bench drives gunicorn with wrk.
bench: $(BENCH_STAMP) translations
	@command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	$(BIN)/python -m bench

# Ten minutes of mixed work on gunicorn -w 2 + PostgreSQL, then the checks
# (LOAD_SECONDS, LOAD_CLIENTS, LOAD_MAX_REQUESTS bound it; see bench/load.py).
load: $(BENCH_STAMP) translations
	$(BIN)/python -m bench.load

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(MO_FILES)
