package launch

import (
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/spmd-go/spmd/comm/boot"
)

// TestRunBlamesOrigin: when rank 2 fails and ranks 0 and 1 follow it
// (they exit first, each with a notice naming rank 2, as comm/boot's
// ranks do), the launcher's one line names rank 2, not the first rank to
// exit; and the notices never reach the output. Ranks 0 and 1 hold FIFOs
// that rank 2 reads to their end: it exits only after both followers
// have, so the first exit the launcher sees is a follower's.
func TestRunBlamesOrigin(t *testing.T) {
	const follow = `exec 3>"$DIR/f$SPMD_RANK"; echo "rank $SPMD_RANK: following" >&2; printf '%s' "$NOTICE" >&2; exit $CODE`
	for _, tc := range []struct {
		name     string
		notices  [2]boot.Notice // of ranks 0 and 1
		code     string         // the followers' exit code
		origin   string         // rank 2's script, after the followers are gone
		want     string
		wantCode int
	}{
		{
			name:    "abort",
			notices: [2]boot.Notice{{Follows: 2, Aborted: true, Code: 3}, {Follows: 2, Aborted: true, Code: 3}},
			code:    "3", origin: `echo "rank 2: boom" >&2; exit 3`,
			want: "spmd run: rank 2 on 127.0.0.1 exited with code 3\n", wantCode: 3,
		},
		{
			name:    "lost",
			notices: [2]boot.Notice{{Follows: 2}, {Follows: 2}},
			code:    "1", origin: `kill -SEGV $$`,
			want: "spmd run: rank 2 on 127.0.0.1 killed by signal SEGV\n", wantCode: 128 + int(syscall.SIGSEGV),
		},
		{
			name:    "chain",
			notices: [2]boot.Notice{{Follows: 1}, {Follows: 2}},
			code:    "1", origin: `exit 5`,
			want: "spmd run: rank 2 on 127.0.0.1 exited with code 5\n", wantCode: 5,
		},
		{
			name:    "origin hangs",
			notices: [2]boot.Notice{{Follows: 2}, {Follows: 2}},
			code:    "1", origin: `exec sleep 60`,
			want: "spmd run: rank 2 on 127.0.0.1 was lost (rank 0 on 127.0.0.1 exited with code 1 after losing it)\n", wantCode: 1,
		},
		{
			name:    "origin aborts and hangs",
			notices: [2]boot.Notice{{Follows: 2, Aborted: true, Code: 4}, {Follows: 2, Aborted: true, Code: 4}},
			code:    "4", origin: `exec sleep 60`,
			want: "spmd run: rank 2 on 127.0.0.1 aborted the job with code 4\n", wantCode: 4,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for r := range 2 {
				if err := syscall.Mkfifo(filepath.Join(dir, "f"+string(rune('0'+r))), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			// Each rank picks its notice from its environment.
			script := `case $SPMD_RANK in
0) NOTICE=$N0 ;;
1) NOTICE=$N1 ;;
2) cat "$DIR/f0" "$DIR/f1"; ` + tc.origin + ` ;;
esac
` + follow
			res := run(t, Config{
				Program:   shell(script),
				Hosts:     hosts(3, "127.0.0.1"),
				Env:       []string{"DIR=" + dir, "CODE=" + tc.code, "N0=" + tc.notices[0].String(), "N1=" + tc.notices[1].String()},
				KillAfter: followGrace,
			})
			var launcher []string
			for _, l := range strings.SplitAfter(res.stderr, "\n") {
				if strings.HasPrefix(l, "spmd run: ") {
					launcher = append(launcher, l)
				}
			}
			if res.code != tc.wantCode || len(launcher) != 1 || launcher[0] != tc.want {
				t.Errorf("Run = %d; launcher said %q; want %d and %q\nstderr:\n%s", res.code, launcher, tc.wantCode, tc.want, res.stderr)
			}
			if strings.Contains(res.stderr, boot.NoticeMark) {
				t.Errorf("a notice reached the output:\n%q", res.stderr)
			}
			for r := range 2 {
				if want := "rank " + string(rune('0'+r)) + ": following\n"; !strings.Contains(res.stderr, want) {
					t.Errorf("the follower's own line %q is missing:\n%s", want, res.stderr)
				}
			}
		})
	}
}

// TestTakeNotice: a notice is removed from a line, wherever it starts;
// anything before it stays, with a newline; a line that only looks like
// one is forwarded as it is.
func TestTakeNotice(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		want    *boot.Notice
	}{
		{"hello\n", "hello\n", nil},
		{boot.NoticeMark + "follows=3 abort=2\n", "", &boot.Notice{Follows: 3, Aborted: true, Code: 2}},
		{"partial" + boot.NoticeMark + "follows=0\n", "partial\n", &boot.Notice{Follows: 0}},
		{boot.NoticeMark + "follows=x\n", boot.NoticeMark + "follows=x\n", nil},
		{boot.NoticeMark + "follows=1 abort=1 extra=2\n", boot.NoticeMark + "follows=1 abort=1 extra=2\n", nil},
	} {
		var got *boot.Notice
		out := takeNotice([]byte(tc.in), &got)
		if string(out) != tc.out || (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
			t.Errorf("takeNotice(%q) = %q, %+v; want %q, %+v", tc.in, out, got, tc.out, tc.want)
		}
	}
}

// TestBlameChains feeds exits in the orders a real job produced them (16
// ranks, rank 2 failing: ranks waiting on a rank that left first follow
// it, and those that lost the race abort in their turn) and checks which
// rank is named, and when.
func TestBlameChains(t *testing.T) {
	abort := func(r int) *boot.Notice { return &boot.Notice{Follows: r, Aborted: true, Code: 1} }
	lost := func(r int) *boot.Notice { return &boot.Notice{Follows: r} }
	type exit struct {
		rank int
		code int
		n    *boot.Notice
	}
	for _, tc := range []struct {
		name  string
		exits []exit
		want  string // the report, after the last exit; "" while waiting
	}{
		{"origin first", []exit{{2, 1, nil}}, "rank 2 on h2 exited with code 1"},
		{"follower first", []exit{{0, 1, abort(2)}, {1, 1, abort(2)}}, ""},
		{"follower, then origin", []exit{{0, 1, abort(2)}, {2, 1, nil}}, "rank 2 on h2 exited with code 1"},
		// 5 lost the race to 1, 1 to 15, 15 to 13; 13 saw 2's abort.
		{"chain through ended ranks", []exit{{5, 1, lost(1)}, {13, 1, abort(2)}, {15, 1, lost(13)}, {1, 1, abort(15)}}, ""},
		{"chain, then origin", []exit{{5, 1, lost(1)}, {13, 1, abort(2)}, {15, 1, lost(13)}, {1, 1, abort(15)}, {2, 1, nil}}, "rank 2 on h2 exited with code 1"},
		{"followed rank ends well", []exit{{3, 1, lost(4)}, {4, 0, nil}}, "rank 3 on h3 exited with code 1"},
		{"followed rank ended well before", []exit{{4, 0, nil}, {3, 1, lost(4)}}, "rank 3 on h3 exited with code 1"},
		{"cycle", []exit{{6, 1, lost(7)}, {7, 1, lost(6)}}, "rank 6 on h6 exited with code 1"},
		{"notice of a rank out of range", []exit{{6, 9, lost(99)}}, "rank 6 on h6 exited with code 9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := &job{ranks: make([]rank, 16)}
			for r := range j.ranks {
				j.places = append(j.places, placement{host: "h" + strconv.Itoa(r)})
			}
			b := newBlame(j)
			defer b.stop()
			got := ""
			for i, e := range tc.exits {
				line, _, ok := b.exited(exitEvent{e.rank, status{code: e.code, follows: e.n}})
				if ok {
					got = line
					if i != len(tc.exits)-1 {
						t.Fatalf("named %q after exit %d of %d", line, i+1, len(tc.exits))
					}
				}
			}
			if got != tc.want {
				t.Errorf("named %q, want %q", got, tc.want)
			}
			if tc.want == "" && b.timeout() == nil {
				t.Errorf("nothing named and nothing awaited")
			}
		})
	}
}
