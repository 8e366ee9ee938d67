# The two commands: `make run` serves the demo, `make test` runs the whole suite.
.PHONY: run test quick lint bench profile soak migrate seed check-deploy compose-check screenshots

run:
	bash scripts/run.sh

test:
	bash scripts/test.sh $(ARGS)

# The quick part while you work: no browser, nothing slow, the test database kept between runs
# (run `make test` or add ARGS=--create-db after adding a migration).
quick:
	bash scripts/test.sh -m "not browser and not slow" --reuse-db $(ARGS)

lint:
	bash scripts/ensure-uv.sh && uv run ruff check . && uv run ruff format --check . && uv run lint-imports

migrate:
	bash scripts/ensure-uv.sh && uv run python manage.py migrate

seed:
	bash scripts/ensure-uv.sh && uv run python manage.py seed_demo

compose-check:
	docker-compose -f docker-compose.yml config -q

# Seeds the large organisation once (PostgreSQL: BENCH_DATABASE_URL) and writes docs/benchmarks.md.
bench:
	bash scripts/ensure-uv.sh && uv run python scripts/bench.py

# Where one page's time goes at the large scale (the benchmark's database): `make profile PAGE=/feedback/`.
profile:
	bash scripts/ensure-uv.sh && PAGE="$(PAGE)" uv run python scripts/profile_page.py

# A longer soak than the suite's: 24 people for 3 minutes against a live server on loopback.
soak:
	SOAK_SECONDS=180 SOAK_PEOPLE=24 bash scripts/test.sh tests/hardening/test_soak.py -q

# The main pages at phone and desktop width (and phone, dark), written to docs/screenshots/.
screenshots:
	bash scripts/ensure-uv.sh && uv run python scripts/screenshots.py
