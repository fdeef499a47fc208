# berth — build, test, lint, demo. See README.md.
GO        ?= go
BIN       := bin/berth
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
CONFORMANCE ?= ../shared/conformance
# The engine's stages (monitor, init, exec) run from a small binary of package engine
# alone, built first and embedded into berth under this tag. Without the tag (plain
# go build/test) the engine re-executes the running binary instead.
STAGE     := engine/stagebin/berth-stage
STAGE_TAG := berth_stage
# Packages that run goroutines are tested again under the race detector.
RACE_PKGS := ./dnsserver/... ./netdriver/... ./engine/... ./project/...

.PHONY: all build stage test unit race lint deps clean

all: build

build: stage
	CGO_ENABLED=0 $(GO) build -tags $(STAGE_TAG) -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/berth

## stage: the stage binary (static, stripped); written to a temp file and renamed so that
## a concurrent build never embeds half of it.
stage:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w' -o $(STAGE).tmp ./engine/stagebin
	mv -f $(STAGE).tmp $(STAGE)

deps:
	./scripts/install-deps.sh

## test: everything CI runs — unit tests, root integration tests (skipped when not root),
## the race detector on concurrent packages, and the external Compose conformance suite.
test: deps build lint
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -tags $(STAGE_TAG) ./engine/...
	$(GO) test -race -count=1 -tags $(STAGE_TAG) $(RACE_PKGS)
	./scripts/conformance.sh $(CONFORMANCE)

lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

clean:
	rm -rf bin $(STAGE)

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
