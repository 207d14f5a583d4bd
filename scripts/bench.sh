#!/usr/bin/env bash
# bench.sh: the benchmark run behind `make bench`. Measures communication,
# kernels, scaling and start-up on this machine and writes
# docs/BENCHMARKS.md with the plots in docs/img/.
#
#   scripts/bench.sh               # the full run, about 10 minutes
#   QUICK=1 scripts/bench.sh       # a smoke run of every step, about 2 minutes;
#                                  # writes into a temporary directory, not docs/
#
# Settings (environment):
#   QUICK=1        short benchmark times, one repeat, small problems
#   DOC=FILE       where the report goes (default docs/BENCHMARKS.md; QUICK: temp)
#   IMG=DIR        where the plots and CSVs go (default docs/img; QUICK: temp)
#   COUNT=N        go test -count for the Go benchmarks (default 6, the least
#                  benchstat needs for a confidence interval; QUICK 1)
#   REPEAT=N       runs per point of spmd scale / compare (default 3; QUICK 1)
#   QUIET_LOAD=X   wait (up to WAIT seconds, default 120) until the 1-minute
#                  load average is below X (default 0.5) before starting:
#                  other work on the machine distorts every number
#   BENCHSTAT=0    do not fetch benchstat from the Go module proxy
#
# Steps: build the GOEXPERIMENT=simd binary (and the portable one); run the
# Go benchmarks of comm (beside bare sockets), comm/tcp and kernels; spmd
# bench pingpong --raw (1 B to 64 MiB) and allreduce on 2 and 4 ranks; spmd
# scale pi and cdist on 1 to 8 ranks (beyond 2 oversubscribed on a 2-core
# machine) plus a weak pi study; spmd compare pi and cdist; the start-up of
# spmd run against mpirun.openmpi if it is installed; spmd farm against GNU
# parallel (scripts/bench_farm.sh: trivial-task throughput, makespan of
# skewed tasks, start-up to the first task). Each step that fails
# is reported in the document and the run goes on; the exit status is
# non-zero if any step failed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
go=${GO:-go}
command -v "$go" >/dev/null || { go=/usr/local/go/bin/go; export PATH=/usr/local/go/bin:$PATH; }

quick=${QUICK:-0}
work=$(mktemp -d /tmp/spmd-bench.XXXXXX)
trap 'rm -rf "$work/bin"' EXIT
if [ "$quick" = 1 ]; then
	doc=${DOC:-$work/BENCHMARKS.md}
	img=${IMG:-$work/img}
	count=${COUNT:-1}
	repeat=${REPEAT:-1}
	benchtime=100ms
	pi_samples=2e8
	cdist_m=1000
	sizes=1:1Mi
	ar_sizes=8,64Ki,1Mi
	wire_runs=3
else
	doc=${DOC:-docs/BENCHMARKS.md}
	img=${IMG:-docs/img}
	count=${COUNT:-6}
	repeat=${REPEAT:-3}
	benchtime=500ms
	pi_samples=2e9
	cdist_m=4000
	sizes=1:64Mi
	ar_sizes=8,1Ki,64Ki,1Mi,8Mi
	wire_runs=7
fi
mkdir -p "$img" "$(dirname "$doc")"
# Paths in the document are relative to it.
relimg=$(realpath --relative-to="$(dirname "$doc")" "$img")

start=$SECONDS
section() { printf '\n=== %s [%ds]\n' "$*" $((SECONDS - start)) >&2; }
failed=()
peer_trouble=()
fail() {
	failed+=("$1")
	echo "bench: FAILED: $1" >&2
}

# --- helpers -------------------------------------------------------------

# median: the median of the numbers on standard input (empty if none).
median() {
	sort -g | awk '{a[NR] = $1} END {
		if (NR == 0) exit
		if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2
	}'
}

# metric FILE NAME UNIT: the median over -count runs of benchmark NAME's
# value in UNIT (ns/op, MB/s, ns/half-rtt, ms/op, ...) in go test output.
metric() {
	awk -v name="$2" -v unit="$3" '{
		n = $1; sub(/-[0-9]+$/, "", n)
		if (n == name) for (i = 3; i <= NF; i++) if ($i == unit) print $(i - 1)
	}' "$1" | median
}

# calc EXPR: floating-point arithmetic; prints "n/a" when a value is missing.
calc() {
	case "$*" in *[!0-9.eE+*/\ \(\)-]* | "") echo "n/a"; return ;; esac
	awk "BEGIN { v = $*; if (v != v) print \"n/a\"; else printf \"%.${prec:-2}f\", v }" 2>/dev/null || echo "n/a"
}

# ms COMMAND...: wall milliseconds of one run of COMMAND (empty on failure
# or after wire_limit seconds: mpirun -np 32 and spmd run -np 8 hello have
# both hung here once in a while).
wire_limit=20
ms() {
	local s e
	s=$(date +%s%N)
	timeout -k 5 "$wire_limit" "$@" >/dev/null 2>"$work/wire.err" </dev/null || return 1
	e=$(date +%s%N)
	echo $(((e - s) / 1000000))
}

# json_field FIELD: a number field of the JSON object on standard input.
json_field() { grep -o "\"$1\":[-0-9.eE+]*" | head -1 | cut -d: -f2; }

# bench_table [raw]: spmd bench CSV (header first) on standard input as a
# Markdown table of the columns that matter; with "raw", the bare-socket
# columns too.
bench_table() {
	awk -F, -v raw="${1:-}" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
			h = "| ranks | bytes | median µs | min µs | max µs | MB/s |"; s = "| ---: | ---: | ---: | ---: | ---: | ---: |"
			if (raw) { h = h " raw median µs | raw MB/s | x raw |"; s = s " ---: | ---: | ---: |" }
			print h; print s; next }
		{ r = sprintf("| %s | %s | %.1f | %.1f | %.1f | %.4g |", $col["ranks"], $col["bytes"], $col["median_us"],
				$col["min_us"], $col["max_us"], $col["mb_per_s"])
			if (raw) r = r sprintf(" %.1f | %.4g | %.2f |", $col["raw_median_us"], $col["raw_mb_per_s"], $col["ratio_to_raw"])
			print r }'
}

loadavg() { cut -d' ' -f1 /proc/loadavg; }

# --- machine, and a quiet moment -----------------------------------------

section "waiting for a quiet machine"
quiet_load=${QUIET_LOAD:-0.5}
deadline=$((SECONDS + ${WAIT:-120}))
while awk -v l="$(loadavg)" -v q="$quiet_load" 'BEGIN { exit !(l > q) }' && [ $SECONDS -lt $deadline ]; do
	echo "bench: load average $(loadavg) > $quiet_load; waiting (until ${WAIT:-120} s have passed)" >&2
	sleep 15
done
load_start=$(cat /proc/loadavg | cut -d' ' -f1-3)
cpu_model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
cores=$(nproc)
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
flags=$(grep -m1 -o -w -E 'avx512f|avx2|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')
mhz=$(lscpu | sed -n 's/^CPU max MHz: *//p; s/^CPU MHz: *//p' | head -1)
goversion=$("$go" version)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | grep -q . && echo " (with uncommitted changes)")
date=$(date -u '+%Y-%m-%d %H:%M UTC')

# --- build ----------------------------------------------------------------

section "build"
mkdir -p "$work/bin"
spmd=$work/bin/spmd
portable=$work/bin/spmd-portable
simd_build="GOEXPERIMENT=simd"
"$go" build -o "$portable" ./spmd || { fail "go build (portable)"; exit 1; }
if ! GOEXPERIMENT=simd "$go" build -o "$spmd" ./spmd; then
	fail "GOEXPERIMENT=simd build; the portable build is measured instead"
	cp "$portable" "$spmd"
	simd_build="portable (the simd build failed)"
fi
pi_kernel=$("$spmd" pi --samples 1e6 --json --quiet --threads 1 | grep -o '"kernel":"[^"]*"' | cut -d'"' -f4)

# --- Go benchmarks ----------------------------------------------------------

section "go test -bench: comm, comm/tcp"
gobench=$work/gobench.txt
: >"$gobench"
GOEXPERIMENT=simd "$go" test -run '^$' -bench . -benchtime "$benchtime" -count "$count" -timeout 30m ./comm/ ./comm/tcp/ \
	>"$work/comm.txt" 2>&1 || fail "go test -bench ./comm/ ./comm/tcp/"
cat "$work/comm.txt" >>"$gobench"

section "go test -bench: kernels"
kbench='^Benchmark(Pi|Cdist1000|CdistNaive1000|Cdist4000|Bootstrap(Mean|Median)(Serial)?1000$|FitDatasets|SIR)'
[ "$quick" = 1 ] && kbench='^Benchmark(PiHits|Cdist1000)'
GOEXPERIMENT=simd "$go" test -run '^$' -bench "$kbench" -benchtime "$benchtime" -count "$count" -timeout 30m ./kernels/ \
	>"$work/kernels.txt" 2>&1 || fail "go test -bench ./kernels/"
cat "$work/kernels.txt" >>"$gobench"

benchstat_out=""
if [ "${BENCHSTAT:-1}" = 1 ]; then
	section "benchstat"
	benchstat_out=$(timeout 180 "$go" run golang.org/x/perf/cmd/benchstat@latest "this run=$gobench" 2>/dev/null) ||
		benchstat_out=""
fi

# comm against the bare socket, from the same run.
m() { metric "$gobench" "$@"; }
pp_comm=$(m BenchmarkPingPong8B ns/half-rtt)
pp_bare=$(m BenchmarkBareTCPPingPong8B ns/half-rtt)
pp_tr=$(m BenchmarkTransportPingPong8B ns/half-rtt)
pp_trw=$(m BenchmarkTransportPingPong8BWait ns/half-rtt)
bw1_comm=$(m BenchmarkBandwidth1MiB MB/s)
bw1_bare=$(m BenchmarkBareTCPBandwidth1MiB MB/s)
bw16_comm=$(m BenchmarkBandwidth16MiB MB/s)
bw16_bare=$(m BenchmarkBareTCPBandwidth16MiB MB/s)
bw16_tr=$(m BenchmarkTransportBandwidth16MiB MB/s)
bw16_sock=$(m BenchmarkSocketsBandwidth16MiB MB/s)
bw1_sock=$(m BenchmarkSocketsBandwidth1MiB MB/s)
ar2=$(m BenchmarkAllreduce1Mi/ranks=2 ms/op)
ar4=$(m BenchmarkAllreduce1Mi/ranks=4 ms/op)
bc2=$(m BenchmarkBcast1MiB/ranks=2 ms/op)
bc4=$(m BenchmarkBcast1MiB/ranks=4 ms/op)
ga2=$(m BenchmarkGather1MiB/ranks=2 ms/op)
ga4=$(m BenchmarkGather1MiB/ranks=4 ms/op)
pi_vec=$(m BenchmarkPiHitsVector/avx512 Msamples/s)
[ -n "$pi_vec" ] || pi_vec=$(m BenchmarkPiHitsVector/avx2 Msamples/s)
pi_port=$(m BenchmarkPiHitsPortable Msamples/s)
cd1_vec=$(m BenchmarkCdist1000/avx512 ns/op)
[ -n "$cd1_vec" ] || cd1_vec=$(m BenchmarkCdist1000/avx2 ns/op)
cd1_port=$(m BenchmarkCdist1000/portable ns/op)
cd1_naive=$(m BenchmarkCdistNaive1000 ns/op)

# --- spmd bench: two processes ---------------------------------------------

section "spmd bench pingpong --raw, 2 ranks"
"$spmd" run -np 2 bench pingpong --raw --sizes "$sizes" --csv >"$work/pingpong.csv" 2>"$work/pingpong.err" ||
	fail "spmd bench pingpong"
cp "$work/pingpong.csv" "$img/pingpong.csv" 2>/dev/null
# row SIZE COLUMN of the pingpong CSV
pp_col() { awk -F, -v s="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } $3 == s { print $col[c] }' "$work/pingpong.csv"; }
mp_bw16=$(pp_col 16777216 mb_per_s)
mp_bw16_raw=$(pp_col 16777216 raw_mb_per_s)
mp_bw1=$(pp_col 1048576 mb_per_s)
mp_bw1_raw=$(pp_col 1048576 raw_mb_per_s)

# The 8-byte target on its own: a sweep's one pass over the sizes is at the
# mercy of whatever else the machine does during those seconds, so this
# repeats a short run, each giving its own ratio to the bare socket, and
# keeps the medians. The target is comm over the sockets against a bare
# socket between the same processes, so it runs with SPMD_SHM=off (the
# path between machines); the default, shared memory, is the sweep's.
pp8_runs=$([ "$quick" = 1 ] && echo 3 || echo 7)
for _ in $(seq "$pp8_runs"); do
	SPMD_SHM=off "$spmd" run -np 2 bench pingpong --raw --sizes 8 --iters 3000 --csv 2>>"$work/pingpong.err" | tail -n +2
done >"$work/pingpong8.csv"
mp_pp8_shm=$(pp_col 8 median_us)
pp8_field() { awk -F, -v c="$1" '{ print $c }' "$work/pingpong8.csv" | median; }
mp_pp8=$(pp8_field 6)
mp_pp8_raw=$(pp8_field 9)
r_mp_pp=$(pp8_field 11)
[ -n "$r_mp_pp" ] || fail "spmd bench pingpong --sizes 8"

# The same through the sockets only: the path between machines.
SPMD_SHM=off SPMD_SINGLE_COPY=off "$spmd" run -np 2 bench pingpong --raw --sizes 1Mi,16Mi --csv >"$work/pingpong-sockets.csv" 2>>"$work/pingpong.err" ||
	fail "spmd bench pingpong with SPMD_SHM=off SPMD_SINGLE_COPY=off"
mp_bw16_sock=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } $3 == 16777216 { print $col["mb_per_s"] }' "$work/pingpong-sockets.csv")

section "spmd bench allreduce, 2 and 4 ranks"
: >"$work/allreduce.csv"
for np in 2 4; do
	over=""
	[ "$np" -gt "$cores" ] && over=--oversubscribe
	"$spmd" run -np $np $over bench allreduce --sizes "$ar_sizes" --csv >"$work/allreduce$np.csv" 2>>"$work/allreduce.err" ||
		fail "spmd bench allreduce on $np ranks"
	if [ ! -s "$work/allreduce.csv" ]; then cat "$work/allreduce$np.csv" >"$work/allreduce.csv"; else tail -n +2 "$work/allreduce$np.csv" >>"$work/allreduce.csv"; fi
done
cp "$work/allreduce.csv" "$img/allreduce.csv" 2>/dev/null

# Charts of both: log-log time and bandwidth against message size.
for b in pingpong allreduce; do
	rm -rf "${img:?}/$b"
	"$spmd" bench plot --out "$img/$b" "$work/$b.csv" >/dev/null 2>>"$work/$b.err" || fail "spmd bench plot $b"
done
ar_col() { awk -F, -v n="$1" -v s="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } $2 == n && $3 == s { print $col[c] }' "$work/allreduce.csv"; }
mp_ar2=$(calc "$(ar_col 2 8388608 median_us)" / 1000)
mp_ar4=$(calc "$(ar_col 4 8388608 median_us)" / 1000)

# --- shared memory beside Open MPI --------------------------------------------

section "shared memory beside Open MPI (scripts/bench-shm.sh)"
QUICK=$quick RELIMG=$relimg scripts/bench-shm.sh "$spmd" "$img" >"$work/shm.md" 2>"$work/shm.err" ||
	fail "scripts/bench-shm.sh (see its section)"

# --- scaling ----------------------------------------------------------------

section "spmd scale pi / cdist, 1 to 8 ranks"
scale() { # NAME JOB ARGS...
	local name=$1
	shift
	rm -rf "${img:?}/$name"
	"$spmd" scale "$@" --repeat "$repeat" --out "$img/$name" --quiet >"$work/$name.txt" 2>&1 || fail "spmd scale $*"
}
scale scale-pi pi --samples "$pi_samples" --ranks 1,2,4,8
scale scale-cdist cdist --m "$cdist_m" --n "$cdist_m" --p 100 --ranks 1,2,4,8
scale weak-pi pi --samples "$(prec=0 calc "$pi_samples" / 4)" --weak --ranks 1,2,4,8
# summary COLUMN of the scale CSV at RANKS
sc_col() { awk -F, -v r="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } $1 == "summary" && $4 == r && $5 == 1 { print $col[c] }' "$img/$1/scale.csv" 2>/dev/null; }
# cmp_speedup JOB CONFIG: "speedup vs 1 x 1" of the goroutines or ranks row
# of spmd compare's table (the column before efficiency).
cmp_speedup() {
	awk -v c="$2" '$1 == c && $2 ~ /^[0-9]+$/ { v = $(NF - 1); sub(/x$/, "", v); print v }' "$work/compare-$1.txt" | head -1
}
# amdahl NAME: spmd scale's line on the Amdahl fit as a sentence: the fit,
# or why there is none (on 2 cores there always is none: too few worker
# counts within the cores).
amdahl() { sed -n '/Amdahl fit/{s/^warning: //; s/^./\U&/; s/$/./; p; q}' "$work/$1.txt"; }
scale_table() { # NAME: the summary rows as a Markdown table
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i
			print "| ranks | threads | median s | min s | max s | speedup | efficiency | |"
			print "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"; next }
		$1 == "summary" { o = ($col["oversubscribed"] == "true") ? "oversubscribed" : ""
			printf "| %s | %s | %.4f | %.4f | %.4f | %.2fx | %.0f%% | %s |\n", $col["ranks"], $col["threads"],
				$col["median_seconds"], $col["min_seconds"], $col["max_seconds"], $col["speedup"], 100 * $col["efficiency"], o }' \
		"$img/$1/scale.csv" 2>/dev/null
}

section "pi and cdist, 2 ranks vs 1, interleaved"
# The 2-rank targets on their own, like the 8-byte one: each round runs,
# one after the other, 1 rank; 2 ranks (for cdist with the default gather,
# a shared window on one machine, and with --gather messages); and two
# independent processes started at once, each doing half the work with no
# communication at all: the most 2 ranks could reach on this machine at
# that moment (the slower half's time). Alternating them lets bursts of
# other work land on all alike; a verdict is the median of the rounds' own
# ratios.
rounds=$([ "$quick" = 1 ] && echo 3 || echo 11)
# The parallel section (between the barriers): speedups of spmd against
# itself. Comparisons with other tools use the end-to-end time.
wall() { json_field section_seconds; }
slower() { grep -o '"section_seconds":[-0-9.eE+]*' | cut -d: -f2 | sort -g | tail -1; }
pi_half=$(prec=0 calc "$pi_samples" / 2)
pijob() { "$spmd" run -np "$1" pi --samples "$pi_samples" --threads 1 --json --quiet | wall; }
pihalves() {
	{
		"$spmd" pi --samples "$pi_half" --threads 1 --json --quiet &
		"$spmd" pi --samples "$pi_half" --threads 1 --json --quiet
		wait
	} | slower
}
cd_half=$((cdist_m / 2))
cdjob() { # NP ARGS...: wall seconds of one cdist run
	local np=$1
	shift
	"$spmd" run -np "$np" cdist --m "$cdist_m" --n "$cdist_m" --p 100 --threads 1 --json --quiet "$@" | wall
}
cdhalves() {
	{
		"$spmd" cdist --m "$cd_half" --n "$cdist_m" --p 100 --threads 1 --json --quiet &
		"$spmd" cdist --m $((cdist_m - cd_half)) --n "$cdist_m" --p 100 --threads 1 --json --quiet
		wait
	} | slower
}
for _ in $(seq "$rounds"); do
	echo "$(pijob 1) $(pijob 2) $(pihalves)"
	echo "$(cdjob 1) $(cdjob 2) $(cdjob 2 --gather messages) $(cdhalves)" >>"$work/cdist2.txt"
done >"$work/pi2.txt"
# col FILE WIDTH C: median of column C; ratio FILE WIDTH C: median of
# column 1 / column C over the rounds (rows of WIDTH numbers).
col() { awk -v w="$2" -v c="$3" 'NF == w { print $c }' "$1" | median; }
ratio() { awk -v w="$2" -v c="$3" 'NF == w && $c > 0 { print $1 / $c }' "$1" | median; }
pi_one=$(col "$work/pi2.txt" 3 1)
pi_two=$(col "$work/pi2.txt" 3 2)
pi_ceil=$(col "$work/pi2.txt" 3 3)
sp_pi2=$(calc "$(ratio "$work/pi2.txt" 3 2)" / 1)
sp_pi2_ceil=$(calc "$(ratio "$work/pi2.txt" 3 3)" / 1)
cd_one=$(col "$work/cdist2.txt" 4 1)
cd_shared=$(col "$work/cdist2.txt" 4 2)
cd_msgs=$(col "$work/cdist2.txt" 4 3)
cd_ceil=$(col "$work/cdist2.txt" 4 4)
sp_cd2=$(calc "$(ratio "$work/cdist2.txt" 4 2)" / 1)
sp_cd2_msgs=$(calc "$(ratio "$work/cdist2.txt" 4 3)" / 1)
sp_cd2_ceil=$(calc "$(ratio "$work/cdist2.txt" 4 4)" / 1)
[ "$sp_pi2" != n/a ] || fail "pi 2 ranks vs 1, interleaved"
[ "$sp_cd2" != n/a ] || fail "cdist 2 ranks vs 1, interleaved"

section "spmd compare pi / cdist"
"$spmd" compare --repeat "$repeat" pi --samples "$pi_samples" >"$work/compare-pi.txt" 2>&1 || fail "spmd compare pi"
"$spmd" compare --repeat "$repeat" cdist --m "$cdist_m" --n "$cdist_m" --p 100 >"$work/compare-cdist.txt" 2>&1 || fail "spmd compare cdist"

# --- the notebook's workloads, one rank, simd and portable -------------------

section "one-rank runs against the notebook"
one() { # BINARY JOB ARGS...: median end-to-end seconds (elapsed_seconds) of REPEAT runs
	local bin=$1
	shift
	for _ in $(seq "$repeat"); do
		"$bin" run -np 1 "$@" --threads 1 --json --quiet | json_field elapsed_seconds
	done | median
}
nb_pi_n=1e9
[ "$quick" = 1 ] && nb_pi_n=2e8
nb_pi_simd=$(one "$spmd" pi --samples $nb_pi_n)
nb_pi_port=$(one "$portable" pi --samples $nb_pi_n)
nb_cd_simd=$(one "$spmd" cdist --m 1000 --n 1000 --p 100)
nb_cd_port=$(one "$portable" cdist --m 1000 --n 1000 --p 100)
nb_cd_naive=$(one "$spmd" cdist --m 1000 --n 1000 --p 100 --method naive)
nb_pi_simd_rate=$(prec=0 calc "$nb_pi_n" / "$nb_pi_simd" / 1e6)
nb_pi_port_rate=$(prec=0 calc "$nb_pi_n" / "$nb_pi_port" / 1e6)

# --- start-up ------------------------------------------------------------------

section "start-up: spmd run vs mpirun"
wire() { # LABEL COMMAND...: median ms over wire_runs; stops at the first hang
	local label=$1 v t runs=() hung=""
	shift
	for _ in $(seq "$wire_runs"); do
		if t=$(ms "$@"); then
			runs+=("$t")
		else
			local err
			err=$(tail -c 300 "$work/wire.err" | tr '\n|' '  ' | sed 's/ *$//')
			hung=" (run $((${#runs[@]} + 1)) failed or hung past ${wire_limit} s, then stopped${err:+: $err})"
			break
		fi
	done
	v=$(printf '%s\n' "${runs[@]}" | grep . | median)
	if [ -n "$hung" ]; then
		# A peer's failure is a fact about the peer, not a failed step of ours.
		case $label in
		mpirun*) peer_trouble+=("$label$hung") ;;
		*) fail "start-up: $label$hung" ;;
		esac
	fi
	echo "| \`$label\` | ${v:-failed}${hung} |"
}
{
	echo "| command | median ms |"
	echo "| --- | ---: |"
	wire "spmd run -np 2 hello" "$spmd" run -np 2 hello
	wire "spmd run -np 8 --oversubscribe hello" "$spmd" run -np 8 --oversubscribe hello
	wire "spmd run -np 32 --oversubscribe hello" "$spmd" run -np 32 --oversubscribe hello
	wire "spmd run -np 8 --oversubscribe -- /bin/true" "$spmd" run -np 8 --oversubscribe -- /bin/true
	if command -v mpirun.openmpi >/dev/null; then
		wire "mpirun.openmpi -np 2 /bin/true" mpirun.openmpi --allow-run-as-root --oversubscribe -np 2 /bin/true
		wire "mpirun.openmpi --oversubscribe -np 8 /bin/true" mpirun.openmpi --allow-run-as-root --oversubscribe -np 8 /bin/true
		wire "mpirun.openmpi --oversubscribe -np 32 /bin/true" mpirun.openmpi --allow-run-as-root --oversubscribe -np 32 /bin/true
	else
		echo "| mpirun.openmpi | not installed: skipped |"
	fi
} >"$work/wireup.md"

# --- farming programs ---------------------------------------------------------

section "spmd farm vs GNU parallel"
farm_rate="" parallel_rate="" farm_ratio=""
if command -v parallel >/dev/null; then
	QUICK=$quick scripts/bench_farm.sh "$spmd" "$work/farm.md" "$work/farm.vars" || fail "spmd farm vs GNU parallel (scripts/bench_farm.sh)"
	# shellcheck disable=SC1091
	[ -s "$work/farm.vars" ] && . "$work/farm.vars"
else
	peer_trouble+=("GNU parallel is not installed (apt-get install parallel): the spmd farm comparison was skipped")
	printf '## Farming programs: spmd farm vs GNU parallel\n\nSkipped: GNU parallel is not installed.\n' >"$work/farm.md"
fi

# --- a user's own work: package par ------------------------------------------

section "package par: schedules, cost per item, the map job"
par_dyn_worst="" par_ours_us="" par_joblib_us="" par_joblib_ratio="" par_uniform_ratio="" par_skewed_ratio=""
QUICK=$quick REPEAT=$repeat scripts/bench/par.sh "$spmd" "$work/par.vars" >"$work/par.md" || fail "package par (scripts/bench/par.sh)"
# shellcheck disable=SC1091
[ -s "$work/par.vars" ] && . "$work/par.vars"
/usr/bin/python3 -c 'import joblib' 2>/dev/null ||
	peer_trouble+=("python3-joblib is not installed (apt-get install python3-joblib): par.Map was measured without its peers")

wire8=$(sed -n 's/^| `spmd run -np 8 --oversubscribe hello` | \([0-9.]*\) |$/\1/p' "$work/wireup.md")
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$((SECONDS - start))

# --- the document -----------------------------------------------------------

section "writing $doc"
verdict() { # VALUE OP LIMIT -> met / missed
	awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
		if (v == "" || v == "n/a") { print "n/a"; exit }
		ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 >= l + 0)
		print ok ? "met" : "**missed**" }'
}
r_pp=$(calc "$pp_comm" / "$pp_bare")
r_bw16=$(calc "$bw16_comm" / "$bw16_bare")
r_bw1=$(calc "$bw1_comm" / "$bw1_bare")
r_mp_bw16=$(calc "$mp_bw16" / "$mp_bw16_raw")
r_bw16_sock=$(calc "$bw16_sock" / "$bw16_bare")
r_mp_bw16_sock=$(calc "$mp_bw16_sock" / "$mp_bw16_raw")
us() { prec=1 calc "$1" / 1000; }
gbs() { prec=2 calc "$1" / 1000; }

tmpdoc=$work/doc.md.tmp
{
	cat <<EOF
# Benchmarks

Generated by \`scripts/bench.sh\` (\`make bench\`) on $date, commit \`$commit\`$dirty,
in $((elapsed / 60)) min $((elapsed % 60)) s.$([ "$quick" = 1 ] && echo " **QUICK=1 run: short benchmark times, small problems; not for citing.**")

| | |
| --- | --- |
| machine | $cpu_model, $cores cores${mhz:+ (${mhz%.*} MHz)}, $mem; ${flags:-no AVX flags} |
| Go | $goversion; spmd built with $simd_build (pi kernel: ${pi_kernel:-?}) |
| load average (1, 5, 15 min) | $load_start at the start, $load_end at the end |
| settings | go test -benchtime $benchtime -count $count; spmd scale/compare --repeat $repeat |

The machine is shared and noisy (one communication run in four can be 2–4x
slower), so compare numbers as ratios inside this one run, and read the
min–max bars on the plots.

## Reproduce

\`\`\`sh
make bench                        # this whole document (scripts/bench.sh)
GOEXPERIMENT=simd go test -run '^\$' -bench . -benchtime $benchtime -count $count ./comm/ ./comm/tcp/
GOEXPERIMENT=simd go test -run '^\$' -bench '$kbench' -count $count ./kernels/
make build                        # bin/spmd (simd) and bin/spmd-portable
bin/spmd run -np 2 bench pingpong --raw --sizes $sizes --csv
bin/spmd run -np 2 bench allreduce --sizes $ar_sizes --csv
bin/spmd run -np 4 --oversubscribe bench allreduce --sizes $ar_sizes --csv
bin/spmd bench plot --out $relimg/pingpong pingpong.csv   # charts of the CSVs above (and of allreduce.csv)
scripts/bench-shm.sh bin/spmd $relimg > section.md        # "Shared memory beside Open MPI" (needs mpicc, mpirun.openmpi)
bin/spmd scale pi --samples $pi_samples --ranks 1,2,4,8 --repeat $repeat --out $relimg/scale-pi
bin/spmd scale cdist --m $cdist_m --n $cdist_m --p 100 --ranks 1,2,4,8 --repeat $repeat --out $relimg/scale-cdist
bin/spmd compare --repeat $repeat pi --samples $pi_samples
bin/spmd compare --repeat $repeat cdist --m $cdist_m --n $cdist_m --p 100
scripts/bench_farm.sh bin/spmd farm.md      # spmd farm vs GNU parallel (apt-get install parallel)
scripts/bench/par.sh bin/spmd > par.md      # package par: schedules, per-item cost vs joblib (apt-get install python3-joblib)
\`\`\`

## Targets

Communication targets are ratios to a bare TCP socket measured in the same
run; the Open MPI figures were measured on a machine of this kind (2-core
AMD EPYC, loopback TCP; see /work/shared/notes/performance-facts.md).

| measure | spmd | reference | ratio | target | verdict |
| --- | ---: | ---: | ---: | --- | --- |
| 8 B half round trip through the sockets, two processes (\`SPMD_SHM=off spmd bench pingpong --raw --sizes 8\`, median of $pp8_runs runs and of their ratios) | $(prec=1 calc "$mp_pp8" / 1) µs | $(prec=1 calc "$mp_pp8_raw" / 1) µs | $(calc "$r_mp_pp" / 1)x | ≤ 1.3x | $(verdict "$r_mp_pp" '<=' 1.3) |
| 8 B half round trip, two processes, default (shared memory on one machine; see "Shared memory beside Open MPI") | $(prec=2 calc "$mp_pp8_shm" / 1) µs | bare socket $(prec=1 calc "$mp_pp8_raw" / 1) µs | | | |
| 8 B half round trip, both ranks in one process (\`go test\`; see below) | $(us "$pp_comm") µs | $(us "$pp_bare") µs | ${r_pp}x | | |
| 8 B half round trip through the sockets vs Open MPI over TCP (C 5.5 µs / mpi4py 6.4 µs) | $(prec=1 calc "$mp_pp8" / 1) µs | 5.5 µs | $(calc "$mp_pp8" / 5.5)x | | |
| 16 MiB ping-pong through the sockets, two processes vs bare (\`SPMD_SHM=off SPMD_SINGLE_COPY=off\`) | $(gbs "$mp_bw16_sock") GB/s | $(gbs "$mp_bw16_raw") GB/s | $(prec=0 calc 100 \* "$r_mp_bw16_sock")% | ≥ 85% | $(verdict "$r_mp_bw16_sock" '>=' 0.85) |
| 16 MiB stream through the sockets vs bare (\`go test\`) | $(gbs "$bw16_sock") GB/s | $(gbs "$bw16_bare") GB/s | $(prec=0 calc 100 \* "$r_bw16_sock")% | ≥ 85% | $(verdict "$r_bw16_sock" '>=' 0.85) |
| 16 MiB ping-pong, two processes, default (shared memory on one machine) vs bare | $(gbs "$mp_bw16") GB/s | $(gbs "$mp_bw16_raw") GB/s | $(prec=0 calc 100 \* "$r_mp_bw16")% | | |
| 16 MiB stream, default (single copy) vs bare (\`go test\`) | $(gbs "$bw16_comm") GB/s | $(gbs "$bw16_bare") GB/s | $(prec=0 calc 100 \* "$r_bw16")% | | |
| 16 MiB vs Open MPI (3.9–4.3 GB/s) | $(gbs "$mp_bw16") GB/s | 4.1 GB/s | $(calc "$mp_bw16" / 4100)x | | |
| Allreduce 1 Mi float64, 2 ranks (\`go test\`) | $(prec=1 calc "$ar2" / 1) ms | 4.5 ms | $(calc "$ar2" / 4.5)x | | |
| Allreduce 1 Mi float64, 2 processes (\`spmd bench\`) | $mp_ar2 ms | 4.5 ms | $(calc "$mp_ar2" / 4.5)x | | |
| Allreduce 1 Mi float64, 4 ranks (\`go test\`, oversubscribed) | $(prec=1 calc "$ar4" / 1) ms | 16.5 ms | $(calc "$ar4" / 16.5)x | | |
| Allreduce 1 Mi float64, 4 processes (\`spmd bench\`, oversubscribed) | $mp_ar4 ms | 16.5 ms | $(calc "$mp_ar4" / 16.5)x | | |
| pi kernel, vector path, one core | $(prec=0 calc "$pi_vec" / 1) M samples/s | 1000 M samples/s | | ≥ 1000 | $(verdict "$pi_vec" '>=' 1000) |
| pi kernel, portable path, one core | $(prec=0 calc "$pi_port" / 1) M samples/s | 350 M samples/s | | ≥ 350 | $(verdict "$pi_port" '>=' 350) |
| pi job, $pi_samples samples, 2 ranks vs 1 (median of $rounds interleaved rounds, see below) | $(prec=1 calc "$pi_two" \* 1000) ms | 1 rank $(prec=1 calc "$pi_one" \* 1000) ms | ${sp_pi2}x | ≥ 1.9x | $(verdict "$sp_pi2" '>=' 1.9) |
| the same split with no communication: two independent half problems at once (this machine's ceiling for 2 ranks) | $(prec=1 calc "$pi_ceil" \* 1000) ms | 1 rank | ${sp_pi2_ceil}x | | |
| par.Map, dynamic schedule, items of Pareto cost: makespan vs the lower bound, worst of 2 ranks x 1 thread and 1 x 2 (see "Your own work") | ${par_dyn_worst:-n/a}x the bound | | | ≤ 1.10x | $(verdict "$par_dyn_worst" '<=' 1.10) |
| par.Map per-item cost on 1e6 trivial items vs joblib.Parallel (2 workers, same run) | ${par_ours_us:-n/a} µs | joblib ${par_joblib_us:-n/a} µs | ${par_joblib_ratio:-n/a}x lower | ≥ 100x | $(verdict "$par_joblib_ratio" '>=' 100) |
| map job, dynamic vs static, skewed items (isprime), end to end | | | ${par_skewed_ratio:-n/a}x faster | ≥ 1.1x | $(verdict "$par_skewed_ratio" '>=' 1.1) |
| map job, dynamic / static time, uniform items (collatz 1..1e6), end to end | | | ${par_uniform_ratio:-n/a} | ≤ 1.05 | $(verdict "$par_uniform_ratio" '<=' 1.05) |
| trivial tasks (\`true\`) on one machine, \`spmd farm\` vs GNU parallel (see "Farming programs") | ${farm_rate:-n/a} tasks/s | ${parallel_rate:-n/a} tasks/s | ${farm_ratio:-n/a}x | ≥ 1x | $(verdict "$farm_ratio" '>=' 1) |
| cdist 1000x1000x100 kernel, one core | $(prec=1 calc "$cd1_vec" / 1e6) ms | SciPy 31 ms | $(calc 31e6 / "$cd1_vec")x faster | < 12 ms | $(verdict "$(calc "$cd1_vec" / 1e6)" '<=' 12) |
| cdist naive loop vs the notebook's Python loop (3.5 s) | $(prec=0 calc "$cd1_naive" / 1e6) ms | 3500 ms | $(prec=0 calc 3.5e9 / "$cd1_naive")x faster | ≥ 20x | $(verdict "$(calc 3.5e9 / "$cd1_naive")" '>=' 20) |
| cdist ${cdist_m}x${cdist_m}x100 job, gather included, 2 ranks vs 1 (shared window, the default on one machine; median of $rounds interleaved rounds, see below) | $(prec=1 calc "$cd_shared" \* 1000) ms | 1 rank $(prec=1 calc "$cd_one" \* 1000) ms | ${sp_cd2}x | ≥ 1.7x | $(verdict "$sp_cd2" '>=' 1.7) |
| the same, \`--gather messages\` (the path between machines) | $(prec=1 calc "$cd_msgs" \* 1000) ms | 1 rank | ${sp_cd2_msgs}x | | |
| the same split with no communication: two independent half problems at once (this machine's ceiling for 2 ranks) | $(prec=1 calc "$cd_ceil" \* 1000) ms | 1 rank | ${sp_cd2_ceil}x | | |

The 8-byte target is for ranks in separate processes, as users run them;
with both ranks in one process (\`go test\`) their four goroutines share
one Go scheduler and two cores, and each message wakes one of them, so
that row is slower than two processes. Between ranks of one machine,
messages go through shared memory (package comm/shm, docs/PROTOCOL.md),
which passes the bare socket; the socket rows (\`SPMD_SHM=off\`) are the
path between machines. The section "Shared memory beside Open MPI" below
has the measurements beside Open MPI.
Ratios above 1 for the Open MPI rows mean spmd is slower by that factor.

The 2-rank rows for pi and cdist come from $rounds rounds, each running one
after the other \`spmd run -np 1|2 pi --samples $pi_samples --threads 1\` and two
\`spmd pi --samples $pi_half\` processes at once, then
\`spmd run -np 1|2 cdist --m $cdist_m --n $cdist_m --p 100 --threads 1\` (the
2-rank one with the default gather and with \`--gather messages\`) and two
\`spmd cdist --m $cd_half\` processes at once; times are medians, ratios the
median of each round's own ratio. On one machine the default gather is a
shared window (\`comm.AllocShared\`, MPI-3's \`MPI_Win_allocate_shared\`):
every rank computes its rows straight into the root's Z, so nothing is
copied and the gather is a barrier. The last row is the yardstick: two cores
of this shared virtual machine do not always run at the speed of one each
(concurrent work slows both), and no split of the work can beat two
independent halves. Per round, in ms:

\`\`\`
$(awk 'BEGIN { print "pi: 1 rank   2 ranks   slower half" }
	NF == 3 { printf "%10.1f   %7.1f   %11.1f\n", $1 * 1e3, $2 * 1e3, $3 * 1e3 }' "$work/pi2.txt")

$(awk 'BEGIN { print "cdist: 1 rank   2 ranks shared   2 ranks messages   slower half" }
	NF == 4 { printf "%13.1f   %14.1f   %16.1f   %11.1f\n", $1 * 1e3, $2 * 1e3, $3 * 1e3, $4 * 1e3 }' "$work/cdist2.txt")
\`\`\`

## The notebook's workloads on one core

| workload | spmd ($simd_build) | spmd portable | notebook | vs notebook |
| --- | ---: | ---: | ---: | ---: |
| Monte Carlo pi, $nb_pi_n samples, \`spmd run -np 1 pi --threads 1\` | ${nb_pi_simd_rate} M samples/s | ${nb_pi_port_rate} M samples/s | NumPy 36 M samples/s | $(prec=0 calc "$nb_pi_simd_rate" / 36)x / $(prec=0 calc "$nb_pi_port_rate" / 36)x faster |
| pi kernel alone (\`BenchmarkPiHitsVector\` / \`Portable\`) | $(prec=0 calc "$pi_vec" / 1) M samples/s | $(prec=0 calc "$pi_port" / 1) M samples/s | | |
| cdist 1000x1000x100, \`spmd run -np 1 cdist\` | $(prec=1 calc "$nb_cd_simd" \* 1000) ms | $(prec=1 calc "$nb_cd_port" \* 1000) ms | SciPy 31 ms | $(prec=1 calc 0.031 / "$nb_cd_simd")x / $(prec=1 calc 0.031 / "$nb_cd_port")x faster |
| cdist kernel alone (\`BenchmarkCdist1000\`) | $(prec=1 calc "$cd1_vec" / 1e6) ms | $(prec=1 calc "$cd1_port" / 1e6) ms | | |
| cdist 1000x1000x100, the double loop (\`--method naive\`) | $(prec=0 calc "$nb_cd_naive" \* 1000) ms | | Python loop 3.5 s | $(prec=0 calc 3.5 / "$nb_cd_naive")x faster |

Job times are end to end, as a user's clock sees them (the report's
elapsed_seconds: from spmd run's start to the result, start-up and data
generation included), against the notebook's timings of the computation
alone, so the comparison favours the notebook; the kernel rows are \`go
test\` medians.

## Communication

### In one process (\`go test -bench\`, comm beside the bare socket)

| benchmark | median |
| --- | ---: |
| 8 B ping-pong, bare socket | $(us "$pp_bare") µs half round trip |
| 8 B ping-pong, transport alone (answered on its reader goroutine) | $(us "$pp_tr") µs |
| 8 B ping-pong, transport, one side hands each message to a waiting goroutine | $(us "$pp_trw") µs |
| 8 B ping-pong, comm Send/Recv | $(us "$pp_comm") µs |
| 1 MiB stream, bare / comm | $(gbs "$bw1_bare") / $(gbs "$bw1_comm") GB/s |
| 16 MiB stream, bare / transport / comm | $(gbs "$bw16_bare") / $(gbs "$bw16_tr") / $(gbs "$bw16_comm") GB/s |
| Allreduce 1 Mi float64, 2 / 4 ranks | $(prec=1 calc "$ar2" / 1) / $(prec=1 calc "$ar4" / 1) ms |
| Bcast 1 MiB, 2 / 4 ranks | $(prec=2 calc "$bc2" / 1) / $(prec=2 calc "$bc4" / 1) ms |
| Gather 1 MiB per rank, 2 / 4 ranks | $(prec=2 calc "$ga2" / 1) / $(prec=2 calc "$ga4" / 1) ms |

### Between processes (\`spmd run -np 2 bench pingpong --raw\`)

One-way time (half a round trip) through comm, and the same ping-pong on a
bare TCP socket between the same two processes, in 10 rounds that alternate
with the comm ones (so both meet the same moments of a shared machine); x raw
is the ratio.
$([ -s "$img/pingpong.csv" ] && echo "Data: [pingpong.csv]($relimg/pingpong.csv).")
Both ranks are on one machine, so comm's messages go through shared memory
(docs/PROTOCOL.md), which is why comm passes the bare socket.

$([ -s "$img/pingpong/time.png" ] && echo "![pingpong time](${relimg}/pingpong/time.png)")
$([ -s "$img/pingpong/bandwidth.png" ] && echo "![pingpong bandwidth](${relimg}/pingpong/bandwidth.png)")

EOF
	bench_table raw <"$work/pingpong.csv"
	cat <<EOF

### Allreduce (\`spmd run -np N bench allreduce\`; 4 ranks oversubscribed on $cores cores)

$([ -s "$img/allreduce/time.png" ] && echo "![allreduce time](${relimg}/allreduce/time.png)")
$([ -s "$img/allreduce/bandwidth.png" ] && echo "![allreduce bandwidth](${relimg}/allreduce/bandwidth.png)")

EOF
	bench_table <"$work/allreduce.csv"
	cat <<EOF

EOF
	if [ -n "$benchstat_out" ]; then
		echo "### benchstat of every Go benchmark"
		echo
		echo '```'
		echo "$benchstat_out"
		echo '```'
	else
		echo "### Every Go benchmark (raw \`go test\` output)"
		echo
		echo '```'
		grep -E '^(Benchmark|goos|goarch|cpu|pkg)' "$gobench"
		echo '```'
	fi
	echo
	cat "$work/shm.md"
	for s in pi cdist; do
		name=scale-$s
		args=$(head -1 "$work/$name.txt" | sed 's/:.*//')
		cat <<EOF

## Scaling: $s

\`spmd scale $args --ranks 1,2,4,8\`: the same problem on 1 to 8 ranks, one
thread each, median of $repeat runs; beyond $cores ranks the ranks share the
cores (oversubscribed, hollow points in the shaded band). $(amdahl "$name")
Data: [scale.csv]($relimg/$name/scale.csv).

EOF
		scale_table "$name"
		cat <<EOF

![$s speedup]($relimg/$name/speedup.png)
![$s efficiency]($relimg/$name/efficiency.png)
![$s time]($relimg/$name/time.png)
EOF
	done
	cat <<EOF

## Weak scaling: pi

\`spmd scale pi --weak\`: --samples grows with the ranks (a fixed
$(prec=0 calc "$pi_samples" / 4) per rank), so the ideal is a flat time; efficiency is
T(1 rank) / T(p). Data: [scale.csv]($relimg/weak-pi/scale.csv).

EOF
	scale_table weak-pi | sed 's/| speedup |/| scaled speedup |/'
	cat <<EOF

![pi weak efficiency]($relimg/weak-pi/efficiency.png)

## Ranks or threads: \`spmd compare\`

\`\`\`
$(cat "$work/compare-pi.txt")
\`\`\`

\`\`\`
$(cat "$work/compare-cdist.txt")
\`\`\`

$(cat "$work/farm.md")

$(cat "$work/par.md")

## Start-up

Wall time of the whole command, from exec to exit, median of $wire_runs
(\`spmd run ... hello\` includes wiring every pair of ranks over TCP and a
barrier; \`/bin/true\` under \`spmd run --\` is the launcher alone).

$(cat "$work/wireup.md")

## What this means when choosing ranks and threads

- **One worker per core, no more.** pi (compute-bound) reaches
  $(prec=0 calc 100 \* "$(sc_col scale-pi 2 efficiency)")% efficiency on $cores ranks; past $cores ranks
  the oversubscribed points gain nothing (pi at 8 ranks: $(calc "$(sc_col scale-pi 8 speedup)" / 1)x), because the
  ranks only take turns on the same cores. Oversubscribe to test, not to
  run faster.
- **Goroutines or ranks on one machine.** In this run 2 goroutines gave
  pi $(cmp_speedup pi goroutines)x and cdist $(cmp_speedup cdist goroutines)x; 2 ranks gave pi $(cmp_speedup pi ranks)x and
  cdist $(cmp_speedup cdist ranks)x. Goroutines share memory for free; ranks
  on one machine share cdist's result through a shared window, so they copy
  nothing either. Between machines every byte crosses a socket: pi sends one
  count per rank, but cdist gathers its whole m x n result at the root
  ($((cdist_m * cdist_m * 8 / 1048576)) MiB here), and with \`--gather messages\` (that path, on one
  machine) 2 ranks reached ${sp_cd2_msgs}x against ${sp_cd2}x with the shared window. Use ranks for what goroutines
  cannot do: more cores than one machine has, or separate address spaces.
- **Communication has a price per message and per byte.** A message costs
  about $(prec=1 calc "$mp_pp8_shm" / 1) µs one way between processes of one machine here (shared
  memory; $(prec=0 calc "$mp_pp8" / 1) µs through the sockets, as between machines) and bulk data
  moves at about $(gbs "$mp_bw16") GB/s between ranks of one machine
  ($(gbs "$mp_bw16_sock") GB/s through the sockets), so one Allreduce of 8 MiB costs
  about $mp_ar2 ms on 2 ranks. Send few, large messages; a step that
  computes for less than a few milliseconds between collectives will not
  scale.
- **Start-up is not free.** Launching and wiring 8 ranks took
  ${wire8:-(failed, see the table)} ms here
  (table above); a job shorter than about a second gains little from more
  ranks. \`spmd scale\` times the job alone (between barriers); \`time spmd
  run\` includes the start-up.
- **The vector units matter more than the rank count.** On one core the
  simd build is $(prec=1 calc "$nb_pi_port" / "$nb_pi_simd")x faster than the portable one for pi and
  $(prec=1 calc "$nb_cd_port" / "$nb_cd_simd")x for cdist; that is worth more than a second core.
  Always run the \`GOEXPERIMENT=simd\` build (\`make build\`).
EOF
	if [ ${#peer_trouble[@]} -gt 0 ]; then
		echo
		echo "## Reference runs that failed"
		echo
		echo "The peers we compare with failed here; their rows show the runs before the failure."
		echo
		for f in "${peer_trouble[@]}"; do echo "- $f"; done
	fi
	if [ ${#failed[@]} -gt 0 ]; then
		echo
		echo "## Steps that failed in this run"
		echo
		for f in "${failed[@]}"; do echo "- $f"; done
	fi
} >"$tmpdoc"
mv "$tmpdoc" "$doc"
echo "bench: wrote $doc and $img/ in $elapsed s" >&2
if [ ${#failed[@]} -gt 0 ]; then
	echo "bench: ${#failed[@]} step(s) failed: ${failed[*]}" >&2
	exit 1
fi
