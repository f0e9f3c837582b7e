# Xiezuo — the commands a user types. Everything runs inside the locked uv environment.
# uv is found (or installed with the project's Python) by scripts/ensure-uv; UV=... overrides.
ifndef UV
UV := $(shell scripts/ensure-uv)
ifeq ($(UV),)
$(error uv is needed and scripts/ensure-uv could not find or install it (see above))
endif
endif
export UV
PG_URL ?= postgres://postgres@127.0.0.1:5432/postgres
SCALE ?= 1

.PHONY: demo install test test-sqlite test-postgres lint bench

install:
	$(UV) sync --locked --all-extras --compile-bytecode

demo: install
	$(UV) run xiezuo demo --scale $(SCALE)

# The two tiers run side by side (the suite is single-threaded; this halves the wait on a
# machine with two cores or more); each tier's report is printed whole when it finishes.
test: install
	$(UV) run xiezuo makemigrations --check --dry-run
	@echo "pytest on SQLite and on PostgreSQL, side by side; each report follows when its tier ends"
	mkdir -p $(TEST_TMP)
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

TEST_TMP ?= $(or $(TMPDIR),/tmp)/xiezuo-tests

test-sqlite:
	$(UV) run pytest --basetemp=$(TEST_TMP)/sqlite

# The PostgreSQL tier: the same suite against a real server. Skipped (with a notice) when no
# server answers, except under CI=true, where a missing server fails the run.
test-postgres:
	XIEZUO_DATABASE_URL=$(PG_URL) XIEZUO_REQUIRE_DB=postgresql \
		$(UV) run pytest --basetemp=$(TEST_TMP)/postgres

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy xiezuo

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(UV) run python $$script || exit 1; done
