package shm

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"github.com/spmd-go/spmd/comm"
)

// A ring carries the frames of one sender to one receiver: a single
// producer, a single consumer, no lock either could die holding. The
// producer writes records after tail and then publishes them by storing
// the new tail; the consumer reads records up to the tail it loaded and
// frees them by storing head. tail and head count bytes ever written and
// consumed, so tail-head is the ring's fill and a position is a count
// modulo the ring's length (a power of two).
//
// Only the stores of tail and head order the memory: every record byte is
// written before the tail that publishes it is stored, and read only after
// that tail is loaded (Go's atomics are sequentially consistent).

// maxChunk and minChunk bound the payload of one record: a long message
// goes as many records so the receiver copies one chunk out while the
// sender copies the next one in (64 KiB chunks, several in flight, moved
// 16 MiB fastest in a pipelined copy between two processes here), and no
// record is written so small that its prefix costs more than its bytes.
func maxChunk(ringLen int) int { return min(64<<10, ringLen/4) }

const minChunk = 4 << 10

// producer is the sender's side of a ring, in the sender's process.
type producer struct {
	tail  *atomic.Uint64 // in the ring header: published here
	head  *atomic.Uint64 // in the ring header: read when room runs out
	wait  *atomic.Uint32 // in the ring header: set while waiting for room
	data  []byte
	mask  uint64
	chunk int

	next uint64 // the tail being built (== tail after each publish)
	seen uint64 // the last head loaded
}

func newProducer(hdr, data []byte) *producer {
	p := &producer{tail: u64at(hdr, offTail), head: u64at(hdr, offHead), wait: u32at(hdr, offWaiting),
		data: data, mask: uint64(len(data) - 1), chunk: maxChunk(len(data))}
	p.next = p.tail.Load()
	p.seen = p.head.Load()
	return p
}

// free returns the room after next, loading head again if the last one
// seen leaves less than want.
func (p *producer) free(want int) int {
	free := len(p.data) - int(p.next-p.seen)
	if free < want {
		p.seen = p.head.Load()
		free = len(p.data) - int(p.next-p.seen)
	}
	return free
}

// hasRoom says whether a record of the smallest useful size (or a pad
// followed by one) would fit now.
func (p *producer) hasRoom(rest int, first bool) bool {
	need := recordLen(min(rest, minChunk), first)
	pos := int(p.next & p.mask)
	if contig := len(p.data) - pos; contig < need {
		need += contig
	}
	return p.free(need) >= need
}

func recordLen(chunk int, first bool) int {
	n := prefixLen + chunk
	if first {
		n += firstLen
	}
	return alignUp(n)
}

// put writes and publishes one record of the message h: the first one
// (with the header) when first, else the next part of its payload. It
// carries as much of rest as fits, up to the chunk size, and returns how
// much; ok is false when not even the smallest record fits now.
func (p *producer) put(h comm.Header, rest []byte, first bool) (n int, ok bool) {
	small := min(len(rest), minChunk)
	pos := int(p.next & p.mask)
	contig := len(p.data) - pos
	if contig < recordLen(small, first) {
		// Pad to the end of the ring and start again at its beginning.
		if p.free(contig) < contig {
			return 0, false
		}
		binary.LittleEndian.PutUint64(p.data[pos:], uint64(contig-prefixLen)|kindPad<<32)
		p.next += uint64(contig)
		p.tail.Store(p.next)
		pos, contig = 0, len(p.data)
	}
	room := min(contig, p.free(recordLen(small, first)))
	over := recordLen(0, first)
	if room < recordLen(small, first) {
		return 0, false
	}
	n = min(len(rest), p.chunk, room-over)
	rec := p.data[pos : pos+recordLen(n, first)]
	binary.LittleEndian.PutUint32(rec[0:], uint32(n))
	kind := byte(kindMore)
	if first {
		kind = kindFirst
	}
	rec[4], rec[5], rec[6], rec[7] = kind, byte(h.Type), 0, 0
	body := rec[prefixLen:]
	if first {
		binary.LittleEndian.PutUint32(rec[8:], h.Context)
		binary.LittleEndian.PutUint32(rec[12:], uint32(h.Tag))
		binary.LittleEndian.PutUint64(rec[16:], h.Length)
		body = rec[prefixLen+firstLen:]
	}
	copy(body, rest[:n])
	p.next += uint64(len(rec))
	p.tail.Store(p.next)
	return n, true
}

// consumer is the receiver's side of a ring, in the receiver's process,
// with the message whose payload is still arriving.
type consumer struct {
	tail *atomic.Uint64
	head *atomic.Uint64
	wait *atomic.Uint32
	data []byte
	mask uint64
	max  uint64 // the longest message accepted
	src  uint32

	next uint64 // the head being advanced (== head after each record)

	open bool // a message's payload is arriving:
	cur  comm.Header
	buf  []byte // claimed for cur
	off  uint64 // bytes of it read so far
}

func newConsumer(hdr, data []byte, src int, max uint64) *consumer {
	c := &consumer{tail: u64at(hdr, offTail), head: u64at(hdr, offHead), wait: u32at(hdr, offWaiting),
		data: data, mask: uint64(len(data) - 1), max: max, src: uint32(src)}
	c.next = c.head.Load()
	return c
}

// pending says whether a record is waiting.
func (c *consumer) pending() bool { return c.tail.Load() != c.next }

// errProtocol marks a ring that breaks the format: the sender is broken
// (or not a rank of ours), and the peer is lost.
var errProtocol = fmt.Errorf("shm: protocol error")

// drain reads every record published so far, claiming and delivering
// messages through h, and returns how many records it read. wake reports
// that the sender waits for room and must be woken. A malformed ring
// returns an error wrapping errProtocol; nothing in the ring can make it
// panic or read outside it.
func (c *consumer) drain(h comm.Handler) (n int, wake bool, err error) {
	tail := c.tail.Load()
	if tail-c.next > uint64(len(c.data)) {
		return 0, false, fmt.Errorf("%w: ring from rank %d holds %d bytes, more than its %d", errProtocol, c.src, tail-c.next, len(c.data))
	}
	for c.next != tail {
		size, err := c.record(h, tail)
		if err != nil {
			return n, false, err
		}
		c.next += uint64(size)
		c.head.Store(c.next)
		n++
	}
	if n > 0 && c.wait.Load() != 0 && c.wait.CompareAndSwap(1, 0) {
		wake = true
	}
	return n, wake, nil
}

// record handles the record at next and returns its length.
func (c *consumer) record(h comm.Handler, tail uint64) (int, error) {
	pos := int(c.next & c.mask)
	avail := min(len(c.data)-pos, int(tail-c.next))
	if avail < prefixLen {
		return 0, fmt.Errorf("%w: a %d-byte fragment of a record from rank %d", errProtocol, avail, c.src)
	}
	rec := c.data[pos:]
	chunk := int(binary.LittleEndian.Uint32(rec))
	kind, dt := rec[4], comm.Datatype(rec[5])
	if kind == kindPad {
		if pos+prefixLen+chunk != len(c.data) || avail != len(c.data)-pos {
			return 0, fmt.Errorf("%w: a pad record from rank %d that does not end the ring", errProtocol, c.src)
		}
		return len(c.data) - pos, nil
	}
	if kind != kindFirst && kind != kindMore {
		return 0, fmt.Errorf("%w: record of kind %d from rank %d", errProtocol, kind, c.src)
	}
	size := recordLen(chunk, kind == kindFirst)
	if chunk < 0 || size > avail {
		return 0, fmt.Errorf("%w: a %d-byte record from rank %d in %d published bytes", errProtocol, size, c.src, avail)
	}
	body := rec[prefixLen:size]
	if kind == kindFirst {
		if c.open {
			return 0, fmt.Errorf("%w: rank %d began a message before finishing one", errProtocol, c.src)
		}
		hd := comm.Header{Context: binary.LittleEndian.Uint32(body), Source: c.src, Tag: int32(binary.LittleEndian.Uint32(body[4:])), Type: dt, Length: binary.LittleEndian.Uint64(body[8:])}
		if !dt.Valid() || hd.Length%uint64(dt.Size()) != 0 || hd.Length > c.max {
			return 0, fmt.Errorf("%w: rank %d sent a message of %d bytes of datatype %v", errProtocol, c.src, hd.Length, dt)
		}
		body = body[firstLen:]
		c.open, c.cur, c.off = true, hd, 0
		c.buf = h.Claim(hd)
		if uint64(len(c.buf)) != hd.Length {
			panic(fmt.Sprintf("shm: Handler.Claim returned %d bytes for a %d-byte message", len(c.buf), hd.Length))
		}
	} else if !c.open {
		return 0, fmt.Errorf("%w: rank %d continued a message it never began", errProtocol, c.src)
	}
	body = body[:chunk]
	if uint64(chunk) > c.cur.Length-c.off {
		return 0, fmt.Errorf("%w: rank %d sent more payload than its message's %d bytes", errProtocol, c.src, c.cur.Length)
	}
	copy(c.buf[c.off:], body)
	c.off += uint64(chunk)
	if c.off == c.cur.Length {
		c.open = false
		buf := c.buf
		c.buf = nil
		h.Deliver(c.cur, buf, nil)
	}
	return size, nil
}

// abandon ends the message in progress, if any, with err: its sender is
// gone and the rest will never come.
func (c *consumer) abandon(h comm.Handler, err error) {
	if c.open {
		c.open = false
		buf := c.buf
		c.buf = nil
		h.Deliver(c.cur, buf, err)
	}
}
