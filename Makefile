# gokeepalived: build, test and tooling. `make help` lists the targets.
GO        ?= go
PREFIX    ?= /usr/local
BIN       := bin/gokeepalived
PKGS      := ./...
FUZZTIME  ?= 60s
# make install: where the files go (DESTDIR is prepended to each).
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR    ?= /etc/systemd/system
# make deb: nfpm at a pinned version (one whose modules the Go proxy
# serves), run with `go run` so that it stays out of go.mod; the package
# version is the binary's programVersion.
NFPM       := github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
DIST       ?= dist
VERSION    ?= $(shell sed -n 's/^[[:space:]]*programVersion[[:space:]]*=[[:space:]]*"\(.*\)"$$/\1/p' cmd/gokeepalived/flags.go)
DEB_GOARCH ?= $(shell $(GO) env GOARCH)
# make bench-config: the instance counts of its sizes table.
BENCH_SIZES ?= 1000,2500,5000,10000,20000,40000

.PHONY: help build demo test test-unit lint fuzz install deb bench-config bench-failover bench-scale bench-scrape clean

help:
	@echo "make build         build $(BIN)"
	@echo "make demo          a failover between two namespaces (needs root)"
	@echo "make test          all tests, unit and integration (integration needs root)"
	@echo "make test-unit     tests that need no privileges"
	@echo "make lint          gofmt, go vet, staticcheck, go mod tidy check"
	@echo "make fuzz          run every fuzz target for FUZZTIME each (default $(FUZZTIME))"
	@echo "make install       install the binary to $(SBINDIR), the man page to $(MANDIR), the unit to"
	@echo "                   $(UNITDIR) and, if absent, $(SYSCONFDIR)/default/gokeepalived (DESTDIR=... to stage)"
	@echo "make deb           build $(DIST)/gokeepalived_$(VERSION)_<arch>.deb with nfpm (DEB_GOARCH=arm64 to cross-build)"
	@echo "                   and $(DIST)/gokeepalived-compat_$(VERSION)_all.deb (keepalived's names for it)"
	@echo "make bench-config  gokeepalived -t against keepalived -t on a 10,000-instance config, then at"
	@echo "                   BENCH_SIZES instances (default $(BENCH_SIZES)) (root, a few minutes)"
	@echo "make bench-scrape  stale dump reads of keepalived-exporter's scrape, gokeepalived beside keepalived (root)"
	@echo "make bench-failover  failover times and CPU/RSS at 1, 256, 1000 instances, beside keepalived (root)"
	@echo "make bench-scale   1 to 4000 instances on two hosts, v2 and v3 at 10 ms, beside keepalived (root)"

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/gokeepalived

demo: build
	bash demo/demo.sh $(BIN)

test:
	$(GO) test -race -count=1 -timeout 40m $(PKGS)

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
	install -D -m 0755 $(BIN) $(DESTDIR)$(SBINDIR)/gokeepalived
	install -D -m 0644 packaging/gokeepalived.8 $(DESTDIR)$(MANDIR)/man8/gokeepalived.8
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/sbin/gokeepalived|$(SBINDIR)/gokeepalived|g' packaging/gokeepalived.service > $(DESTDIR)$(UNITDIR)/gokeepalived.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/gokeepalived.service
	test -e $(DESTDIR)$(SYSCONFDIR)/default/gokeepalived || \
		install -D -m 0644 packaging/default $(DESTDIR)$(SYSCONFDIR)/default/gokeepalived
	@echo "installed; run 'systemctl daemon-reload' before using gokeepalived.service"

deb:
	rm -rf $(DIST)/stage
	mkdir -p $(DIST)/stage
	GOARCH=$(DEB_GOARCH) $(GO) build -trimpath -o $(DIST)/stage/gokeepalived ./cmd/gokeepalived
	gzip -9n < packaging/gokeepalived.8 > $(DIST)/stage/gokeepalived.8.gz
	VERSION=$(VERSION) GK_ARCH=$(DEB_GOARCH) GK_STAGE=$(DIST)/stage \
		$(GO) run $(NFPM) package --config packaging/nfpm.yaml --packager deb --target $(DIST)/
	VERSION=$(VERSION) $(GO) run $(NFPM) package --config packaging/nfpm-compat.yaml --packager deb --target $(DIST)/
	rm -rf $(DIST)/stage

bench-config: build
	$(GO) run ./bench/checkconfig -gokeepalived ./$(BIN) -sizes $(BENCH_SIZES)

bench-failover: build
	$(GO) run ./bench/failover -gokeepalived ./$(BIN)

bench-scale: build
	$(GO) run ./bench/scale -gokeepalived ./$(BIN)

bench-scrape: build
	$(GO) run ./bench/scrape -gokeepalived ./$(BIN)

clean:
	rm -rf bin dist
