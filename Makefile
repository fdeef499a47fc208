# berth — build, test, lint, demo. See README.md.
GO        ?= go
BIN       := bin/berth
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
CONFORMANCE ?= ../shared/conformance
# berth embeds, under this tag, the container shim, built first (C, static, musl: every
# container's monitor, its PID 1 until the execve, and exec's helper). Without the tag
# (plain go build/test) berth cannot run containers, and the tests that need to skip.
SHIM      := engine/shim/berth-shim
SHIM_CC   ?= musl-gcc
SHIM_TAG := berth_shim
# Packages that run goroutines are tested again under the race detector.
RACE_PKGS := ./dnsserver/... ./netdriver/... ./engine/... ./project/...

.PHONY: all build shim test unit race lint deps kube-apiserver clean

all: build

build: shim
	CGO_ENABLED=0 $(GO) build -tags $(SHIM_TAG) -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/berth

## shim: the container shim (static, stripped), written to a temp file and renamed so that a
## concurrent build never embeds half of it.
shim:
	$(SHIM_CC) -O2 -Wall -Wextra -Werror -static -s -o $(SHIM).tmp engine/shim/shim.c
	mv -f $(SHIM).tmp $(SHIM)

deps:
	./scripts/install-deps.sh

## kube-apiserver: a real API server for `berth convert`'s integration test, built once from
## its Go module and cached (~/.cache/berth/kube): the first build takes several minutes.
kube-apiserver:
	./scripts/kube-apiserver.sh >/dev/null

## test: everything CI runs — unit tests, root integration tests (skipped when not root),
## the race detector on concurrent packages, and the external Compose conformance suite.
test: deps kube-apiserver build lint
	$(GO) test -count=1 -tags $(SHIM_TAG) ./...
	$(GO) test -race -count=1 -tags $(SHIM_TAG) $(RACE_PKGS)
	./scripts/conformance.sh $(CONFORMANCE)

lint: shim
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags $(SHIM_TAG) ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tags $(SHIM_TAG) ./...

clean:
	rm -rf bin $(SHIM)

## examples: the example services' static binaries, each into its build context
## (examples/<stack>/<service>/bin/<service>), where their Dockerfiles COPY them from.
EXAMPLE_CMDS := $(patsubst %/main.go,%,$(wildcard examples/*/*/main.go))
.PHONY: examples demo
examples:
	@for d in $(EXAMPLE_CMDS); do \
		echo "CGO_ENABLED=0 $(GO) build -o $$d/bin/$${d##*/} ./$$d"; \
		CGO_ENABLED=0 $(GO) build -o $$d/bin/$${d##*/} ./$$d || exit 1; \
	done

## demo: on a fresh machine (as root): installs what is needed, builds berth and the
## example images, runs examples/webapp, shows it answering, then removes everything.
demo: deps build examples
	./scripts/demo.sh
