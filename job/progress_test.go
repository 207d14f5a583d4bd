package job

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer the progress goroutine writes while the
// test waits.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The root's progress line sums every rank's count: it climbs through the
// run on all ranks' work (each rank does a third), never goes back, and is
// erased at the end so the report starts on a clean line.
func TestProgressAggregatesRanks(t *testing.T) {
	delay, every := progressDelay, progressEvery
	progressDelay, progressEvery = 0, 5*time.Millisecond
	t.Cleanup(func() { progressDelay, progressEvery = delay, every })

	var line lockedBuffer
	j := Job{
		Name: "steps",
		Parallel: func(r *Run) (*Result, error) {
			r.Work(60)
			r.Compute(func() error {
				for range 60 {
					time.Sleep(2 * time.Millisecond)
					r.Advance(1)
				}
				return nil
			})
			if !r.Root() {
				return nil, nil
			}
			// The root finishes last, after every other rank's final
			// count: the case that once hung the job at its end.
			time.Sleep(50 * time.Millisecond)
			return &Result{}, nil
		},
	}
	var errs []error
	done := make(chan struct{})
	go func() { _, errs = execute(t, 3, j, Options{Threads: 1, Progress: &line}); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the job did not end within 30 s (progress line so far %q)", line.String())
	}
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	out := line.String()
	shown := regexp.MustCompile(`\r +([0-9.]+)% done \(\d+ of 180\), 3 ranks, `).FindAllStringSubmatch(out, -1)
	if len(shown) < 3 {
		t.Fatalf("progress shown %d times, want several:\n%q", len(shown), out)
	}
	last, between := -1.0, false
	for _, m := range shown {
		p, _ := strconv.ParseFloat(m[1], 64)
		if p < last || p > 100 {
			t.Fatalf("progress went %v%% -> %v%%:\n%q", last, p, out)
		}
		// A third of the work is one rank's: a line past it counts the
		// other ranks' work too.
		between = between || (p > 34 && p < 100)
		last = p
	}
	if !between {
		t.Errorf("no progress line between one rank's share and the end:\n%q", out)
	}
	if !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("the progress line is not erased at the end:\n%q", out)
	}
}

// --quiet keeps progress away even when a writer is given.
func TestProgressOff(t *testing.T) {
	if mode, _ := progressMode(Options{Quiet: true, Progress: &lockedBuffer{}}); mode != "" {
		t.Errorf("progress %q with --quiet", mode)
	}
}

func TestProgressLine(t *testing.T) {
	got := progressLine(250, 1000, 3, 10*time.Second)
	want := " 25.0% done (250 of 1000), 3 ranks, 10s, 25/s, about 30s left"
	if got != want {
		t.Errorf("progressLine = %q, want %q", got, want)
	}
}

// Without a terminal (a batch job's log file), progress is a plain line
// every ProgressEvery, with counts, rate and time left, never rewritten.
func TestProgressLinesInLogs(t *testing.T) {
	delay, every, out, term := progressDelay, progressEvery, progressOut, stderrTerminal
	var log lockedBuffer
	progressDelay, progressEvery, progressOut, stderrTerminal = 0, 5*time.Millisecond, &log, func() bool { return false }
	t.Cleanup(func() { progressDelay, progressEvery, progressOut, stderrTerminal = delay, every, out, term })

	j := Job{Name: "steps", Parallel: func(r *Run) (*Result, error) {
		r.Work(100)
		for range 100 {
			time.Sleep(3 * time.Millisecond)
			r.Advance(1)
		}
		return &Result{}, nil
	}}
	_, errs := execute(t, 2, j, Options{Threads: 1, ProgressEvery: 50 * time.Millisecond})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	text := log.String()
	lines := regexp.MustCompile(`(?m)^progress: +[0-9.]+% done \(\d+ of 200\), 2 ranks, [0-9.]+m?s, [0-9.e+]+/s, about [0-9.]+m?s left$`).FindAllString(text, -1)
	if len(lines) < 2 {
		t.Fatalf("%d progress lines, want several:\n%s", len(lines), text)
	}
	if strings.Contains(text, "\r") {
		t.Errorf("a log got a rewritten line: %q", text)
	}
}
