package boot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Rendezvous wire format, server S and rank R over one TCP connection:
//
//	S -> R  challenge {nonceS[32]}
//	R -> S  register  {rank u32, size u32, nonceR[32], job str, addr str, mac[32]}
//	S -> R  status    {registered u32, size u32, missing u32, ranks u32...}   (repeated, informational)
//	S -> R  table     {size u32, addr str × size, mac[32]}
//	S -> R  refuse    {reason u16, message str}                              (instead, at any step)
//
// Every message is an 12-byte header, magic "SPRV", version, kind, two
// zero bytes and the body length (u32), then the body. str is a u16
// length and that many bytes. All integers are big-endian. Every body
// size is bounded by its kind (and for a table by the size the reader
// expects) before anything is allocated.
//
// The register MAC is HMAC-SHA256(secret) over a label, nonceS and the
// register body up to the MAC, so it cannot be replayed on another
// connection; the table MAC covers a label, both nonces, the job and the
// table, so a rank accepts only a table made for its own request. The
// secret itself never travels. Status and refuse messages are not
// authenticated: they only shape error messages.
const (
	rvHeaderSize = 12
	nonceSize    = 32
	macSize      = sha256.Size
	rvVersion    = 1

	// MaxAddrLen and MaxJobLen bound an address ("host:port") and a job
	// id on the wire and in files.
	MaxAddrLen = 255
	MaxJobLen  = 255

	// maxMissingListed bounds the ranks a status message lists.
	maxMissingListed = 32

	maxRegisterBody = 8 + nonceSize + 2 + MaxJobLen + 2 + MaxAddrLen + macSize
	maxStatusBody   = 12 + 4*maxMissingListed
	maxRefuseBody   = 2 + 2 + 255
)

var rvMagic = [4]byte{'S', 'P', 'R', 'V'}

type rvKind uint8

const (
	rvChallenge rvKind = 1
	rvRegister  rvKind = 2
	rvStatus    rvKind = 3
	rvTable     rvKind = 4
	rvRefuse    rvKind = 5
)

// Reasons a server refuses a registration.
const (
	refuseMalformed uint16 = 1
	refuseJob       uint16 = 2
	refuseSize      uint16 = 3
	refuseRank      uint16 = 4
	refuseAuth      uint16 = 5
	refuseDuplicate uint16 = 6
)

// DefaultExchangeTimeout bounds Exchange when its context has no deadline.
const DefaultExchangeTimeout = 60 * time.Second

// Exchange registers this rank's listening address myAddr at the
// rendezvous and returns every rank's address, indexed by rank. All ranks
// must give the same size, secret and job. rendezvous is either
//
//	host:port   a rendezvous server (NewServer; spmd run's, or rank 0's).
//	            Exchange retries connecting with backoff, since the server
//	            may start after this rank.
//	file:DIR    a directory every rank can read and write (a shared
//	            filesystem): each rank writes DIR/<job>.<rank> atomically,
//	            mode 0600, with an HMAC of its content, and polls for the
//	            others; the files are removed once every rank has read them.
//
// Exchange gives up when ctx ends (after DefaultExchangeTimeout if ctx has
// no deadline), with an error naming the ranks that never registered as
// far as it knows: "rendezvous: 2 of 8 ranks never registered (ranks 3,
// 5) at 127.0.0.1:41233 after 1m0s". It fails at once on a refusal (wrong
// secret, another job, a different size, a rank taken by another address).
func Exchange(ctx context.Context, rendezvous string, rank, size int, myAddr string, secret []byte, job string) ([]string, error) {
	if size < 1 || rank < 0 || rank >= size {
		return nil, fmt.Errorf("rendezvous: rank %d out of range for size %d", rank, size)
	}
	if len(myAddr) == 0 || len(myAddr) > MaxAddrLen {
		return nil, fmt.Errorf("rendezvous: address %q must be 1 to %d bytes", myAddr, MaxAddrLen)
	}
	if len(job) > MaxJobLen {
		return nil, fmt.Errorf("rendezvous: job id of %d bytes, at most %d", len(job), MaxJobLen)
	}
	if len(secret) < MinSecret {
		return nil, fmt.Errorf("rendezvous: secret of %d bytes, need at least %d", len(secret), MinSecret)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultExchangeTimeout)
		defer cancel()
	}
	if dir, ok := strings.CutPrefix(rendezvous, "file:"); ok {
		if dir == "" {
			return nil, fmt.Errorf("rendezvous: file: needs a directory (file:/shared/dir)")
		}
		return exchangeFile(ctx, dir, rank, size, myAddr, secret, job)
	}
	return exchangeTCP(ctx, rendezvous, rank, size, myAddr, secret, job)
}

// Labels separate the MACs of the different messages.
const (
	labelRegister = "spmd rendezvous register v1"
	labelTable    = "spmd rendezvous table v1"
	labelFile     = "spmd rendezvous file v1"
)

// macOf is HMAC-SHA256(secret) over label and fields, each field preceded
// by its length so that no two field lists give the same input.
func macOf(secret []byte, label string, fields ...[]byte) []byte {
	h := hmac.New(sha256.New, secret)
	var n [4]byte
	for _, f := range append([][]byte{[]byte(label)}, fields...) {
		binary.BigEndian.PutUint32(n[:], uint32(len(f)))
		h.Write(n[:])
		h.Write(f)
	}
	return h.Sum(nil)
}

// writeMsg writes one message.
func writeMsg(w io.Writer, kind rvKind, body []byte) error {
	buf := make([]byte, rvHeaderSize+len(body))
	copy(buf, rvMagic[:])
	buf[4] = rvVersion
	buf[5] = byte(kind)
	binary.BigEndian.PutUint32(buf[8:], uint32(len(body)))
	copy(buf[rvHeaderSize:], body)
	_, err := w.Write(buf)
	return err
}

// readMsg reads one message whose body may be at most limit(kind) bytes;
// limit returns false for kinds the reader does not expect.
func readMsg(r io.Reader, limit func(rvKind) (int, bool)) (rvKind, []byte, error) {
	var h [rvHeaderSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	if [4]byte(h[:4]) != rvMagic {
		return 0, nil, fmt.Errorf("%w: not a rendezvous message (magic %q)", errMalformed, h[:4])
	}
	if h[4] != rvVersion {
		return 0, nil, fmt.Errorf("%w: version %d, want %d", errMalformed, h[4], rvVersion)
	}
	kind := rvKind(h[5])
	n := binary.BigEndian.Uint32(h[8:])
	max, ok := limit(kind)
	if !ok {
		return 0, nil, fmt.Errorf("%w: unexpected message kind %d", errMalformed, kind)
	}
	if uint64(n) > uint64(max) {
		return 0, nil, fmt.Errorf("%w: kind %d body of %d bytes, at most %d", errMalformed, kind, n, max)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, err
	}
	return kind, body, nil
}

// errMalformed marks a message that breaks the format.
var errMalformed = errors.New("malformed message")

// decoder reads fields from a body, remembering the first shortfall.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) take(n int) []byte {
	if d.bad || len(d.b) < n {
		d.bad = true
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u16() int {
	if v := d.take(2); v != nil {
		return int(binary.BigEndian.Uint16(v))
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if v := d.take(4); v != nil {
		return binary.BigEndian.Uint32(v)
	}
	return 0
}

func (d *decoder) str(max int) string {
	n := d.u16()
	if n > max {
		d.bad = true
		return ""
	}
	return string(d.take(n))
}

// done reports whether the body was read exactly.
func (d *decoder) done() bool { return !d.bad && len(d.b) == 0 }

func appendU16(b []byte, v int) []byte    { return binary.BigEndian.AppendUint16(b, uint16(v)) }
func appendU32(b []byte, v int) []byte    { return binary.BigEndian.AppendUint32(b, uint32(v)) }
func appendStr(b []byte, s string) []byte { return append(appendU16(b, len(s)), s...) }

// registerMsg is a rank's registration.
type registerMsg struct {
	rank, size int
	nonce      []byte
	job, addr  string
	mac        []byte
}

// encode returns the body, with the MAC computed for the server's nonce.
func (m registerMsg) encode(secret, nonceS []byte) []byte {
	b := appendU32(nil, m.rank)
	b = appendU32(b, m.size)
	b = append(b, m.nonce...)
	b = appendStr(b, m.job)
	b = appendStr(b, m.addr)
	return append(b, macOf(secret, labelRegister, nonceS, b)...)
}

// decodeRegister parses a body; signed is the part the MAC covers.
func decodeRegister(body []byte) (m registerMsg, signed []byte, ok bool) {
	d := decoder{b: body}
	m.rank = int(d.u32())
	m.size = int(d.u32())
	m.nonce = d.take(nonceSize)
	m.job = d.str(MaxJobLen)
	m.addr = d.str(MaxAddrLen)
	signedLen := len(body) - len(d.b)
	m.mac = d.take(macSize)
	if !d.done() {
		return m, nil, false
	}
	return m, body[:signedLen], true
}

// statusMsg says how far the registration is.
type statusMsg struct {
	registered, size int
	missing          int   // how many ranks are missing
	ranks            []int // the first of them, at most maxMissingListed
}

func (m statusMsg) encode() []byte {
	b := appendU32(nil, m.registered)
	b = appendU32(b, m.size)
	b = appendU32(b, m.missing)
	for _, r := range m.ranks {
		b = appendU32(b, r)
	}
	return b
}

func decodeStatus(body []byte) (statusMsg, bool) {
	d := decoder{b: body}
	m := statusMsg{registered: int(d.u32()), size: int(d.u32()), missing: int(d.u32())}
	for len(d.b) >= 4 && len(m.ranks) < maxMissingListed {
		m.ranks = append(m.ranks, int(d.u32()))
	}
	return m, d.done()
}

// String is the status as an error message fragment: "2 of 8 ranks never
// registered (ranks 3, 5)".
func (m statusMsg) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d ranks never registered", m.missing, m.size)
	if len(m.ranks) > 0 {
		b.WriteString(" (")
		if len(m.ranks) == 1 {
			b.WriteString("rank ")
		} else {
			b.WriteString("ranks ")
		}
		for i, r := range m.ranks {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprint(&b, r)
		}
		if m.missing > len(m.ranks) {
			b.WriteString(", ...")
		}
		b.WriteString(")")
	}
	return b.String()
}

// tableMaxBody bounds the table body for a job of size ranks.
func tableMaxBody(size int) int { return 4 + size*(2+MaxAddrLen) + macSize }

// encodeTableEntries encodes the part of a table common to every rank.
func encodeTableEntries(addrs []string) []byte {
	b := appendU32(nil, len(addrs))
	for _, a := range addrs {
		b = appendStr(b, a)
	}
	return b
}

func tableMAC(secret []byte, nonceR, nonceS []byte, job string, entries []byte) []byte {
	return macOf(secret, labelTable, nonceR, nonceS, []byte(job), entries)
}

// decodeTable checks a table's MAC and size and returns its addresses.
func decodeTable(body []byte, size int, secret, nonceR, nonceS []byte, job string) ([]string, error) {
	if len(body) < macSize {
		return nil, fmt.Errorf("%w: table of %d bytes", errMalformed, len(body))
	}
	entries, mac := body[:len(body)-macSize], body[len(body)-macSize:]
	if !hmac.Equal(mac, tableMAC(secret, nonceR, nonceS, job, entries)) {
		return nil, fmt.Errorf("the server's table failed authentication: it holds another secret")
	}
	d := decoder{b: entries}
	if n := int(d.u32()); n != size {
		return nil, fmt.Errorf("the server's table has %d ranks, this job %d", n, size)
	}
	addrs := make([]string, size)
	for i := range addrs {
		addrs[i] = d.str(MaxAddrLen)
	}
	if !d.done() {
		return nil, fmt.Errorf("%w: table", errMalformed)
	}
	return addrs, nil
}

func encodeRefuse(reason uint16, msg string) []byte {
	if len(msg) > 255 {
		msg = msg[:255]
	}
	return appendStr(appendU16(nil, int(reason)), msg)
}

func decodeRefuse(body []byte) (uint16, string) {
	d := decoder{b: body}
	reason := uint16(d.u16())
	return reason, d.str(255)
}
