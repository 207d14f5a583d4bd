package farm

import (
	"fmt"
	"io"
	"time"
)

// progress shows at the root how far the farm is: on a terminal one line
// rewritten in place, otherwise (a log file) a plain line every period,
// so a batch job's log tells how it went:
//
//	farm: 1234/10000 done (3 failed), 8 running, 2 retried, 45.2 tasks/s, ETA 3m14s
type progress struct {
	w      io.Writer
	live   bool
	every  time.Duration
	off    bool
	start  time.Time
	last   time.Time // of the last plain line
	shown  bool      // a live line is on the screen
	total  int       // tasks to run in this farm (not those --resume skipped)
	done   int       // finished (succeeded or failed for good)
	failed int
	retry  int
	run    int
}

// liveEvery is how often the live line is redrawn.
const liveEvery = 500 * time.Millisecond

func (pg *progress) line(now time.Time) string {
	s := fmt.Sprintf("farm: %d/%d done", pg.done, pg.total)
	if pg.failed > 0 {
		s += fmt.Sprintf(" (%d failed)", pg.failed)
	}
	s += fmt.Sprintf(", %d running", pg.run)
	if pg.retry > 0 {
		s += fmt.Sprintf(", %d retried", pg.retry)
	}
	el := now.Sub(pg.start)
	if pg.done > 0 && el > 0 {
		rate := float64(pg.done) / el.Seconds()
		eta := time.Duration(float64(pg.total-pg.done) / rate * float64(time.Second))
		s += fmt.Sprintf(", %.1f tasks/s, ETA %v", rate, eta.Round(time.Second))
	}
	return s
}

// tick draws the live line or, when a period has passed, a plain one.
func (pg *progress) tick(now time.Time) {
	switch {
	case pg.off:
	case pg.live:
		fmt.Fprintf(pg.w, "\r%s\033[K", pg.line(now))
		pg.shown = true
	case now.Sub(pg.last) >= pg.every:
		fmt.Fprintln(pg.w, pg.line(now))
		pg.last = now
	}
}

// clear erases the live line, before other output to the terminal.
func (pg *progress) clear() {
	if pg.shown {
		fmt.Fprint(pg.w, "\r\033[K")
		pg.shown = false
	}
}
