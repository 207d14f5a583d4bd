package job

import (
	"os"
	"strconv"
	"time"
)

// loaded is when this package was initialised: early in the process, a
// fallback for ProcessStart.
var loaded = time.Now()

// ProcessStart returns when this process started, as the kernel recorded
// it (to 10 ms), or failing that when the job package was loaded. With
// SPMD_LAUNCHED set (spmd run sets it to its own start, in Unix
// nanoseconds), it returns that earlier moment: the user's clock starts
// when they start the launcher.
func ProcessStart() time.Time {
	t := loaded
	if p, ok := processStart(); ok && p.Before(t) {
		t = p
	}
	if v := os.Getenv("SPMD_LAUNCHED"); v != "" {
		if ns, err := strconv.ParseInt(v, 10, 64); err == nil {
			if l := time.Unix(0, ns); l.Before(t) && t.Sub(l) < time.Hour {
				t = l
			}
		}
	}
	return t
}
