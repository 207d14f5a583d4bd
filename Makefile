# spmd: `make run` builds spmd and runs the pi job on 2 local ranks;
# `make test` is the whole test suite (the command CI runs).
#
#   make build    bin/spmd: the GOEXPERIMENT=simd build when this Go has the
#                 experiment (it falls back to the portable kernels at run
#                 time on CPUs without vector units), else the portable one
#   make portable bin/spmd-portable, built without the experiment
#   make run      build, then bin/spmd run -np 2 pi --samples 1e8 --verify
#   make test     go vet, all tests, the race detector on comm and the
#                 patterns (par, job, the jobs), and kernels
#                 again built with GOEXPERIMENT=simd
#   make fuzz     every Fuzz target for FUZZTIME each (default 10s)
#   make bench    scripts/bench.sh
#   make cluster-up / cluster-down
#                 start/stop the loopback sshd, Slurm and MPI used by the
#                 cluster tests (root; see scripts/ci/)
#   make clean

GO       ?= go
FUZZTIME ?= 10s

# The kernels have an archsimd vector path compiled only under
# GOEXPERIMENT=simd, with the portable path chosen at run time on CPUs
# without the vector units. SIMD is "yes" when this Go knows the experiment.
SIMD := $(shell GOEXPERIMENT=simd $(GO) env GOEXPERIMENT >/dev/null 2>&1 && echo yes)

.PHONY: all build portable run test test-vet test-go test-race test-simd fuzz bench cluster-up cluster-down clean

all: build

# One compilation: the simd build already holds the portable kernels.
build:
ifeq ($(SIMD),yes)
	@if GOEXPERIMENT=simd $(GO) build -o bin/spmd ./spmd; then \
		echo "bin/spmd: GOEXPERIMENT=simd build (vector kernels, portable fallback at run time)"; \
	else \
		echo "WARNING: the GOEXPERIMENT=simd build failed; bin/spmd is the portable build" >&2; \
		$(GO) build -o bin/spmd ./spmd; \
	fi
else
	$(GO) build -o bin/spmd ./spmd
	@echo "bin/spmd: portable build ($(GO) has no GOEXPERIMENT=simd)"
endif

portable:
	$(GO) build -o bin/spmd-portable ./spmd

run: build
	bin/spmd run -np 2 pi --samples 1e8 --verify

# The parts run one after another and all of them run (make -k), so one
# run shows every failure; `make test` fails if any part failed.
test:
	@$(MAKE) --no-print-directory -k test-vet test-go test-race test-simd

test-vet:
	$(GO) vet ./...

test-go:
	$(GO) test -count=1 -timeout 20m ./...

test-race:
	$(GO) test -race -count=1 -timeout 20m ./comm/... ./par/... ./job/... ./spmd/jobs/...

test-simd:
ifeq ($(SIMD),yes)
	GOEXPERIMENT=simd $(GO) vet ./kernels/...
	GOEXPERIMENT=simd $(GO) test -count=1 -timeout 20m ./kernels/...
else
	@echo "test-simd: skipped, $(GO) has no GOEXPERIMENT=simd"
endif

# Everything in the default build, then the kernels again in the vector
# build (the only code that differs under GOEXPERIMENT=simd).
fuzz:
	GO=$(GO) scripts/fuzz.sh $(FUZZTIME)
ifeq ($(SIMD),yes)
	GOEXPERIMENT=simd GO=$(GO) scripts/fuzz.sh $(FUZZTIME) kernels
endif

bench:
	scripts/bench.sh

# Prints the export lines; in a shell use: eval "$$(scripts/ci/start-all.sh)"
cluster-up:
	scripts/ci/start-all.sh

cluster-down:
	scripts/ci/stop-all.sh

clean:
	rm -rf bin
