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

// Progress is shown at the root for runs longer than progressDelay, as one
// line rewritten in place: the share of the work done, summed over ranks.
// Each rank counts its own work (Run.Work, Run.Advance) and a goroutine
// sends the count to the root every progressEvery on a communicator of its
// own (a Dup of the job's), so progress messages never meet the job's.
var (
	progressDelay = 2 * time.Second
	progressEvery = 500 * time.Millisecond
)

const progressTag = 1

// Work declares this rank's amount of work, in any unit, for progress.
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

// progressWanted says whether the root should show progress: not with
// --quiet, and only on a terminal (the spmd launcher says whether its own
// standard error is one, since a rank's is a pipe).
func progressWanted(o Options) bool {
	if o.Quiet || o.JSON {
		return false
	}
	if o.Progress != nil {
		return true
	}
	if os.Getenv("SPMD_STDERR_TTY") == "1" {
		return true
	}
	st, err := os.Stderr.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// startProgress agrees on progress (the root decides) and starts the
// reporting goroutines. It is collective.
func (r *Run) startProgress(c *comm.Comm, o Options) error {
	on := []int64{0}
	if r.root && progressWanted(o) {
		on[0] = 1
	}
	if err := c.Bcast(on, 0); err != nil {
		return err
	}
	if on[0] == 0 || c.Size() < 1 {
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
		w := o.Progress
		if w == nil {
			w = os.Stderr
		}
		go r.prog.show(w, d.Size())
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

// show receives the other ranks' counts and rewrites one status line.
func (p *progress) show(w io.Writer, size int) {
	defer p.wg.Done()
	done := make([]int64, size)
	total := make([]int64, size)
	finished := 1 // the root's own goroutine never reports to itself
	msgs := make(chan []int64)
	go func() {
		for finished < size {
			m := make([]int64, 3)
			st, err := p.c.Recv(m, comm.AnySource, progressTag)
			if err != nil {
				close(msgs)
				return
			}
			m = append(m, int64(st.Source))
			msgs <- m
			if m[2] == 1 {
				finished++
			}
		}
		close(msgs)
	}()
	start := time.Now()
	tick := time.NewTicker(progressEvery)
	defer tick.Stop()
	shown := false
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				msgs = nil
				continue
			}
			done[m[3]], total[m[3]] = m[0], m[1]
		case <-tick.C:
			if time.Since(start) < progressDelay {
				continue
			}
			done[0], total[0] = p.done.Load(), p.total.Load()
			var d, t int64
			for i := range done {
				d += done[i]
				t += total[i]
			}
			if t > 0 {
				fmt.Fprintf(w, "\r  %5.1f%% done, %d ranks, %.0f s ", 100*float64(d)/float64(t), size, time.Since(start).Seconds())
				shown = true
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
