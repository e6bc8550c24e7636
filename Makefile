# Patron: `make run` serves the app on the embedded database; `make test` runs every test.
# Both install whatever is missing first (see scripts/setup.sh) and are safe to run again.

SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: run test setup build bench e2e clean

run: build
	target/release/patron serve --demo 300

test:
	scripts/test.sh

setup:
	scripts/setup.sh

build: setup
	scripts/build.sh

e2e: build
	npx playwright test -c end2end/playwright.config.ts

bench: build
	scripts/setup.sh --with-bench
	bench/run.sh

clean:
	cargo clean
	rm -rf node_modules end2end/test-results end2end/.data
