package boot

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/spmd-go/spmd/comm"
)

// Notices: how a launcher learns which rank a failure came from.
//
// When one rank fails, the others fail after it: they receive its abort,
// or lose their link to it, and exit too, often before it does. A
// launcher that named the first rank to exit would name one of them. So a
// rank whose world breaks because of another rank says so, once, on its
// standard error, in a line the launcher removes from the output:
//
//	\x1espmd-rank follows=R abort=C   rank R aborted the job with code C
//	\x1espmd-rank follows=R           rank R was lost (died, hung, unreachable)
//
// The line is written before any call into comm can return the failure
// (for a peer's abort or a broken link to it: the transport reports it to
// this rank first), so it is out before the rank can exit. Init writes
// notices only when the launcher asked for them (SPMD_NOTICES=1, set by
// spmd run); nothing else sees them.
const NoticeMark = "\x1espmd-rank "

// Notice is a parsed notice line.
type Notice struct {
	Follows int  // the rank the failure came from
	Aborted bool // it aborted the job (with Code), rather than being lost
	Code    int
}

// String is the line, with its newline.
func (n Notice) String() string {
	s := NoticeMark + "follows=" + strconv.Itoa(n.Follows)
	if n.Aborted {
		s += " abort=" + strconv.Itoa(n.Code)
	}
	return s + "\n"
}

// ParseNotice parses the text after NoticeMark (the newline may remain).
func ParseNotice(s string) (Notice, bool) {
	var n Notice
	fields := strings.Fields(s)
	if len(fields) == 0 || len(fields) > 2 {
		return n, false
	}
	for i, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		x, err := strconv.Atoi(v)
		switch {
		case !ok || err != nil:
			return n, false
		case i == 0 && k == "follows" && x >= 0:
			n.Follows = x
		case i == 1 && k == "abort":
			n.Aborted, n.Code = true, x
		default:
			return n, false
		}
	}
	return n, true
}

// notifier writes this rank's one notice.
type notifier struct {
	w    io.Writer
	once sync.Once
}

// newNotifier returns a notifier writing to stderr when the launcher asked
// for notices, else nil (a nil *notifier does nothing).
func newNotifier(getenv func(string) string) *notifier {
	if getenv("SPMD_NOTICES") != "1" {
		return nil
	}
	return &notifier{w: os.Stderr}
}

// note writes the notice for err, the reason the world broke, if it names
// another rank: a *comm.AbortError, or a *comm.RankError about a lost
// rank. Only the first call writes.
func (n *notifier) note(err error) {
	if n == nil {
		return
	}
	var nt Notice
	var ae *comm.AbortError
	var re *comm.RankError
	switch {
	case errors.As(err, &ae):
		nt = Notice{Follows: ae.Rank, Aborted: true, Code: ae.Code}
	case errors.As(err, &re) && errors.Is(err, comm.ErrPeerLost):
		nt = Notice{Follows: re.Rank}
	default:
		return
	}
	n.once.Do(func() { io.WriteString(n.w, nt.String()) })
}

// onFailure wraps a comm.Config.OnFailure so that it notes the failure
// first. It covers a failure this rank learns of from a third rank (comm's
// failure notice), which reaches no transport; such a rank still has a
// while before it exits (its own link to the lost rank usually breaks
// too, and spmd's ranks wait a second to let the launcher hear first).
func (n *notifier) onFailure(f func(error)) func(error) {
	if n == nil {
		return f
	}
	return func(err error) {
		n.note(err)
		if f != nil {
			f(err)
		}
	}
}

// transport wraps t so that a peer's abort or loss is noted before the
// core of comm hears of it.
func (n *notifier) transport(t comm.Transport) comm.Transport {
	if n == nil {
		return t
	}
	return &noticeTransport{Transport: t, n: n, departed: -1}
}

type noticeTransport struct {
	comm.Transport
	n        *notifier
	mu       sync.Mutex
	ours     bool // our own Close or Abort began: the losses that follow are ours
	departed int  // the first peer that said goodbye while we ran, or -1
}

func (t *noticeTransport) Start(h comm.Handler) {
	t.Transport.Start(&noticeHandler{Handler: h, t: t})
}

func (t *noticeTransport) ending() (departed int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ours = true
	return t.departed
}

// Abort notes the peer that said goodbye first, if any, before aborting.
// A rank waiting on a peer in a collective fails when that peer leaves,
// and the peer may have left because a third rank aborted: a race this
// rank can lose (at 16 ranks, half the time) before the abort itself
// reaches it. The launcher follows the notice to the peer, and from its
// notice to the rank that failed; a peer that ends well is never blamed
// for it (see spmd/internal/launch's blame.go).
func (t *noticeTransport) Abort(code int) error {
	if p := t.ending(); p >= 0 {
		t.n.note(&comm.RankError{Rank: p, Op: "lost", Err: fmt.Errorf("%w: it left first", comm.ErrPeerLost)})
	}
	return t.Transport.Abort(code)
}

func (t *noticeTransport) Close() error { t.ending(); return t.Transport.Close() }

type noticeHandler struct {
	comm.Handler
	t *noticeTransport
}

// Lost notes a peer's abort or failure (not its goodbye, nor the end of
// our own links) and passes it on.
func (h *noticeHandler) Lost(peer int, err error) {
	h.t.mu.Lock()
	ours := h.t.ours
	if !ours && h.t.departed < 0 && errors.Is(err, comm.ErrPeerClosed) {
		h.t.departed = peer
	}
	h.t.mu.Unlock()
	if !ours && err != nil && !errors.Is(err, comm.ErrPeerClosed) {
		var ae *comm.AbortError
		if errors.As(err, &ae) {
			h.t.n.note(err)
		} else {
			h.t.n.note(&comm.RankError{Rank: peer, Op: "lost", Err: fmt.Errorf("%w: %w", comm.ErrPeerLost, err)})
		}
	}
	h.Handler.Lost(peer, err)
}
