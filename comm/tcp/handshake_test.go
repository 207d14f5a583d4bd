package tcp

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
)

// tapConn records everything written through it: a wire tap for replay
// tests.
type tapConn struct {
	net.Conn
	out bytes.Buffer
}

func (c *tapConn) Write(p []byte) (int, error) {
	c.out.Write(p)
	return c.Conn.Write(p)
}

type handshakeSide struct {
	p    handshakeParams
	self int
}

type handshakeResult struct {
	dialErr, acceptErr error
	peer               int
	dialerWrote        []byte
}

// runHandshake runs the dialer's side as d.self dialing acceptor a.self
// over an in-memory pipe. The acceptor accepts only higher ranks; dup
// makes claim refuse the rank as already connected.
func runHandshake(t *testing.T, d, a handshakeSide, dup bool) handshakeResult {
	t.Helper()
	dc, ac := net.Pipe()
	tap := &tapConn{Conn: dc}
	var res handshakeResult
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer ac.Close()
		wanted := func(p int) error {
			if p <= a.self {
				return refuse(refuseRank, "rank %d", p)
			}
			return nil
		}
		claim := func(p int) error {
			if dup {
				return refuse(refuseDuplicate, "rank %d", p)
			}
			return nil
		}
		res.peer, res.acceptErr = acceptHandshake(ac, a.p, a.self, wanted, claim)
	}()
	res.dialErr = dialHandshake(tap, d.p, d.self, a.self)
	dc.Close()
	<-done
	res.dialerWrote = tap.out.Bytes()
	return res
}

func TestHandshake(t *testing.T) {
	p := handshakeParams{secret: testSecret, job: "job-1", size: 4}
	with := func(f func(*handshakeParams)) handshakeParams { q := p; f(&q); return q }
	for _, c := range []struct {
		name       string
		dialer     handshakeSide
		acceptor   handshakeSide
		dup        bool
		dialWant   string // "" means success
		acceptWant string
	}{
		{name: "ok", dialer: handshakeSide{p, 3}, acceptor: handshakeSide{p, 1}},
		{name: "empty job", dialer: handshakeSide{with(func(q *handshakeParams) { q.job = "" }), 2}, acceptor: handshakeSide{with(func(q *handshakeParams) { q.job = "" }), 0}},
		{
			name:   "wrong secret",
			dialer: handshakeSide{with(func(q *handshakeParams) { q.secret = []byte("another secret, 16+ bytes") }), 3}, acceptor: handshakeSide{p, 1},
			dialWant: "bad proof from rank 1", acceptWant: "reading proof",
		},
		{
			name:   "other job",
			dialer: handshakeSide{with(func(q *handshakeParams) { q.job = "job-2" }), 3}, acceptor: handshakeSide{p, 1},
			dialWant: "bad proof from rank 1", acceptWant: "reading proof",
		},
		{
			name:   "wrong size",
			dialer: handshakeSide{with(func(q *handshakeParams) { q.size = 5 }), 3}, acceptor: handshakeSide{p, 1},
			dialWant: "world size mismatch", acceptWant: "world size 5",
		},
		{
			name:   "rank out of range",
			dialer: handshakeSide{p, 7}, acceptor: handshakeSide{p, 1},
			dialWant: "unexpected rank", acceptWant: "claims rank 7 of 4",
		},
		{
			name:   "lower rank dials",
			dialer: handshakeSide{p, 0}, acceptor: handshakeSide{p, 1},
			dialWant: "unexpected rank", acceptWant: "refused: unexpected rank",
		},
		{
			name:   "duplicate rank",
			dialer: handshakeSide{p, 2}, acceptor: handshakeSide{p, 1}, dup: true,
			dialWant: "rank already connected", acceptWant: "refused: rank already connected",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := runHandshake(t, c.dialer, c.acceptor, c.dup)
			check := func(side string, err error, want string) {
				switch {
				case want == "" && err != nil:
					t.Errorf("%s: %v", side, err)
				case want != "" && err == nil:
					t.Errorf("%s: succeeded, want an error mentioning %q", side, want)
				case want != "" && (!errors.Is(err, ErrHandshake) || !strings.Contains(err.Error(), want)):
					t.Errorf("%s: %v, want a handshake error mentioning %q", side, err, want)
				}
			}
			check("dialer", res.dialErr, c.dialWant)
			check("acceptor", res.acceptErr, c.acceptWant)
			if c.acceptWant == "" && res.peer != c.dialer.self {
				t.Errorf("acceptor authenticated rank %d, want %d", res.peer, c.dialer.self)
			}
			if bytes.Contains(res.dialerWrote, testSecret) {
				t.Error("the secret crossed the wire")
			}
		})
	}
}

// TestHandshakeReplay: a dialer's bytes captured from one handshake do not
// pass another, whether it is the same job or another one: the acceptor's
// fresh nonce makes every proof single-use.
func TestHandshakeReplay(t *testing.T) {
	same := handshakeParams{secret: testSecret, job: "job-1", size: 2}
	other := handshakeParams{secret: testSecret, job: "job-0", size: 2}
	for _, captured := range []handshakeParams{same, other} {
		t.Run(captured.job, func(t *testing.T) {
			res := runHandshake(t, handshakeSide{captured, 1}, handshakeSide{captured, 0}, false)
			if res.dialErr != nil || res.acceptErr != nil {
				t.Fatalf("capture: %v, %v", res.dialErr, res.acceptErr)
			}
			if len(res.dialerWrote) != preambleSize+helloBody+preambleSize+proofBody {
				t.Fatalf("captured %d bytes", len(res.dialerWrote))
			}
			_, err := replayTo(t, same, res.dialerWrote)
			if err == nil || !strings.Contains(err.Error(), "bad proof") {
				t.Errorf("replay: %v, want a bad proof refusal", err)
			}
		})
	}
}

// replayTo plays wire bytes captured from a dialer against a fresh
// acceptor (rank 0 of p), reading its answers as the real dialer would.
func replayTo(t *testing.T, p handshakeParams, wire []byte) (int, error) {
	dc, ac := net.Pipe()
	defer dc.Close()
	go func() {
		defer dc.Close()
		hello, proof := wire[:preambleSize+helloBody], wire[preambleSize+helloBody:]
		dc.Write(hello)
		var buf msgBuf
		if _, _, _, err := readMsg(dc, &buf, msgChallenge); err != nil {
			return
		}
		dc.Write(proof)
		io.Copy(io.Discard, dc)
	}()
	defer ac.Close()
	ok := func(int) error { return nil }
	return acceptHandshake(ac, p, 0, ok, ok)
}

func TestHandshakeGarbage(t *testing.T) {
	p := handshakeParams{secret: testSecret, job: "j", size: 2}
	for _, c := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "EOF"},
		{"http", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), "bad magic"},
		{"frame header", frameBytes(frameHeader{Type: frameData, Datatype: 1, Source: 1, Length: 1 << 62}, nil), "bad magic"},
		{"unknown kind", []byte{'S', 'P', 'M', 'D', protocolVersion, 9, 0, 0}, "unknown message kind 9"},
		{"proof first", append([]byte{'S', 'P', 'M', 'D', protocolVersion, byte(msgProof), 0, 0}, make([]byte, proofBody)...), "got proof, want hello"},
		{"future version", []byte{'S', 'P', 'M', 'D', protocolVersion + 1, byte(msgHello), 0, 0}, "protocol version mismatch"},
		{"short hello", []byte{'S', 'P', 'M', 'D', protocolVersion, byte(msgHello), 0, 0, 0, 0}, "unexpected EOF"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rw := &scriptConn{r: bytes.NewReader(c.in)}
			ok := func(int) error { return nil }
			_, err := acceptHandshake(rw, p, 0, ok, ok)
			if err == nil || !errors.Is(err, ErrHandshake) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want a handshake error mentioning %q", err, c.want)
			}
		})
	}
}

// scriptConn reads from a script and throws away what is written.
type scriptConn struct {
	r     io.Reader
	wrote int
}

func (c *scriptConn) Read(p []byte) (int, error)  { return c.r.Read(p) }
func (c *scriptConn) Write(p []byte) (int, error) { c.wrote += len(p); return len(p), nil }
