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

.PHONY: demo install test test-sqlite test-postgres test-durations lint bench

install:
	$(UV) sync --locked --all-extras --compile-bytecode

demo: install
	$(UV) run xiezuo demo --scale $(SCALE)

# The two tiers run side by side, the PostgreSQL tier split in PG_GROUPS groups (its tests wait
# on the server more than they compute); each report is printed whole when it finishes.
PG_GROUPS ?= 2
PG_PARTS := $(addprefix test-postgres-,$(shell seq 1 $(PG_GROUPS)))

test: install
	$(UV) run xiezuo makemigrations --check --dry-run
	@echo "pytest on SQLite and on PostgreSQL ($(PG_GROUPS) groups), side by side; each report follows when it ends"
	mkdir -p $(TEST_TMP)
	$(MAKE) --no-print-directory -j$$(($(PG_GROUPS) + 1)) --output-sync=target test-sqlite $(PG_PARTS)

TEST_TMP ?= $(or $(TMPDIR),/tmp)/xiezuo-tests

test-sqlite:
	$(UV) run pytest --basetemp=$(TEST_TMP)/sqlite

# The PostgreSQL tier: the same suite against a real server. Skipped (with a notice) when no
# server answers, except under CI=true, where a missing server fails the run. `make
# test-postgres` runs its groups one after the other; `make test` side by side. The groups are
# balanced on the tests' durations in .test_durations (pytest-split; `make test-durations`
# measures them again; a test not listed counts as the average).
test-postgres: $(PG_PARTS)

test-postgres-%:
	XIEZUO_DATABASE_URL=$(PG_URL) XIEZUO_REQUIRE_DB=postgresql \
		$(UV) run pytest --splits $(PG_GROUPS) --group $* --splitting-algorithm least_duration \
		--basetemp=$(TEST_TMP)/postgres-$*

test-durations:
	XIEZUO_DATABASE_URL=$(PG_URL) XIEZUO_REQUIRE_DB=postgresql \
		$(UV) run pytest --store-durations --clean-durations --basetemp=$(TEST_TMP)/durations

lint: install
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy xiezuo

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(UV) run python $$script || exit 1; done
