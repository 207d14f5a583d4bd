#!/usr/bin/env bash
# fuzz.sh: runs every Go fuzz target in the repository for a bounded time.
#
#   scripts/fuzz.sh [FUZZTIME [DIR...]]   # default 10s per target, whole repo
#   scripts/fuzz.sh 1m kernels            # only targets under kernels/
#
# Targets are found by grep (every `func FuzzXxx(` in a *_test.go file), so a
# new one is included without editing anything. Each runs alone:
#   go test -run '^$' -fuzz '^FuzzXxx$' -fuzztime FUZZTIME ./its/package
# A failing input is saved by go test under the package's testdata/fuzz/ (add
# it to git: it becomes a regression test). All targets run even when one
# fails; the script exits non-zero if any did.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fuzztime=${1:-${FUZZTIME:-10s}}
[ $# -gt 0 ] && shift
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(.)
for i in "${!dirs[@]}"; do
	d=${dirs[$i]#./}
	d=${d%/}
	# grep's --exclude-dir below would skip a "./dir" argument itself.
	dirs[i]=${d:-.}
	[ -d "${dirs[$i]}" ] || { echo "fuzz: no directory ${dirs[$i]}" >&2; exit 2; }
done
go=${GO:-go}

# "dir name" pairs, sorted, from files outside hidden and testdata dirs.
mapfile -t targets < <(
	grep -rEo --include='*_test.go' --exclude-dir='.[!.]*' --exclude-dir=testdata \
		'^func Fuzz[A-Za-z0-9_]*\(' "${dirs[@]}" |
		sed -E 's|^(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*)\($|\1 \2|; s|^(\./)*|./|' | sort -u
)
if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz: no fuzz targets found"
	exit 0
fi

# deadline_flake LOG: the run failed only by Go's own race at the end of
# -fuzztime (go.dev/issue/75804, fixed in Go 1.27): a bare "context deadline
# exceeded", no failing input written, no panic. A real finding always
# writes its input under testdata/fuzz/.
deadline_flake() {
	grep -q 'context deadline exceeded' "$1" &&
		! grep -qE 'Failing input written|panic:|fuzz_test.go:[0-9]+:|_test.go:[0-9]+:' "$1"
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
flaked=()
for t in "${targets[@]}"; do
	read -r dir name <<<"$t"
	for attempt in 1 2; do
		again=""
		[ "$attempt" = 2 ] && again=", again: the last run hit only Go's fuzztime deadline race"
		echo "=== fuzz $name in $dir for $fuzztime$again"
		if "$go" test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$dir" 2>&1 | tee "$log"; then
			break
		fi
		if ! deadline_flake "$log"; then
			failed+=("$dir $name")
			break
		fi
		if [ "$attempt" = 2 ]; then
			# Twice the same race and nothing found: not a finding.
			flaked+=("$dir $name")
		fi
	done
done

echo "fuzz: ${#targets[@]} targets, ${#failed[@]} failed${flaked[0]:+, ${#flaked[@]} hit only the Go fuzztime deadline race twice: ${flaked[*]}}"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'fuzz: FAILED %s\n' "${failed[@]}"
	exit 1
fi
