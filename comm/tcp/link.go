package tcp

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// readBufferSize is the bufio.Reader size per link: enough to take many
// small frames per read system call. Payloads this large or larger are read
// straight into the claimed buffer.
const readBufferSize = 64 << 10

// drainTimeout bounds how long the reader keeps reading after a write
// failed: long enough to find an abort or goaway frame the peer sent
// before it hung up, so Lost can say why.
const drainTimeout = 500 * time.Millisecond

// link is the connection to one peer. Writers (Send, the heartbeat and the
// goodbye of Close or Abort) share it under wmu; exactly one goroutine
// reads it. The first error to end the link is kept in down.
type link struct {
	t    *Transport
	peer int
	conn *net.TCPConn
	dead time.Duration // Config.DeadAfter

	wmu     sync.Mutex
	whdr    [frameHeaderSize]byte // header of the frame being written
	warr    [2][]byte             // header and payload: one writev
	wbufs   net.Buffers           // slices warr; a field so WriteTo does not allocate
	wbroken bool                  // a write failed part-way: no frame may follow
	wdl     time.Time             // the write deadline in force (see armWrite)

	wrote   atomic.Bool  // a frame went out since the heartbeat last looked
	closeDL atomic.Int64 // UnixNano; when set, writes must end by then (Close, Abort)
	drainDL atomic.Int64 // UnixNano; when set, reads must end by then (a write failed)
	down    atomic.Pointer[error]

	fr  frameReader // the reader goroutine's
	rdl time.Time   // the read deadline in force, the reader goroutine's

	ended    chan struct{} // closed when the reader goroutine has finished
	peerPID  int           // the reader goroutine's: set when we may read the peer's memory
	pushOK   atomic.Bool   // the peer may read ours: send big messages as copy frames
	inflight atomic.Bool   // a copy frame awaits its copied frame
	copied   chan struct{} // cap 1: the copied frame for the copy frame in flight
}

func newLink(t *Transport, peer int, c *net.TCPConn) *link {
	l := &link{t: t, peer: peer, conn: c, dead: t.cfg.DeadAfter, ended: make(chan struct{}), copied: make(chan struct{}, 1)}
	l.fr = frameReader{
		br:   bufio.NewReaderSize(c, readBufferSize),
		peer: uint32(peer),
		max:  t.cfg.MaxMessage,
		arm:  l.armRead,
	}
	return l
}

// setDown records err as the reason the link ended, unless one is
// recorded already, and returns the recorded reason.
func (l *link) setDown(err error) error {
	if l.down.CompareAndSwap(nil, &err) {
		return err
	}
	return *l.down.Load()
}

// Deadlines are re-armed lazily: only once the one in force is nearer
// than DeadAfter-slack, where slack is DeadAfter/rearmDivisor. Setting a
// deadline is a trip into the runtime's poller, and at thousands of frames
// a second nearly every one would be redundant. So a silent peer is
// declared lost after between DeadAfter-slack and DeadAfter of silence.
const rearmDivisor = 16

// armWrite makes sure a write deadline about DeadAfter away is in force,
// but never one past the deadline set by Close or Abort. The caller holds
// wmu. Checking closeDL after setting ours means that whichever of us
// sets last, the goodbye's deadline stands.
func (l *link) armWrite() {
	now := time.Now()
	if l.closeDL.Load() == 0 && l.wdl.Sub(now) > l.dead-l.dead/rearmDivisor {
		return
	}
	l.wdl = now.Add(l.dead)
	l.conn.SetWriteDeadline(l.wdl)
	if d := l.closeDL.Load(); d != 0 {
		l.conn.SetWriteDeadline(time.Unix(0, d))
	}
}

// armRead is armWrite's twin for the reader goroutine: about DeadAfter
// from now, but never past the drain deadline set after a failed write.
func (l *link) armRead() {
	now := time.Now()
	if l.drainDL.Load() == 0 && l.rdl.Sub(now) > l.dead-l.dead/rearmDivisor {
		return
	}
	l.rdl = now.Add(l.dead)
	l.conn.SetReadDeadline(l.rdl)
	if d := l.drainDL.Load(); d != 0 {
		l.conn.SetReadDeadline(time.Unix(0, d))
	}
}

// writeFrame writes a frame and its payload; the caller holds wmu. Header
// and the first chunk of payload go in one writev, so a small message is
// one TCP segment, and the payload is never copied.
func (l *link) writeFrame(h frameHeader, payload []byte) error {
	if e := l.down.Load(); e != nil {
		return *e
	}
	if l.wbroken {
		return errors.New("tcp: link broken by an earlier failed write")
	}
	// For copy frames the payload is their trailer, which the checksum
	// covers; for data frames, trailerSize is 0.
	h.encode(l.whdr[:], payload[:h.Type.trailerSize()])
	first := min(len(payload), payloadChunk)
	l.armWrite()
	l.warr[0], l.warr[1] = l.whdr[:], payload[:first]
	l.wbufs = l.warr[:]
	_, err := l.wbufs.WriteTo(l.conn)
	l.warr[1] = nil // do not keep the caller's buffer
	for off := first; err == nil && off < len(payload); {
		if e := l.down.Load(); e != nil {
			l.wbroken = true
			return *e
		}
		n := min(len(payload)-off, payloadChunk)
		l.armWrite()
		_, err = l.conn.Write(payload[off : off+n])
		off += n
	}
	if err != nil {
		l.wbroken = true
		return l.writeFailed(err)
	}
	if !l.wrote.Load() {
		l.wrote.Store(true)
	}
	return nil
}

// writeLocked is writeFrame under wmu.
func (l *link) writeLocked(h frameHeader, payload []byte) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	return l.writeFrame(h, payload)
}

// claim asks h for the buffer of the message that frame fh announces.
func claim(h comm.Handler, fh frameHeader) (comm.Header, []byte) {
	ch := fh.commHeader()
	buf := h.Claim(ch)
	if uint64(len(buf)) != ch.Length {
		panic(fmt.Sprintf("tcp: Handler.Claim returned %d bytes for a %d-byte message", len(buf), ch.Length))
	}
	return ch, buf
}

// writeFailed records a write error as the link's end and lets the reader
// finish: it may still find an abort or goaway frame that explains the
// failure, but must stop within drainTimeout.
func (l *link) writeFailed(err error) error {
	if l.t.closing.Load() {
		return l.setDown(l.t.localErr)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		err = fmt.Errorf("%w: a write made no progress for %v", ErrPeerSilent, l.dead)
	} else {
		err = fmt.Errorf("tcp: write: %w", err)
	}
	err = l.setDown(err)
	l.drainDL.Store(time.Now().Add(drainTimeout).UnixNano())
	l.conn.SetReadDeadline(time.Unix(0, l.drainDL.Load()))
	l.conn.CloseWrite()
	return err
}

// heartbeat sends a ping whenever a Heartbeat interval passed without any
// frame going out, until stop closes or the link ends. It runs on its own
// goroutine so a rank busy computing still shows it is alive.
func (l *link) heartbeat(stop <-chan struct{}) {
	defer l.t.heartbeats.Done()
	tick := time.NewTicker(l.t.cfg.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		if l.down.Load() != nil {
			return
		}
		if l.wrote.Swap(false) {
			continue // traffic proves we are alive
		}
		if !l.wmu.TryLock() {
			continue // a Send is writing right now
		}
		l.writeFrame(frameHeader{Type: framePing, Source: uint32(l.t.rank)}, nil)
		l.wmu.Unlock()
	}
}

// goodbye ends the write side for Close (kind goaway) or Abort (kind
// abort, with code): it marks the link down so Sends fail, bounds any
// write in progress, sends the frame unless the stream is broken, and
// shuts down the write side.
func (l *link) goodbye(kind frameType, code int32, why error) {
	l.setDown(why)
	l.closeDL.Store(time.Now().Add(min(goodbyeTimeout, l.dead)).UnixNano())
	l.conn.SetWriteDeadline(time.Unix(0, l.closeDL.Load()))
	l.wmu.Lock()
	defer l.wmu.Unlock()
	if !l.wbroken {
		h := frameHeader{Type: kind, Source: uint32(l.t.rank), Tag: code}
		h.encode(l.whdr[:], nil)
		// Into the socket at once if it has room, however late this
		// goroutine runs; only a full socket (a peer not reading) waits,
		// until the goodbye's deadline.
		if n := writeNow(l.conn, l.whdr[:]); n < len(l.whdr) {
			if _, err := l.conn.Write(l.whdr[n:]); err != nil {
				l.wbroken = true
			}
		}
	}
	l.conn.CloseWrite()
}

// readLoop is the link's one reader goroutine. It makes every Handler
// call for this peer and ends with exactly one Lost.
func (l *link) readLoop(h comm.Handler) {
	defer l.t.readers.Done()
	if l.t.copy != nil {
		l.offer()
	}
	err := l.finalErr(l.recv(h))
	l.setDown(err)
	close(l.ended)
	l.conn.Close()
	h.Lost(l.peer, err)
}

// recv reads frames until one ends the link, and returns why.
func (l *link) recv(h comm.Handler) error {
	excused := false // a silence has been excused since the last frame
	for {
		l.armRead()
		// Wait for the next frame's first byte apart from reading it, so
		// that a deadline reached here has consumed nothing and the wait
		// can go on if the silence was not the peer's (see excuse).
		if _, err := l.fr.br.Peek(1); err != nil {
			if !excused && l.excuse(err) {
				excused = true
				continue
			}
			return l.readErr(err, true)
		}
		excused = false
		fh, err := l.fr.next()
		if err != nil {
			return l.readErr(err, true)
		}
		switch fh.Type {
		case framePing:
			if testHookPing != nil {
				testHookPing(l.t.rank, l.peer)
			}
		case frameGoAway:
			return ErrPeerClosed
		case frameAbort:
			return &comm.AbortError{Rank: l.peer, Code: int(fh.Tag)}
		case frameCopyOffer:
			if l.t.copy != nil {
				l.onOffer(l.fr.trailer(fh))
			}
		case frameCopyAnswer:
			l.onAnswer(fh.Tag)
		case frameCopied:
			if err := l.onCopied(); err != nil {
				return err
			}
		case frameCopy:
			if err := l.onCopy(h, fh, l.fr.trailer(fh)); err != nil {
				return err
			}
			runtime.Gosched()
		case frameData:
			ch, buf := claim(h, fh)
			err := l.fr.readPayload(buf)
			if err != nil {
				err = l.readErr(err, false)
			}
			h.Deliver(ch, buf, err)
			if err != nil {
				return err
			}
			// Deliver has made the receiver runnable; let it run now rather
			// than after this goroutine's next read, which usually finds
			// nothing and only then parks.
			runtime.Gosched()
		}
	}
}

// excuse reports whether a read deadline err passed for want of this
// rank's own time rather than the peer's frames, so the link deserves one
// more DeadAfter: on a loaded machine the reader may run long after its
// deadline, with a ping in the socket it never got to read, or (when the
// peer's process was held up with ours) just before the peer's heartbeat
// could run again. Silence is excused when input is waiting in the kernel,
// or when this goroutine woke more than a heartbeat past its deadline;
// once per silence, so a dead peer is still declared lost, at most one
// DeadAfter later. A drain deadline (a write failed) is never excused.
func (l *link) excuse(err error) bool {
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || l.drainDL.Load() != 0 {
		return false
	}
	late := time.Since(l.rdl)
	excused := pendingInput(l.conn) || late > l.t.cfg.Heartbeat
	if excused && testHookExcused != nil {
		testHookExcused(l.peer, late)
	}
	return excused
}

// testHookPing, when set by a test, is called by rank self's reader for
// every ping from peer.
var testHookPing func(self, peer int)

// testHookExcused, when set by a test, is called with the peer and how
// late the reader woke each time a silence is excused.
var testHookExcused func(peer int, late time.Duration)

// readErr turns a read error into the reason the link ended.
func (l *link) readErr(err error, atHeader bool) error {
	var ne net.Error
	switch {
	case errors.Is(err, ErrProtocol):
		return err
	case errors.As(err, &ne) && ne.Timeout():
		if atHeader {
			return fmt.Errorf("%w: no frame for %v", ErrPeerSilent, l.dead)
		}
		return fmt.Errorf("%w: no payload data for %v in the middle of a frame", ErrPeerSilent, l.dead)
	case err == io.EOF && atHeader:
		return fmt.Errorf("tcp: peer closed the connection without goodbye: %w", err)
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return fmt.Errorf("tcp: peer closed the connection in the middle of a frame: %w", io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("tcp: read: %w", err)
}

// finalErr picks what Lost reports: what the peer said (abort, goaway,
// or a frame so wrong it is a protocol error) over everything; then our
// own Close or Abort; then a write error that came before the read error,
// since the read error is then only its echo.
func (l *link) finalErr(err error) error {
	var ae *comm.AbortError
	switch {
	case errors.As(err, &ae), errors.Is(err, ErrPeerClosed), errors.Is(err, ErrProtocol):
		return err
	case l.t.closing.Load():
		return l.t.localErr
	}
	if e := l.down.Load(); e != nil {
		return *e
	}
	return err
}
