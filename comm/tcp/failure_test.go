package tcp

import (
	"errors"
	"io"

	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// kill closes every connection of tr without a goodbye, as the kernel
// does when a process dies.
func kill(tr *Transport) {
	for _, l := range tr.links {
		if l != nil {
			l.conn.Close()
		}
	}
}

// TestLostOnCrash: when a rank's connections close without a goodbye,
// every peer's handler gets Lost naming that rank, with an error that is
// not a clean close, and Send to it fails.
func TestLostOnCrash(t *testing.T) {
	ts, recs := newWorld(t, 3, testConfig())
	kill(ts[2])
	for r := range 2 {
		err := recs[r].waitLost(t, 2)
		if errors.Is(err, ErrPeerClosed) || !(errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)) {
			t.Errorf("rank %d: Lost(2, %v), want EOF or reset", r, err)
		}
		if err := ts[r].Send(2, comm.Header{Source: uint32(r), Type: comm.Byte}, nil); err == nil {
			t.Errorf("rank %d: Send to the lost rank succeeded", r)
		}
		if _, ok := recs[r].lostErr(1 - r); ok {
			t.Errorf("rank %d lost a live peer", r)
		}
	}
}

// TestGoAwayOnClose: a peer that closes says goodbye; the others get Lost
// with ErrPeerClosed, the closing side reports ErrClosed.
func TestGoAwayOnClose(t *testing.T) {
	ts, recs := newWorld(t, 3, testConfig())
	ts[2].Close()
	for r := range 2 {
		if err := recs[r].waitLost(t, 2); !errors.Is(err, ErrPeerClosed) {
			t.Errorf("rank %d: Lost(2, %v), want ErrPeerClosed", r, err)
		}
		err := ts[r].Send(2, comm.Header{Source: uint32(r), Type: comm.Byte}, nil)
		if !errors.Is(err, ErrPeerClosed) {
			t.Errorf("rank %d: Send to the closed rank: %v, want ErrPeerClosed", r, err)
		}
	}
	for p := range 2 {
		if err, ok := recs[2].lostErr(p); !ok || !errors.Is(err, ErrClosed) {
			t.Errorf("closed rank: Lost(%d, %v) (called %v), want ErrClosed", p, err, ok)
		}
	}
	if err := ts[2].Send(0, comm.Header{Source: 2, Type: comm.Byte}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close: %v, want ErrClosed", err)
	}
	ts[2].Close() // idempotent
	ts[2].Abort(1)
}

// TestAbort: an abort frame reaches every peer as *comm.AbortError with
// the rank and code.
func TestAbort(t *testing.T) {
	ts, recs := newWorld(t, 3, testConfig())
	ts[1].Abort(7)
	for _, r := range []int{0, 2} {
		err := recs[r].waitLost(t, 1)
		var ae *comm.AbortError
		if !errors.As(err, &ae) || ae.Rank != 1 || ae.Code != 7 {
			t.Errorf("rank %d: Lost(1, %v), want an AbortError of rank 1 code 7", r, err)
		}
	}
	for _, p := range []int{0, 2} {
		if err, _ := recs[1].lostErr(p); !errors.Is(err, ErrAborted) {
			t.Errorf("aborting rank: Lost(%d, %v), want ErrAborted", p, err)
		}
	}
	if err := ts[1].Send(0, comm.Header{Source: 1, Type: comm.Byte}, nil); err == nil {
		t.Error("Send after Abort succeeded")
	}
}

// TestAbortWhileStreaming: the abort reaches a peer that is in the middle
// of sending to the aborting rank, whose Send then fails: the reader
// drains what came before the hang-up instead of reporting only the
// broken write.
func TestAbortWhileStreaming(t *testing.T) {
	ts, recs := newWorld(t, 2, testConfig())
	const n = 1 << 20
	payload := make([]byte, n)
	sendErr := make(chan error, 1)
	go func() {
		for {
			if err := ts[1].Send(0, comm.Header{Source: 1, Type: comm.Byte, Length: n}, payload); err != nil {
				sendErr <- err
				return
			}
		}
	}()
	waitFor(t, "some messages", func() bool { return len(recs[0].deliveries(1)) >= 3 })
	ts[0].Abort(3)
	if err := <-sendErr; err == nil {
		t.Fatal("no send error")
	}
	err := recs[1].waitLost(t, 0)
	var ae *comm.AbortError
	if !errors.As(err, &ae) || ae.Rank != 0 || ae.Code != 3 {
		t.Errorf("Lost(0, %v), want an AbortError of rank 0 code 3", err)
	}
}

// TestDeadAfterSilentPeer: a peer that passes the handshake and then sends
// nothing at all is declared lost after DeadAfter.
func TestDeadAfterSilentPeer(t *testing.T) {
	cfg := testConfig()
	cfg.Heartbeat, cfg.DeadAfter = 20*time.Millisecond, 300*time.Millisecond
	_, rec, raw := withRawPeer(t, cfg)
	go io.Copy(io.Discard, raw) // it reads our pings, but never answers
	err := rec.waitLost(t, 1)
	if !errors.Is(err, ErrPeerSilent) || !strings.Contains(err.Error(), "no frame for 300ms") {
		t.Errorf("Lost(1, %v), want ErrPeerSilent after 300ms", err)
	}
}

// TestStalledHeartbeat: a rank whose heartbeat cannot write (as if the
// process were stopped) is declared lost by its peer; a rank whose
// heartbeat runs stays alive however long it is idle.
func TestStalledHeartbeat(t *testing.T) {
	cfg := testConfig()
	// DeadAfter is far above the heartbeat so that a loaded machine
	// does not starve the live links of their pings.
	cfg.Heartbeat, cfg.DeadAfter = 20*time.Millisecond, 1500*time.Millisecond
	ts, recs := newWorld(t, 3, cfg)
	l := ts[1].links[0]
	l.wmu.Lock() // rank 1 can send nothing to rank 0, pings included
	err := recs[0].waitLost(t, 1)
	l.wmu.Unlock()
	if !errors.Is(err, ErrPeerSilent) {
		t.Errorf("Lost(1, %v), want ErrPeerSilent", err)
	}
	// Meanwhile rank 2 was idle for over DeadAfter, and is still alive.
	for _, pair := range [][2]int{{0, 2}, {2, 0}, {1, 2}, {2, 1}} {
		if err, ok := recs[pair[0]].lostErr(pair[1]); ok {
			t.Errorf("rank %d lost rank %d: %v", pair[0], pair[1], err)
		}
	}
}

// TestProtocolErrors: an authenticated peer that sends a malformed frame
// loses its link with an error saying what was wrong; nothing is claimed.
func TestProtocolErrors(t *testing.T) {
	good := frameHeader{Type: frameData, Datatype: comm.Float64, Source: 1, Length: 16}
	for _, c := range []struct {
		name string
		edit func(b []byte)
		want string
	}{
		{"bad magic", func(b []byte) { b[0] = 0 }, "bad magic"},
		{"bad version", func(b []byte) { b[1] = 9 }, "version 9"},
		{"bad type", func(b []byte) { b[2] = 42 }, "unknown frame type 42"},
		{"forged source", func(b []byte) { b[11] = 0; reseal(b) }, "source 0 on the link of rank 1"},
		{"bad datatype", func(b []byte) { b[3] = 99; reseal(b) }, "invalid datatype 99"},
		{"length 2^62", func(b []byte) { b[16] = 0x40; reseal(b) }, "exceeds MaxMessage"},
		// The same changes without a new checksum, as corruption on the
		// way would make them: the checksum catches each, the tag too.
		{"corrupted tag", func(b []byte) { b[15] ^= 0xff }, "checksum"},
		{"corrupted context", func(b []byte) { b[7] ^= 1 }, "checksum"},
		{"corrupted length", func(b []byte) { b[23] ^= 0x10 }, "checksum"},
		{"corrupted checksum", func(b []byte) { b[26] ^= 1 }, "checksum"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, rec, raw := withRawPeer(t, testConfig())
			var b [frameHeaderSize]byte
			good.encode(b[:], nil)
			c.edit(b[:])
			raw.Write(b[:])
			err := rec.waitLost(t, 1)
			if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Lost(1, %v), want a protocol error mentioning %q", err, c.want)
			}
			if got := rec.deliveries(1); len(got) != 0 {
				t.Errorf("delivered %v", got)
			}
		})
	}
}

// TestTruncatedPayload: a peer that dies in the middle of a payload makes
// Deliver report the failed read, then Lost.
func TestTruncatedPayload(t *testing.T) {
	_, rec, raw := withRawPeer(t, testConfig())
	raw.Write(frameBytes(frameHeader{Type: frameData, Datatype: comm.Byte, Source: 1, Length: 100}, make([]byte, 60)))
	raw.Close()
	err := rec.waitLost(t, 1)
	d := rec.deliveries(1)
	if len(d) != 1 || d[0].err == nil || d[0].h.Length != 100 {
		t.Fatalf("deliveries %+v, want one failed delivery of 100 bytes", d)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Lost(1, %v), want unexpected EOF", err)
	}
}

// TestCloseStopsGoroutines: after Close returns, no goroutine of the
// transport is left.
func TestCloseStopsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	ls, addrs := listenAll(t, 4)
	ts := connectAll(t, ls, addrs, testConfig())
	for _, tr := range ts {
		tr.Start(newRecorder())
	}
	var wg sync.WaitGroup
	for _, tr := range ts {
		wg.Add(1)
		go func() { defer wg.Done(); tr.Close() }()
	}
	wg.Wait()
	waitFor(t, "goroutines to exit", func() bool { return runtime.NumGoroutine() <= before })
}

// TestMisusePanics: programmer errors panic with a "tcp: " message.
func TestMisusePanics(t *testing.T) {
	ts, _ := newWorld(t, 2, testConfig())
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"send to self", func() { ts[0].Send(0, comm.Header{Type: comm.Byte}, nil) }},
		{"send out of range", func() { ts[0].Send(2, comm.Header{Type: comm.Byte}, nil) }},
		{"length mismatch", func() { ts[0].Send(1, comm.Header{Type: comm.Byte, Length: 3}, nil) }},
		{"partial element", func() { ts[0].Send(1, comm.Header{Type: comm.Float64, Length: 3}, make([]byte, 3)) }},
		{"start twice", func() { ts[0].Start(newRecorder()) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, ok := r.(string); !ok || !strings.HasPrefix(s, "tcp: ") {
					t.Errorf("recovered %v, want a tcp: panic", r)
				}
			}()
			c.f()
		})
	}
}

// TestSendTooLarge: a message over MaxMessage is refused by the sender.
func TestSendTooLarge(t *testing.T) {
	cfg := testConfig()
	cfg.MaxMessage = 64
	ts, _ := newWorld(t, 2, cfg)
	err := ts[0].Send(1, comm.Header{Type: comm.Byte, Length: 65}, make([]byte, 65))
	if err == nil || !strings.Contains(err.Error(), "exceeds MaxMessage") {
		t.Errorf("err = %v", err)
	}
}

// stuckPeer is a raw rank 1 that sends pings (so it looks alive) but
// never reads: whatever rank 0 sends it piles up until TCP's windows are
// full and writes block.
func stuckPeer(t *testing.T, cfg Config) (*Transport, *recorder) {
	tr, rec, raw := withRawPeer(t, cfg)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	go func() {
		ping := frameBytes(frameHeader{Type: framePing, Source: 1}, nil)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := raw.Write(ping); err != nil {
				return
			}
		}
	}()
	return tr, rec
}

// TestStuckPeerWrite: a peer that stops reading turns a Send into an
// error after DeadAfter, and the link into Lost, not a hang.
func TestStuckPeerWrite(t *testing.T) {
	cfg := testConfig()
	cfg.Heartbeat, cfg.DeadAfter = 20*time.Millisecond, 300*time.Millisecond
	tr, rec := stuckPeer(t, cfg)
	msg := make([]byte, 64<<20) // far more than the socket buffers hold
	err := tr.Send(1, comm.Header{Type: comm.Byte, Length: uint64(len(msg))}, msg)
	if !errors.Is(err, ErrPeerSilent) {
		t.Errorf("Send: %v, want ErrPeerSilent", err)
	}
	if err := rec.waitLost(t, 1); !errors.Is(err, ErrPeerSilent) || !strings.Contains(err.Error(), "write") {
		t.Errorf("Lost(1, %v), want ErrPeerSilent about a write", err)
	}
}

// TestAbortStuckPeer: Abort returns even when a Send to a peer that does
// not read is blocked, long before the write deadline would free it.
func TestAbortStuckPeer(t *testing.T) {
	cfg := testConfig()
	cfg.DeadAfter = time.Hour // only Abort's own bound can end the blocked Send
	tr, _ := stuckPeer(t, cfg)
	sendErr := make(chan error, 1)
	go func() {
		msg := make([]byte, 64<<20)
		sendErr <- tr.Send(1, comm.Header{Type: comm.Byte, Length: uint64(len(msg))}, msg)
	}()
	time.Sleep(100 * time.Millisecond) // let the Send fill the windows and block
	aborted := make(chan struct{})
	go func() {
		tr.Abort(9)
		close(aborted)
	}()
	select {
	case <-aborted:
	case <-time.After(waitLimit):
		t.Fatal("Abort hung on a stuck peer")
	}
	if err := <-sendErr; !errors.Is(err, ErrAborted) {
		t.Errorf("blocked Send: %v, want ErrAborted", err)
	}
}
