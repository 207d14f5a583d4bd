package comm

import "sync/atomic"

// Transport moves frames between the ranks of one world. It knows nothing
// of matching, communicators or collectives: it carries a Header and its
// payload from one rank to another, in order per pair of ranks, and reports
// when a peer is gone. The in-process transport (NewMemWorld) and the TCP
// transport (package comm/tcp) are the two implementations; the
// shared-memory transport (package comm/shm) is layered on the TCP one.
//
// The duties of an implementation:
//
//  1. Frames from one source arrive in the order that source sent them
//     (the MPI non-overtaking rule rests on this).
//  2. For every data frame it calls Handler.Claim with the header, once the
//     header is known and before the payload is read, then reads exactly
//     Header.Length payload bytes into the buffer Claim returned and calls
//     Handler.Deliver (or, for a frame whose payload it already holds whole,
//     calls WholeReceiver.Receive when the Handler is one). Claim and
//     Deliver for one source are never concurrent and always alternate;
//     different sources may run concurrently.
//  3. When a peer is lost (EOF, error, liveness timeout, an abort or goaway
//     frame) it calls Handler.Lost once for that peer, with an error that
//     says why (an *AbortError when the peer aborted). After Lost, Send to
//     that peer returns an error.
//  4. It never panics on input from the network.
type Transport interface {
	// Rank is this process's rank in the world, Size the number of ranks.
	Rank() int
	Size() int

	// Start begins delivering incoming frames to h. It is called once,
	// before any Send.
	Start(h Handler)

	// Send writes one data frame (h, then payload) to peer dst and
	// returns when the payload may be reused. dst is never the caller's
	// own rank: the core delivers self-sends itself. The core never calls
	// Send concurrently for the same dst, but may for different dsts.
	// len(payload) == h.Length.
	Send(dst int, h Header, payload []byte) error

	// Abort tells every reachable peer that this rank aborts with code,
	// then closes all links. It returns promptly even if peers are stuck.
	Abort(code int) error

	// Close says goodbye to every peer and releases the transport's
	// resources. After Close, a peer's departure is not an error for the
	// peers that already closed.
	Close() error
}

// Handler receives what a Transport reads. The core of package comm
// implements it; transports only call it.
type Handler interface {
	// Claim returns the buffer into which the payload of the data frame
	// with header h must be read; len(buf) == h.Length. It may return a
	// caller's posted receive buffer, so the transport must not keep buf
	// after Deliver.
	Claim(h Header) (buf []byte)

	// Deliver reports that the payload of the frame last claimed from
	// h.Source has been read into buf (err == nil), or that reading it
	// failed (err != nil, followed by Lost for that peer).
	Deliver(h Header, buf []byte, err error)

	// Lost reports that peer can no longer be reached, and why.
	Lost(peer int, err error)
}

// A WholeReceiver is a Handler that can take, in one call, a data frame
// whose payload the transport already holds whole (a short message in
// shared memory): matching, copy and completion under one lock, where
// Claim and Deliver take it twice. A transport may call Receive instead of
// Claim and Deliver for such a frame, under the same rules; payload is
// not kept after the call. The core of package comm implements it.
type WholeReceiver interface {
	Receive(h Header, payload []byte)
}

// A Progresser is a Transport that can deliver frames on the goroutine of
// a caller waiting for one, as MPI's progress engine does, rather than only
// on goroutines of its own. Between processes of one machine a message can
// take well under a microsecond, less than handing it from a reader
// goroutine to the waiting one costs; a transport that implements
// Progresser lets the waiter fetch it itself.
type Progresser interface {
	// Progress is called by a caller about to block until done is set,
	// waiting for a frame from world rank src (or AnySource). It may make
	// Handler calls on the calling goroutine, under the same rules as the
	// transport's own goroutines (Claim and Deliver for one source never
	// concurrent), and returns when done is set or when it judges that
	// the caller had better block: from then on the transport's own
	// goroutines deliver. The caller holds no lock of the Handler's. (A
	// flag, not a channel: a receive completed while its caller polls
	// needs no channel made, closed and selected on.)
	Progress(src int, done *atomic.Bool)
}

// TransportContext is the context of frames that a transport layered on
// another sends over it for itself (package comm/shm negotiates shared
// memory this way). The core never uses it, and a layered transport must
// never pass such frames to the core's Handler.
const TransportContext = ^uint32(0) - 1

// A Router is a Transport that can say how it reaches each peer, for
// reports and benchmarks: Comm.Route asks it.
type Router interface {
	// Route names the way frames go to world rank peer, such as "tcp" or
	// "shm".
	Route(peer int) string
}

// A MemorySharer is a Transport some of whose peers may exchange frames
// with this rank through shared memory (package comm/shm). Between ranks
// that all do, Barrier and short Allreduces meet in a shared window
// (coll_shared.go); the ranks of a communicator decide that together in
// its first Barrier, whose messages carry their votes whatever the
// transport (a rank on one that is no MemorySharer votes no).
type MemorySharer interface {
	// SharesMemory reports whether frames to world rank peer go through
	// shared memory.
	SharesMemory(peer int) bool
}
