# Magpie — every command a developer or CI needs. `make run` and `make test` install what is
# missing (apt packages, npm packages, pinned Go tools) before doing their job.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export CGO_ENABLED := 1
GO        ?= go
GOBIN     := $(shell $(GO) env GOPATH)/bin
WAILS_VERSION := v2.14.0
WAILS     := $(GOBIN)/wails
TAGS      := webkit2_41
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X magpie/backend/core.Version=$(VERSION)
BIN       := build/bin/magpie
CACHE     := .cache
APT_PKGS  := libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config gcc xvfb xauth imagemagick xdotool chromium \
             libreoffice-calc-nogui fonts-dejavu-core sqlite3
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help run test deps deps-system deps-go deps-node bindings check-generated frontend build serve install \
        lint test-go test-frontend test-e2e test-desktop test-tracker test-tracker-web test-forms test-mail bench clean

help:
	@echo "make run    build and open Magpie (browser mode when there is no display)"
	@echo "make test   install what is missing and run every check"
	@echo "make bench  run the benchmarks (figures go to docs/BENCHMARKS.md)"
	@echo "other: deps build serve install bindings lint test-go test-frontend test-e2e test-desktop clean"

## ---- dependencies -------------------------------------------------------------------

deps: deps-system deps-go deps-node

$(CACHE):
	@mkdir -p $(CACHE)

# apt packages: only what is missing is installed.
deps-system: | $(CACHE)
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing apt packages:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

deps-go:
	@$(GO) mod download
	@if [ ! -x $(WAILS) ] || ! $(WAILS) version 2>/dev/null | grep -q $(WAILS_VERSION); then \
	  echo "installing wails $(WAILS_VERSION)"; \
	  $(GO) install github.com/wailsapp/wails/v2/cmd/wails@$(WAILS_VERSION); \
	fi

# npm ci only when the lockfile changed since the last install.
deps-node: frontend/node_modules/.installed tests/e2e/node_modules/.installed

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

tests/e2e/node_modules/.installed: tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

## ---- build --------------------------------------------------------------------------

# frontend/wailsjs is generated from the bound Go structs and committed.
bindings: deps-go
	$(WAILS) generate module -tags $(TAGS) >/dev/null

check-generated: bindings
	@git diff --exit-code --stat -- frontend/wailsjs || \
	  (echo "frontend/wailsjs is stale: run 'make bindings' and commit it"; exit 1)

frontend: deps-node
	cd frontend && npm run build --silent

build: deps-system deps-go frontend
	@mkdir -p build/bin
	$(GO) build -tags desktop,production,$(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) .

run: build
	./$(BIN)

serve: build
	./$(BIN) serve

# install puts the desktop app in the user's menu: the binary in ~/.local/bin, its launcher and
# icon under ~/.local/share (PREFIX=/usr/local as root for every user).
PREFIX ?= $(HOME)/.local
install: build
	install -Dm755 $(BIN) $(PREFIX)/bin/magpie
	install -Dm644 build/linux/magpie.desktop $(PREFIX)/share/applications/magpie.desktop
	sed -i 's|^Exec=.*|Exec=$(PREFIX)/bin/magpie|' $(PREFIX)/share/applications/magpie.desktop
	install -Dm644 build/appicon.png $(PREFIX)/share/icons/hicolor/256x256/apps/magpie.png
	@echo "installed: $(PREFIX)/bin/magpie (menu: Magpie)"

## ---- checks -------------------------------------------------------------------------

lint: deps-go
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

test-go:
	$(GO) test -race -count=1 -timeout 20m ./...

test-frontend: deps-node
	cd frontend && npm run --silent typecheck && npm run --silent lint && npm run --silent test

test-e2e: build
	cd tests/e2e && BIN=$(CURDIR)/$(BIN) node run.mjs

test-desktop: build
	tests/desktop/smoke.sh $(CURDIR)/$(BIN)

test: deps lint check-generated test-go test-frontend test-e2e test-desktop test-tracker test-tracker-web test-forms test-mail test-sync-demo
	@echo "all checks passed"

# The tracker's real-browser test (Chromium + playwright-core, Mautic's standard snippet).
tests/tracker/node_modules/.installed: tests/tracker/package-lock.json
	cd tests/tracker && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test-tracker: build tests/tracker/node_modules/.installed
	cd tests/tracker && BIN=$(CURDIR)/$(BIN) node run.mjs

# Landing pages, DWC slots, focus items and the preference center in Chromium (issue 9).
test-tracker-web: build tests/tracker/node_modules/.installed
	cd tests/tracker && BIN=$(CURDIR)/$(BIN) node web.mjs
# Forms and assets in a real browser (issue 9): script embed, AJAX and no-JS submits, segment
# action, the form's email at an SMTP sink, gated asset download. SHOTS_DIR=docs/screenshots to refresh.
test-forms: build tests/tracker/node_modules/.installed
	cd tests/tracker && BIN=$(CURDIR)/$(BIN) node forms.mjs

# Emails end-to-end (issue 6): maildev on loopback, 1,000-recipient segment email, kill -9 mid-run.
tests/maildev/node_modules/.installed: tests/maildev/package-lock.json
	cd tests/maildev && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

test-mail: build tests/maildev/node_modules/.installed
	tests/maildev/e2e.sh $(CURDIR)/$(BIN)


# Team sync: two desktops and a worker converge through a cluster (docs/SYNC-DEMO.md).
test-sync-demo:
	tests/sync-demo/demo.sh

bench: build
	tests/bench/run.sh $(CURDIR)/$(BIN)

clean:
	rm -rf build/bin $(CACHE) frontend/dist/assets frontend/dist/index.html
