package launch

import (
	"strings"
	"testing"
	"time"
)

// TestRunRootDecides: with Config.RootDecides (spmd farm) a failing rank
// other than 0 is reported and the others go on; rank 0's exit code is the
// job's; ranks still running long after rank 0 ended are stopped. Local
// and (fake-ssh) remote ranks alike.
func TestRunRootDecides(t *testing.T) {
	for _, tc := range []struct {
		name, script string
		hosts        []string
		code         int
		stderr       []string // each must appear
		stdout       int      // "done" lines expected
	}{
		{"worker-killed", `case $SPMD_RANK in 1) kill -KILL $$;; 0) sleep 1;; esac; echo done`,
			hosts(3, "127.0.0.1"), 0,
			[]string{"spmd run: rank 1 on 127.0.0.1 killed by signal KILL; the job goes on (rank 0 decides)\n"}, 2},
		{"remote-worker-exit3", `case $SPMD_RANK in 3) exit 3;; 0) sleep 1;; esac; echo done`,
			hosts(4, "127.0.0.1", "127.0.0.2"), 0,
			[]string{"spmd run: rank 3 on 127.0.0.2 exited with code 3; the job goes on (rank 0 decides)\n"}, 3},
		{"root-fails", `if [ $SPMD_RANK = 0 ]; then exit 5; fi; sleep 60 & wait`,
			hosts(3, "127.0.0.1", "127.0.0.2"), 5,
			[]string{"spmd run: rank 0 on 127.0.0.1 exited with code 5\n"}, 0},
		{"worker-outlives-root", `if [ $SPMD_RANK = 0 ]; then echo done; exit 0; fi; sleep 60 & wait`,
			hosts(2, "127.0.0.1"), 0,
			[]string{"spmd run: rank 0 ended; stopping the rank still running 300ms later\n"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, remote(t, Config{Program: shell(tc.script), Hosts: tc.hosts, KillAfter: 300 * time.Millisecond, RootDecides: true}))
			if res.err != nil || res.code != tc.code {
				t.Errorf("Run = %d, %v; want %d\nstderr:\n%s", res.code, res.err, tc.code, res.stderr)
			}
			for _, s := range tc.stderr {
				if !strings.Contains(res.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, res.stderr)
				}
			}
			if got := strings.Count(res.stdout, "done\n"); got != tc.stdout {
				t.Errorf("%d ranks finished, want %d; stdout:\n%s", got, tc.stdout, res.stdout)
			}
		})
	}
}
