package tcp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
)

// Handshake messages (docs/PROTOCOL.md). Every message starts with an
// 8-byte preamble: the 4-byte magic "SPMD", the protocol version, the
// message kind and a 16-bit argument (the reason of a refusal, else 0).
// The body size is fixed by the kind, so a parser never allocates and no
// field can be oversized. All integers are big-endian.
//
//	dialer                                  acceptor
//	hello     {size, from, to, nonceD}  ->
//	                                    <-  challenge {size, from, to, nonceA, macA}
//	proof     {macD}                    ->
//	                                    <-  welcome, or refuse{reason} at any step
const (
	preambleSize = 8
	nonceSize    = 32
	macSize      = sha256.Size

	helloBody     = 12 + nonceSize           // size, from, to, nonce
	challengeBody = 12 + nonceSize + macSize // size, from, to, nonce, mac
	proofBody     = macSize
	maxBody       = challengeBody
)

var handshakeMagic = [4]byte{'S', 'P', 'M', 'D'}

type msgKind uint8

const (
	msgHello     msgKind = 1
	msgChallenge msgKind = 2
	msgProof     msgKind = 3
	msgWelcome   msgKind = 4
	msgRefuse    msgKind = 5
)

func (k msgKind) bodySize() (int, bool) {
	switch k {
	case msgHello:
		return helloBody, true
	case msgChallenge:
		return challengeBody, true
	case msgProof:
		return proofBody, true
	case msgWelcome, msgRefuse:
		return 0, true
	}
	return 0, false
}

func (k msgKind) String() string {
	switch k {
	case msgHello:
		return "hello"
	case msgChallenge:
		return "challenge"
	case msgProof:
		return "proof"
	case msgWelcome:
		return "welcome"
	case msgRefuse:
		return "refuse"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// refuseReason is why an acceptor refused a dialer; it travels in the
// preamble's argument of a refuse message.
type refuseReason uint16

const (
	refuseVersion   refuseReason = 1 // protocol version differs
	refuseSize      refuseReason = 2 // world size differs
	refuseRank      refuseReason = 3 // the ranks do not fit: not the rank dialed, or not one expected to dial
	refuseProof     refuseReason = 4 // the proof is wrong: another secret or another job
	refuseDuplicate refuseReason = 5 // that rank is already connected
	refuseOver      refuseReason = 6 // the wire-up has ended
)

func (r refuseReason) String() string {
	switch r {
	case refuseVersion:
		return "protocol version mismatch"
	case refuseSize:
		return "world size mismatch"
	case refuseRank:
		return "unexpected rank"
	case refuseProof:
		return "bad proof (wrong secret or job id)"
	case refuseDuplicate:
		return "rank already connected"
	case refuseOver:
		return "wire-up already over"
	}
	return fmt.Sprintf("reason %d", uint16(r))
}

// refusal is an error that makes the acceptor send refuse{reason}; when a
// dialer receives one it comes back as a *refusedError.
type refusal struct {
	reason refuseReason
	detail string
}

func (e *refusal) Error() string {
	return fmt.Sprintf("%v: refused: %v: %s", ErrHandshake, e.reason, e.detail)
}
func (e *refusal) Unwrap() error { return ErrHandshake }

func refuse(r refuseReason, format string, args ...any) error {
	return &refusal{reason: r, detail: fmt.Sprintf(format, args...)}
}

// refusedError is what a dialer gets when the acceptor refused it. It is
// permanent: retrying the same handshake cannot succeed.
type refusedError struct{ reason refuseReason }

func (e *refusedError) Error() string {
	return fmt.Sprintf("%v: the peer refused us: %v", ErrHandshake, e.reason)
}
func (e *refusedError) Unwrap() error { return ErrHandshake }

// handshakeParams is what both ends of a job share.
type handshakeParams struct {
	secret []byte
	job    string
	size   int
}

// hello is the dialer's opening message; challenge is the acceptor's
// answer. from is always the sender's rank, to the receiver's.
type hello struct {
	size, from, to uint32
	nonce          [nonceSize]byte
}

type challenge struct {
	hello
	mac [macSize]byte
}

func putPreamble(b []byte, k msgKind, arg uint16) {
	copy(b, handshakeMagic[:])
	b[4] = protocolVersion
	b[5] = byte(k)
	binary.BigEndian.PutUint16(b[6:], arg)
}

func (h *hello) put(b []byte) {
	binary.BigEndian.PutUint32(b[0:], h.size)
	binary.BigEndian.PutUint32(b[4:], h.from)
	binary.BigEndian.PutUint32(b[8:], h.to)
	copy(b[12:], h.nonce[:])
}

func parseHello(body []byte) (h hello, err error) {
	if len(body) != helloBody {
		return h, fmt.Errorf("%w: hello body of %d bytes, want %d", ErrHandshake, len(body), helloBody)
	}
	h.size = binary.BigEndian.Uint32(body[0:])
	h.from = binary.BigEndian.Uint32(body[4:])
	h.to = binary.BigEndian.Uint32(body[8:])
	copy(h.nonce[:], body[12:])
	return h, nil
}

func parseChallenge(body []byte) (c challenge, err error) {
	if len(body) != challengeBody {
		return c, fmt.Errorf("%w: challenge body of %d bytes, want %d", ErrHandshake, len(body), challengeBody)
	}
	if c.hello, err = parseHello(body[:helloBody]); err != nil {
		return c, err
	}
	copy(c.mac[:], body[helloBody:])
	return c, nil
}

// msgBuf holds one handshake message; it lives on the stack.
type msgBuf [preambleSize + maxBody]byte

// readMsg reads one handshake message into buf and returns its kind,
// argument and body. It reads the fixed preamble, then exactly the body
// size the kind implies: nothing in the input decides how much is read.
// want, the kind expected, only names it in errors.
func readMsg(r io.Reader, buf *msgBuf, want msgKind) (msgKind, uint16, []byte, error) {
	p := buf[:preambleSize]
	if _, err := io.ReadFull(r, p); err != nil {
		return 0, 0, nil, fmt.Errorf("%w: reading %v: %w", ErrHandshake, want, err)
	}
	if [4]byte(p[:4]) != handshakeMagic {
		return 0, 0, nil, fmt.Errorf("%w: bad magic %x, want %x (\"SPMD\")", ErrHandshake, p[:4], handshakeMagic)
	}
	kind, arg := msgKind(p[5]), binary.BigEndian.Uint16(p[6:])
	if p[4] != protocolVersion {
		return kind, arg, nil, refuse(refuseVersion, "version %d, want %d", p[4], protocolVersion)
	}
	n, ok := kind.bodySize()
	if !ok {
		return kind, arg, nil, fmt.Errorf("%w: unknown message kind %d", ErrHandshake, p[5])
	}
	body := buf[preambleSize : preambleSize+n]
	if _, err := io.ReadFull(r, body); err != nil {
		return kind, arg, nil, fmt.Errorf("%w: reading %v: %w", ErrHandshake, kind, err)
	}
	return kind, arg, body, nil
}

// Labels that say which side a MAC proves. Neither is a prefix of the
// other, so a MAC of one side can never pass as the other's.
const (
	labelAcceptor = "spmd/tcp acceptor proof\x00"
	labelDialer   = "spmd/tcp dialer proof\x00"
)

// handshakeMAC is the proof of one side:
//
//	HMAC-SHA256(secret, label || u32 len(job) || job || u8 version ||
//	            u32 size || u32 dialer || u32 acceptor || nonceD || nonceA)
func handshakeMAC(p handshakeParams, label string, dialer, acceptor uint32, nonceD, nonceA *[nonceSize]byte) [macSize]byte {
	m := hmac.New(sha256.New, p.secret)
	var b [4]byte
	m.Write([]byte(label))
	binary.BigEndian.PutUint32(b[:], uint32(len(p.job)))
	m.Write(b[:])
	m.Write([]byte(p.job))
	m.Write([]byte{protocolVersion})
	for _, v := range [...]uint32{uint32(p.size), dialer, acceptor} {
		binary.BigEndian.PutUint32(b[:], v)
		m.Write(b[:])
	}
	m.Write(nonceD[:])
	m.Write(nonceA[:])
	var out [macSize]byte
	m.Sum(out[:0])
	return out
}

func newNonce() (n [nonceSize]byte) {
	rand.Read(n[:]) // never fails (crypto/rand since Go 1.24)
	return n
}

// dialHandshake runs the dialer's side on rw: rank self proves itself to
// rank peer and checks that peer proves itself back. A *refusedError means
// the acceptor refused us.
func dialHandshake(rw io.ReadWriter, p handshakeParams, self, peer int) error {
	var buf msgBuf
	h := hello{size: uint32(p.size), from: uint32(self), to: uint32(peer), nonce: newNonce()}
	putPreamble(buf[:], msgHello, 0)
	h.put(buf[preambleSize:])
	if _, err := rw.Write(buf[:preambleSize+helloBody]); err != nil {
		return fmt.Errorf("%w: sending hello: %w", ErrHandshake, err)
	}

	kind, arg, body, err := readMsg(rw, &buf, msgChallenge)
	if err != nil {
		return err
	}
	if kind == msgRefuse {
		return &refusedError{refuseReason(arg)}
	}
	if kind != msgChallenge {
		return fmt.Errorf("%w: got %v, want challenge", ErrHandshake, kind)
	}
	c, err := parseChallenge(body)
	if err != nil {
		return err
	}
	switch {
	case c.size != h.size:
		return fmt.Errorf("%w: peer has world size %d, we have %d", ErrHandshake, c.size, h.size)
	case c.from != h.to || c.to != h.from:
		return fmt.Errorf("%w: dialed rank %d from rank %d, but the peer is rank %d talking to rank %d", ErrHandshake, h.to, h.from, c.from, c.to)
	}
	want := handshakeMAC(p, labelAcceptor, h.from, h.to, &h.nonce, &c.nonce)
	if !hmac.Equal(want[:], c.mac[:]) {
		return fmt.Errorf("%w: bad proof from rank %d (wrong secret or job id)", ErrHandshake, peer)
	}

	proof := handshakeMAC(p, labelDialer, h.from, h.to, &h.nonce, &c.nonce)
	putPreamble(buf[:], msgProof, 0)
	copy(buf[preambleSize:], proof[:])
	if _, err := rw.Write(buf[:preambleSize+proofBody]); err != nil {
		return fmt.Errorf("%w: sending proof: %w", ErrHandshake, err)
	}

	kind, arg, _, err = readMsg(rw, &buf, msgWelcome)
	switch {
	case err != nil:
		return err
	case kind == msgRefuse:
		return &refusedError{refuseReason(arg)}
	case kind != msgWelcome:
		return fmt.Errorf("%w: got %v, want welcome", ErrHandshake, kind)
	}
	return nil
}

// acceptHandshake runs the acceptor's side on rw for rank self and returns
// the authenticated rank of the dialer. wanted is asked, before any proof,
// whether that rank may dial us at all; claim reserves the rank once the
// dialer has proved itself (a claim error refuses it). Any error after a
// successful claim leaves releasing it to the caller.
func acceptHandshake(rw io.ReadWriter, p handshakeParams, self int, wanted, claim func(peer int) error) (peer int, err error) {
	var buf msgBuf
	defer func() {
		if r, ok := err.(*refusal); ok {
			putPreamble(buf[:], msgRefuse, uint16(r.reason))
			rw.Write(buf[:preambleSize]) // best effort: the dialer learns why
		}
	}()

	kind, _, body, err := readMsg(rw, &buf, msgHello)
	if err != nil {
		return -1, err
	}
	if kind != msgHello {
		return -1, fmt.Errorf("%w: got %v, want hello", ErrHandshake, kind)
	}
	h, err := parseHello(body)
	if err != nil {
		return -1, err
	}
	switch {
	case h.size != uint32(p.size):
		return -1, refuse(refuseSize, "dialer has world size %d, we have %d", h.size, p.size)
	case h.to != uint32(self):
		return -1, refuse(refuseRank, "dialer wants rank %d, we are rank %d", h.to, self)
	case h.from >= h.size:
		return -1, refuse(refuseRank, "dialer claims rank %d of %d", h.from, h.size)
	}
	dialer := int(h.from)
	if err := wanted(dialer); err != nil {
		return -1, err
	}

	c := challenge{hello: hello{size: h.size, from: uint32(self), to: h.from, nonce: newNonce()}}
	c.mac = handshakeMAC(p, labelAcceptor, h.from, uint32(self), &h.nonce, &c.nonce)
	putPreamble(buf[:], msgChallenge, 0)
	c.hello.put(buf[preambleSize:])
	copy(buf[preambleSize+helloBody:], c.mac[:])
	if _, err := rw.Write(buf[:preambleSize+challengeBody]); err != nil {
		return -1, fmt.Errorf("%w: sending challenge: %w", ErrHandshake, err)
	}

	kind, _, body, err = readMsg(rw, &buf, msgProof)
	if err != nil {
		return -1, err
	}
	if kind != msgProof {
		return -1, fmt.Errorf("%w: got %v, want proof", ErrHandshake, kind)
	}
	want := handshakeMAC(p, labelDialer, h.from, uint32(self), &h.nonce, &c.nonce)
	if !hmac.Equal(want[:], body) {
		return -1, refuse(refuseProof, "from a dialer claiming rank %d", dialer)
	}
	if err := claim(dialer); err != nil {
		return -1, err
	}
	putPreamble(buf[:], msgWelcome, 0)
	if _, err := rw.Write(buf[:preambleSize]); err != nil {
		return -1, fmt.Errorf("%w: sending welcome: %w", ErrHandshake, err)
	}
	return dialer, nil
}
