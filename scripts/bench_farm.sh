#!/usr/bin/env bash
# bench_farm.sh: spmd farm against GNU parallel (Debian's parallel package)
# on this machine, measured side by side in one run; the farm step of
# scripts/bench.sh, which puts its output into docs/BENCHMARKS.md.
#
#   scripts/bench_farm.sh SPMD OUT.md [VARS]
#   QUICK=1 scripts/bench_farm.sh bin/spmd /tmp/farm.md   # a smoke run
#
# Writes a Markdown section to OUT.md and, to VARS, shell assignments of
# the headline numbers (farm_rate, parallel_rate, farm_ratio) for the
# targets table. Three measurements, each alternating the tools round by
# round so that both meet the same moments of a shared machine:
#
#   1. throughput of trivial tasks: N tasks of `true`, one per line of a
#      task file, run by `spmd farm --tasks` (one rank, a slot per core),
#      by `spmd run -np CORES farm --tasks` (a rank per core, one slot
#      each: the dispatch over comm), and by `parallel -j CORES -a FILE`
#      (parallel's own task-file mode); tasks/s, median of the rounds, and
#      the median of each round's ratio;
#   2. makespan of 200 sleeps of heavy-tailed length (Pareto, alpha 1.5,
#      20 ms minimum, capped at 3 s; a fixed Park-Miller stream, so every
#      run sleeps the same), on 2 and 4 ranks of one slot against
#      parallel -j 2 and -j 4, beside the ideal: the longer of the total
#      over the slots and the longest task (no schedule beats it), and the
#      makespan of handing the tasks out in input order to the first free
#      slot with no overhead (what a perfect farm in input order achieves);
#   3. start-up to first task: from exec of the command to the moment one
#      task (`date +%s%N`) runs.
#
# Exits non-zero if GNU parallel is missing or a run fails.
set -uo pipefail
spmd=${1:?usage: bench_farm.sh SPMD OUT.md [VARS]}
out=${2:?usage: bench_farm.sh SPMD OUT.md [VARS]}
vars=${3:-/dev/null}
command -v parallel >/dev/null || { echo "bench_farm: GNU parallel is not installed (apt-get install parallel)" >&2; exit 1; }
work=$(mktemp -d /tmp/spmd-bench-farm.XXXXXX)
trap 'rm -rf "$work"' EXIT
cores=$(nproc)
if [ "${QUICK:-0}" = 1 ]; then
	n_true=300 rounds=2 n_skew=40 skew_rounds=1 first_rounds=3
else
	n_true=3000 rounds=5 n_skew=200 skew_rounds=3 first_rounds=7
fi
failed=0
fail() {
	echo "bench_farm: FAILED: $*" >&2
	failed=1
}

# median of the numbers on stdin
median() { sort -g | awk '{a[NR] = $1} END { if (NR == 0) exit; if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# secs COMMAND...: wall seconds of one run, output discarded; empty on failure
secs() {
	local s e
	s=$(date +%s%N)
	timeout -k 5 600 "$@" >/dev/null 2>>"$work/err" </dev/null || return 1
	e=$(date +%s%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.4f\n", (e - s) / 1e9 }'
}
f1() { awk -v v="$1" 'BEGIN { if (v == "") print "n/a"; else printf "%.1f", v }'; }
f2() { awk -v v="$1" 'BEGIN { if (v == "") print "n/a"; else printf "%.2f", v }'; }

# --- 1. throughput -----------------------------------------------------------

echo "bench_farm: $n_true trivial tasks, $rounds rounds" >&2
yes true | head -n "$n_true" >"$work/true.tasks"
for _ in $(seq "$rounds"); do
	a=$(secs "$spmd" farm --tasks "$work/true.tasks" --slots "$cores" --quiet) || fail "spmd farm --tasks (true)"
	b=$(secs "$spmd" run -np "$cores" farm --tasks "$work/true.tasks" --slots 1 --quiet) || fail "spmd run -np $cores farm --tasks (true)"
	c=$(secs parallel --will-cite -j "$cores" -a "$work/true.tasks") || fail "parallel (true)"
	echo "$a $b $c"
done >"$work/true.txt"
rate() { awk -v n="$n_true" -v c="$1" 'NF == 3 && $c > 0 { print n / $c }' "$work/true.txt" | median; }
farm_rate=$(rate 1)
farm_ranks_rate=$(rate 2)
parallel_rate=$(rate 3)
farm_ratio=$(awk 'NF == 3 && $1 > 0 { print $3 / $1 }' "$work/true.txt" | median)
farm_ranks_ratio=$(awk 'NF == 3 && $2 > 0 { print $3 / $2 }' "$work/true.txt" | median)

# --- 2. makespan of skewed tasks ----------------------------------------------

echo "bench_farm: $n_skew skewed sleeps on 2 and 4 ranks, $skew_rounds rounds" >&2
awk -v n="$n_skew" 'BEGIN {
	x = 20240607
	for (i = 0; i < n; i++) {
		x = (x * 16807) % 2147483647
		u = (x + 0.5) / 2147483647
		d = 0.02 / u ^ (1 / 1.5)
		if (d > 3) d = 3
		printf "sleep %.3f\n", d
	} }' >"$work/skew.tasks"
read -r skew_sum skew_max <<<"$(awk '{ s += $2; if ($2 > m) m = $2 } END { printf "%.3f %.3f", s, m }' "$work/skew.tasks")"
# ideal P: the lower bound max(total/P, longest), and the in-order greedy
# schedule (each task to the first free of P slots, no overhead).
ideal() {
	awk -v p="$1" '{ d[NR] = $2; s += $2; if ($2 > m) m = $2 }
		END { lb = s / p; if (m > lb) lb = m
			for (i = 1; i <= p; i++) f[i] = 0
			for (k = 1; k <= NR; k++) { j = 1; for (i = 2; i <= p; i++) if (f[i] < f[j]) j = i; f[j] += d[k] }
			g = 0; for (i = 1; i <= p; i++) if (f[i] > g) g = f[i]
			printf "%.3f %.3f\n", lb, g }' "$work/skew.tasks"
}
for p in 2 4; do
	for _ in $(seq "$skew_rounds"); do
		a=$(secs "$spmd" run -np "$p" --oversubscribe farm --tasks "$work/skew.tasks" --slots 1 --quiet) || fail "spmd run -np $p farm (skewed)"
		b=$(secs parallel --will-cite -j "$p" -a "$work/skew.tasks") || fail "parallel -j $p (skewed)"
		echo "$a $b"
	done >"$work/skew$p.txt"
done
skew_row() { # P: a table row
	local p=$1 lb greedy farm par
	read -r lb greedy <<<"$(ideal "$p")"
	farm=$(awk 'NF == 2 { print $1 }' "$work/skew$p.txt" | median)
	par=$(awk 'NF == 2 { print $2 }' "$work/skew$p.txt" | median)
	echo "| $p | $(f2 "$farm") s | $(f2 "$par") s | $(f2 "$greedy") s | $(f2 "$lb") s | $(f2 "$(awk -v a="$farm" -v b="$greedy" 'BEGIN { if (b > 0 && a != "") print a / b }')")x | $(f2 "$(awk -v a="$par" -v b="$greedy" 'BEGIN { if (b > 0 && a != "") print a / b }')")x |"
}

# --- 3. start-up to the first task -------------------------------------------

echo "bench_farm: start-up to the first task, $first_rounds rounds" >&2
# first COMMAND...: ms from exec to the first task's `date +%s%N`, the last
# field of the command's first output line.
first() {
	local s t
	s=$(date +%s%N)
	t=$(timeout -k 5 120 "$@" 2>>"$work/err" </dev/null | head -n 1 | awk '{ print $NF }') || return 1
	[ -n "$t" ] || return 1
	awk -v s="$s" -v t="$t" 'BEGIN { printf "%.1f\n", (t - s) / 1e6 }'
}
for _ in $(seq "$first_rounds"); do
	a=$(first "$spmd" farm --grid i=1 --quiet -- date +%s%N) || fail "spmd farm (first task)"
	b=$(first "$spmd" run -np 2 farm --grid i=1 --quiet -- date +%s%N) || fail "spmd run -np 2 farm (first task)"
	c=$(first "$spmd" run -np 4 --oversubscribe farm --grid i=1 --quiet -- date +%s%N) || fail "spmd run -np 4 farm (first task)"
	d=$(first parallel --will-cite -j 2 -N0 date +%s%N ::: 1) || fail "parallel (first task)"
	echo "$a $b $c $d"
done >"$work/first.txt"
first_col() { awk -v c="$1" 'NF == 4 { print $c }' "$work/first.txt" | median; }

# --- the section ------------------------------------------------------------

parallel_version=$(parallel --will-cite --version 2>/dev/null | head -n 1)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
when=$(date -u '+%Y-%m-%d %H:%M UTC')
load=$(cut -d' ' -f1-3 /proc/loadavg)
{
	cat <<EOF
## Farming programs: spmd farm vs GNU parallel

Measured by \`scripts/bench_farm.sh\` (a step of \`scripts/bench.sh\`) against
$parallel_version, the tools alternating round by round; $cores cores,
commit \`$commit\`, $when, load average at the end $load.

### Trivial tasks (\`true\`), $n_true per run, median of $rounds rounds

| command | tasks/s | GNU parallel's time / this one's |
| --- | ---: | ---: |
| \`spmd farm --tasks FILE --slots $cores\` (one rank) | $(f1 "$farm_rate") | $(f2 "$farm_ratio")x |
| \`spmd run -np $cores farm --tasks FILE --slots 1\` (dispatch over comm) | $(f1 "$farm_ranks_rate") | $(f2 "$farm_ranks_ratio")x |
| \`parallel -j $cores -a FILE\` (each line a command) | $(f1 "$parallel_rate") | 1x |

Each task is a fork and exec of \`true\`; spmd farm starts it directly (the
line needs no shell). Per task, in this run, GNU parallel took
$(f2 "$(awk -v r="$parallel_rate" 'BEGIN { if (r > 0) print 1000 / r }')") ms of wall time and spmd farm $(f2 "$(awk -v r="$farm_rate" 'BEGIN { if (r > 0) print 1000 / r }')") ms, most of which is the
exec of \`true\` itself: a profile of \`BenchmarkFarmTrue\` (package
spmd/internal/farm) puts the farm's own CPU at about 0.3 ms per task
(fork, two output pipes, the wait). A rank per core instead of slots in one
rank adds a message each way per task.

### Makespan of $n_skew skewed tasks

\`sleep\` of heavy-tailed lengths (Pareto, alpha 1.5, at least 20 ms, at
most 3 s): $skew_sum s in all, the longest $skew_max s, the same list for
every run; median of $skew_rounds rounds. Ideal: handing the tasks out in
input order to the first free slot with no overhead (what dispatch in
input order can reach); lower bound: the longer of the total over the
slots and the longest task.

| ranks x 1 slot | spmd farm | parallel -j | ideal (in order) | lower bound | farm / ideal | parallel / ideal |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$(skew_row 2)
$(skew_row 4)

### Start-up to the first task, median of $first_rounds

From exec of the command to the first task's \`date +%s%N\`.

| command | ms |
| --- | ---: |
| \`spmd farm\` (one rank) | $(f1 "$(first_col 1)") |
| \`spmd run -np 2 farm\` (launcher, wire-up of 2 ranks) | $(f1 "$(first_col 2)") |
| \`spmd run -np 4 --oversubscribe farm\` | $(f1 "$(first_col 3)") |
| \`parallel -j 2 -N0 date +%s%N ::: 1\` | $(f1 "$(first_col 4)") |
EOF
	if [ -s "$work/err" ] && [ "$failed" = 1 ]; then
		echo
		echo "Errors in this run:"
		echo
		echo '```'
		tail -n 20 "$work/err"
		echo '```'
	fi
} >"$out"
{
	echo "farm_rate=$(f1 "$farm_rate")"
	echo "parallel_rate=$(f1 "$parallel_rate")"
	echo "farm_ratio=$(f2 "$farm_ratio")"
} >"$vars"
exit "$failed"
