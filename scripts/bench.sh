#!/usr/bin/env bash
# bench.sh: placeholder for the benchmark runner behind `make bench`.
#
# Another engineer will write it: it will run the Go benchmarks and the
# spmd scaling runs and write the results to docs/BENCHMARKS.md. Until then
# it says so and fails, so nobody mistakes it for a benchmark run.
echo "scripts/bench.sh: not written yet (placeholder); run 'go test -run ^\$ -bench . ./kernels/... ./comm/...' meanwhile" >&2
exit 1
