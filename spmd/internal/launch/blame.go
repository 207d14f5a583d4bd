package launch

import (
	"bytes"
	"fmt"
	"time"

	"github.com/spmd-go/spmd/comm/boot"
)

// Which rank to blame. When one rank fails, the others follow: they get
// its abort, or lose their link to it, and exit too, often before it
// does. Each follower says whose failure it followed in a notice on its
// stderr (boot.Notice, asked for by SPMD_NOTICES=1). So the launcher does
// not simply name the first rank to exit non-zero: if that rank followed
// another, the launcher waits up to followGrace for the other's own end
// and names it (following a chain of notices to its start). A rank that
// never ends in the grace (hung, or stopped) is named all the same, from
// the notice. The grace decides only the wording, never the rank named.
const followGrace = 3 * time.Second

// takeNotice removes a rank's notice from line, recording the first one
// in *dst, and returns what is left to forward (nil for nothing). A rank's
// last line may lack its newline, so the mark is looked for anywhere.
func takeNotice(line []byte, dst **boot.Notice) []byte {
	i := bytes.Index(line, []byte(boot.NoticeMark))
	if i < 0 {
		return line
	}
	n, ok := boot.ParseNotice(string(line[i+len(boot.NoticeMark):]))
	if !ok {
		return line
	}
	if *dst == nil {
		*dst = &n
	}
	if i == 0 {
		return nil
	}
	return append(line[:i:i], '\n')
}

// blame is supervise's account of failures until it has named a rank.
type blame struct {
	j      *job
	ended  []*status // by rank, once it ended
	first  *exitEvent
	origin int // the rank awaited, or -1
	notice boot.Notice
	timer  *time.Timer
}

func newBlame(j *job) *blame {
	return &blame{j: j, ended: make([]*status, len(j.ranks)), origin: -1}
}

// timeout is the channel of the grace's end; nil when nothing is awaited.
func (b *blame) timeout() <-chan time.Time {
	if b.timer == nil {
		return nil
	}
	return b.timer.C
}

func (b *blame) stop() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
}

// exited records ev. It returns the report line and exit code once the
// rank to blame is known, and ok false while there is none to report yet
// or still an origin to wait for.
func (b *blame) exited(ev exitEvent) (line string, code int, ok bool) {
	b.ended[ev.rank] = &ev.st
	switch {
	case b.origin >= 0 && ev.rank != b.origin:
		return "", 0, false // another follower
	case b.origin == ev.rank && !ev.st.failed():
		// The rank followed ended well after all: blame the follower.
		return b.report(b.first.rank)
	case !ev.st.failed():
		return "", 0, false
	}
	if b.first == nil {
		b.first = &ev
	}
	r, running, n := b.resolve(ev)
	if !running {
		return b.report(r)
	}
	b.origin, b.notice = r, n
	b.stop()
	b.timer = time.NewTimer(followGrace)
	return "", 0, false
}

// resolve follows the notices from ev's, through the ranks that have
// ended failing, to where the failure started: a rank still running (to
// be awaited: running true, with the notice that named it), or one that
// ended without following anyone, or whose successor ended well (to be
// named).
func (b *blame) resolve(ev exitEvent) (r int, running bool, n boot.Notice) {
	seen := map[int]bool{ev.rank: true}
	r = ev.rank
	for {
		f := b.ended[r].follows
		if f == nil || f.Follows < 0 || f.Follows >= len(b.ended) || seen[f.Follows] {
			return r, false, n
		}
		next := b.ended[f.Follows]
		switch {
		case next == nil:
			return f.Follows, true, *f
		case !next.failed():
			return r, false, n
		}
		seen[f.Follows] = true
		r, n = f.Follows, *f
	}
}

// graceOver names the awaited rank, which has not ended, from the notice.
func (b *blame) graceOver() (string, int) {
	b.timer = nil
	host := b.j.places[b.origin].host
	if b.notice.Aborted {
		code := b.notice.Code
		if code == 0 {
			code = 1
		}
		return fmt.Sprintf("rank %d on %s aborted the job with code %d", b.origin, host, b.notice.Code), code
	}
	f := b.first
	return fmt.Sprintf("rank %d on %s was lost (%s after losing it)", b.origin, host, f.st.describe(f.rank, b.j.places[f.rank].host)), f.st.exitCode()
}

func (b *blame) report(r int) (string, int, bool) {
	b.stop()
	b.origin = -1
	st := b.ended[r]
	return st.describe(r, b.j.places[r].host), st.exitCode(), true
}
