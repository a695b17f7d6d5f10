# gokeepalived: build, test and tooling. `make help` lists the targets.
GO        ?= go
PREFIX    ?= /usr/local
BIN       := bin/gokeepalived
PKGS      := ./...
FUZZTIME  ?= 60s

.PHONY: help build demo test test-unit lint fuzz install bench-config bench-failover clean

help:
	@echo "make build         build $(BIN)"
	@echo "make demo          a failover between two namespaces (needs root)"
	@echo "make test          all tests, unit and integration (integration needs root)"
	@echo "make test-unit     tests that need no privileges"
	@echo "make lint          gofmt, go vet, staticcheck, go mod tidy check"
	@echo "make fuzz          run every fuzz target for FUZZTIME each (default $(FUZZTIME))"
	@echo "make install       install to $(PREFIX)/sbin"
	@echo "make bench-config  gokeepalived -t against keepalived -t on a 10,000-instance config"
	@echo "make bench-failover  failover times and CPU/RSS at 1, 256, 1000 instances, beside keepalived (root)"

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/gokeepalived

demo: build
	bash demo/demo.sh $(BIN)

test:
	$(GO) test -race -count=1 $(PKGS)

test-unit:
	$(GO) test -race -count=1 -run 'Test[^I]|TestI[^n]|Fuzz|Example' $(PKGS)

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)
	$(GO) mod tidy -diff

fuzz:
	@for t in $$(grep -rhoE '^func (Fuzz[A-Za-z0-9_]+)' --include='*_test.go' internal | sed 's/func //'); do \
		pkg=$$(grep -rlE "^func $$t\(" --include='*_test.go' internal | xargs dirname); \
		echo "== $$t in $$pkg"; \
		$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; \
	done

install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/sbin/gokeepalived

bench-config: build
	$(GO) run ./bench/checkconfig -gokeepalived ./$(BIN)

bench-failover: build
	$(GO) run ./bench/failover -gokeepalived ./$(BIN)

clean:
	rm -rf bin dist
