package job

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// Progress is shown at the root for runs longer than progressDelay: the
// work done, summed over ranks, with its rate and the time left at that
// rate. On a terminal it is one line rewritten in place every
// progressEvery; otherwise (a batch job's log file) a plain line every
// Options.ProgressEvery. Each rank counts its own work (Run.Work,
// Run.Advance) and a goroutine sends the count to the root on a
// communicator of its own (a Dup of the job's), so progress messages
// never meet the job's.
var (
	progressDelay = 2 * time.Second
	progressEvery = 500 * time.Millisecond
)

// DefaultProgressEvery is how often progress is written as plain lines
// when standard error is not a terminal.
const DefaultProgressEvery = 30 * time.Second

const progressTag = 1

// Work declares this rank's amount of work, in any unit, for progress.
// Ranks may declare different amounts (or 0, when the root hands out the
// work and declares all of it).
func (r *Run) Work(total int64) { r.prog.total.Store(total) }

// Advance records n more units of this rank's work as done. It is cheap
// and safe from any goroutine.
func (r *Run) Advance(n int64) { r.prog.done.Add(n) }

type progress struct {
	done, total atomic.Int64
	c           *comm.Comm // nil when progress is off
	stop        chan struct{}
	wg          sync.WaitGroup
}

// progressMode decides at the root how progress is shown: "" (not at
// all), "live" (a line rewritten in place) or "lines" (a plain line now
// and then), and where.
func progressMode(o Options) (string, io.Writer) {
	if o.Quiet {
		return "", nil
	}
	if o.Progress != nil {
		return "live", o.Progress
	}
	if stderrTerminal() {
		return "live", progressOut
	}
	return "lines", progressOut
}

// Where progress goes without Options.Progress, and whether that is a
// terminal (variables for the tests).
var (
	progressOut    io.Writer = os.Stderr
	stderrTerminal           = func() bool {
		if os.Getenv("SPMD_STDERR_TTY") == "1" { // spmd run's own stderr is a terminal
			return true
		}
		st, err := os.Stderr.Stat()
		return err == nil && st.Mode()&os.ModeCharDevice != 0
	}
)

// startProgress agrees on progress (the root decides) and starts the
// reporting goroutines. It is collective.
func (r *Run) startProgress(c *comm.Comm, o Options) error {
	mode, w := "", io.Writer(nil)
	on := []int64{0}
	if r.root {
		if mode, w = progressMode(o); mode != "" {
			on[0] = 1
		}
	}
	if err := c.Bcast(on, 0); err != nil {
		return err
	}
	if on[0] == 0 {
		return nil
	}
	d, err := c.Dup()
	if err != nil {
		return err
	}
	r.prog.c = d
	r.prog.stop = make(chan struct{})
	r.prog.wg.Add(1)
	if r.root {
		every := progressEvery
		if mode == "lines" {
			every = o.ProgressEvery
			if every <= 0 {
				every = DefaultProgressEvery
			}
		}
		go r.prog.show(w, d.Size(), mode, every)
	} else {
		go r.prog.report()
	}
	return nil
}

// finishProgress stops reporting; every rank's last count was sent before
// it entered the closing barrier, so the root has them all.
func (r *Run) finishProgress() {
	if r.prog.c == nil {
		return
	}
	if !r.root {
		r.prog.c.Send([]int64{r.prog.done.Load(), r.prog.total.Load(), 1}, 0, progressTag)
	}
	close(r.prog.stop)
	r.prog.wg.Wait()
}

// report sends this rank's counts to the root until stopped.
func (p *progress) report() {
	defer p.wg.Done()
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			if p.c.Send([]int64{p.done.Load(), p.total.Load(), 0}, 0, progressTag) != nil {
				return
			}
		}
	}
}

// show receives the other ranks' counts and writes the progress.
func (p *progress) show(w io.Writer, size int, mode string, every time.Duration) {
	defer p.wg.Done()
	done := make([]int64, size)
	total := make([]int64, size)
	heard := 1 // ranks whose count has come (the root's own is at hand)
	seen := make([]bool, size)
	msgs := make(chan []int64)
	go func() {
		defer close(msgs)
		for finished := 1; finished < size; { // the root never reports to itself
			m := make([]int64, 3)
			st, err := p.c.Recv(m, comm.AnySource, progressTag)
			if err != nil {
				return
			}
			msgs <- append(m, int64(st.Source))
			if m[2] == 1 {
				finished++
			}
		}
	}()
	start := time.Now()
	tick := time.NewTicker(min(every, progressEvery))
	defer tick.Stop()
	var last time.Time // the last line written; plain lines start after one period
	if mode == "lines" {
		last = start
	}
	shown := false
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				msgs = nil // every rank has sent its last count
				continue
			}
			done[m[3]], total[m[3]] = m[0], m[1]
			if !seen[m[3]] {
				seen[m[3]] = true
				heard++
			}
		case now := <-tick.C:
			// Until every rank has reported, the total is not known.
			if now.Sub(start) < progressDelay || now.Sub(last) < every || heard < size {
				continue
			}
			done[0], total[0] = p.done.Load(), p.total.Load()
			var d, t int64
			for i := range done {
				d += done[i]
				t += total[i]
			}
			if t <= 0 {
				continue
			}
			last = now
			line := progressLine(d, t, size, now.Sub(start))
			if mode == "live" {
				fmt.Fprintf(w, "\r  %s ", line)
				shown = true
			} else {
				fmt.Fprintf(w, "progress: %s\n", line)
			}
		case <-p.stop:
			if shown {
				fmt.Fprint(w, "\r\033[K")
			}
			// Drain what the other ranks' final messages left. When
			// they all came before the root stopped, msgs is already
			// closed and nil here, and ranging over it would block
			// forever: the job hung at its end whenever the root was
			// the slowest rank.
			if msgs != nil {
				for range msgs {
				}
			}
			return
		}
	}
}

// progressLine says how far the work is: share done, counts, rate and
// the time left at that rate.
func progressLine(done, total int64, ranks int, elapsed time.Duration) string {
	pct := 100 * float64(done) / float64(total)
	s := fmt.Sprintf("%5.1f%% done (%d of %d), %s, %s", pct, done, total, plural(ranks, "rank"), roundDuration(elapsed))
	if done > 0 && elapsed > 0 {
		rate := float64(done) / elapsed.Seconds()
		s += fmt.Sprintf(", %.4g/s", rate)
		if done < total {
			left := time.Duration(float64(total-done) / rate * float64(time.Second))
			s += ", about " + roundDuration(left) + " left"
		}
	}
	return s
}

func roundDuration(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d < time.Hour:
		return d.Round(time.Second).String()
	}
	return d.Round(time.Minute).String()
}
