package job

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Fault injection, for testing that one rank's failure ends the whole job
// promptly in every launch mode. Set in the environment of every rank:
//
//	SPMD_TEST_FAIL_RANK=2        the rank that fails
//	SPMD_TEST_FAIL_MODE=error    return an error from the job (the default)
//	                    panic    panic inside the job
//	                    exitN    exit the process at once with code N, no
//	                             abort: the peers must notice on their own
//	                    hang     stop making progress (sleep forever)
//	SPMD_TEST_FAIL_AFTER=500ms   fail after this long inside the parallel
//	                             section (default: at once)
//
// Nothing happens unless SPMD_TEST_FAIL_RANK is set.
type fault struct {
	rank  int
	mode  string
	after time.Duration
}

var errInjected = errors.New("injected fault (SPMD_TEST_FAIL_RANK)")

func faultFromEnv() (*fault, error) {
	rs := os.Getenv("SPMD_TEST_FAIL_RANK")
	if rs == "" {
		return nil, nil
	}
	r, err := strconv.Atoi(rs)
	if err != nil {
		return nil, fmt.Errorf("SPMD_TEST_FAIL_RANK=%q is not a rank", rs)
	}
	f := &fault{rank: r, mode: os.Getenv("SPMD_TEST_FAIL_MODE")}
	if f.mode == "" {
		f.mode = "error"
	}
	if a := os.Getenv("SPMD_TEST_FAIL_AFTER"); a != "" {
		if f.after, err = time.ParseDuration(a); err != nil {
			return nil, fmt.Errorf("SPMD_TEST_FAIL_AFTER=%q: %v", a, err)
		}
	}
	return f, nil
}

// trigger runs the fault on the chosen rank; it returns only for "error".
func (f *fault) trigger() error {
	time.Sleep(f.after)
	switch {
	case f.mode == "error":
		return errInjected
	case f.mode == "panic":
		panic(errInjected)
	case f.mode == "hang":
		select {}
	case len(f.mode) > 4 && f.mode[:4] == "exit":
		code, err := strconv.Atoi(f.mode[4:])
		if err != nil {
			return fmt.Errorf("SPMD_TEST_FAIL_MODE=%q: want exitN", f.mode)
		}
		os.Exit(code)
	}
	return fmt.Errorf("SPMD_TEST_FAIL_MODE=%q: want error, panic, exitN or hang", f.mode)
}
