package shm

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"github.com/spmd-go/spmd/comm"
)

// A ring carries the frames of one sender to one receiver: a single
// producer, a single consumer, no lock either could die holding. The
// producer writes a record after the last one and publishes it by storing
// its first word, the prefix, last; the consumer polls the prefix at its
// position, which is zero until the record there is published, and frees
// the records it has read by storing head, the count of bytes ever
// consumed. So the receiver learns of a record and reads it in one cache
// line, where a separate tail word would cost a second line (and the
// sender a second store) on every message.
//
// That needs the word after the last published record to be zero: the
// producer zeroes it (in room it owns) before it publishes the record
// before it, so a record is published only with room for the next prefix
// after it. A ring starts zero. Positions are counts of bytes modulo the
// ring's length (a power of two).
//
// Only the atomic store of a prefix and of head order the memory: every
// record byte, and the zeroed word after it, is written before the prefix
// that publishes it is stored, and read only after that prefix is loaded
// (Go's atomics are sequentially consistent).

// maxChunk and minChunk bound the payload of one record: a long message
// goes as many records so the receiver copies one chunk out while the
// sender copies the next one in (64 KiB chunks, several in flight, moved
// 16 MiB fastest in a pipelined copy between two processes here), and no
// record is written so small that its prefix costs more than its bytes.
func maxChunk(ringLen int) int { return min(64<<10, ringLen/4) }

const minChunk = 4 << 10

// producer is the sender's side of a ring, in the sender's process.
type producer struct {
	head  *atomic.Uint64 // in the ring header: read when room runs out
	wait  *atomic.Uint32 // in the ring header: set while waiting for room
	data  []byte
	mask  uint64
	chunk int

	next uint64 // where the next record goes
	seen uint64 // the last head loaded
}

func newProducer(hdr, data []byte) *producer {
	p := &producer{head: u64at(hdr, offHead), wait: u32at(hdr, offWaiting),
		data: data, mask: uint64(len(data) - 1), chunk: maxChunk(len(data))}
	p.seen = p.head.Load()
	p.next = p.seen // a new ring is empty
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
// followed by one) would fit now, with the word after it.
func (p *producer) hasRoom(rest int, first bool) bool {
	rec := recordLen(min(rest, minChunk), first)
	need := rec + prefixLen
	pos := int(p.next & p.mask)
	if contig := len(p.data) - pos; contig < rec {
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

// publish ends the record of size bytes at next, whose body is written:
// it zeroes the word after it, then stores its prefix.
func (p *producer) publish(size int, prefix uint64) {
	pos := int(p.next & p.mask)
	after := int((p.next + uint64(size)) & p.mask)
	binary.LittleEndian.PutUint64(p.data[after:], 0)
	u64at(p.data, pos).Store(prefix)
	p.next += uint64(size)
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
		if p.free(contig+prefixLen) < contig+prefixLen {
			return 0, false
		}
		p.publish(contig, uint64(contig-prefixLen)|kindPad<<32)
		pos, contig = 0, len(p.data)
	}
	room := min(contig, p.free(recordLen(small, first)+prefixLen)-prefixLen)
	over := recordLen(0, first)
	if room < recordLen(small, first) {
		return 0, false
	}
	n = min(len(rest), p.chunk, room-over)
	size := recordLen(n, first)
	rec := p.data[pos : pos+size]
	kind := uint64(kindMore)
	if first {
		kind = kindFirst
		binary.LittleEndian.PutUint32(rec[8:], h.Context)
		binary.LittleEndian.PutUint32(rec[12:], uint32(h.Tag))
		binary.LittleEndian.PutUint64(rec[16:], h.Length)
		copy(rec[prefixLen+firstLen:], rest[:n])
	} else {
		copy(rec[prefixLen:], rest[:n])
	}
	p.publish(size, uint64(n)|kind<<32|uint64(h.Type)<<40)
	return n, true
}

// consumer is the receiver's side of a ring, in the receiver's process,
// with the message whose payload is still arriving.
type consumer struct {
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
	c := &consumer{head: u64at(hdr, offHead), wait: u32at(hdr, offWaiting),
		data: data, mask: uint64(len(data) - 1), max: max, src: uint32(src)}
	c.next = c.head.Load()
	return c
}

// prefix loads the word at next: zero, or the prefix of a published record.
func (c *consumer) prefix() uint64 { return u64at(c.data, int(c.next&c.mask)).Load() }

// pending says whether a record is waiting.
func (c *consumer) pending() bool { return c.prefix() != 0 }

// errProtocol marks a ring that breaks the format: the sender is broken
// (or not a rank of ours), and the peer is lost.
var errProtocol = fmt.Errorf("shm: protocol error")

// drain reads the records published so far (at most a ring's length of
// them, so a sender that keeps publishing cannot keep it here), claiming
// and delivering messages through h, and returns how many it read. wake
// reports that the sender waits for room and must be woken. A malformed
// ring returns an error wrapping errProtocol; nothing in the ring can make
// it panic or read outside it.
func (c *consumer) drain(h comm.Handler) (n int, wake bool, err error) {
	for end := c.next + uint64(len(c.data)); c.next < end; {
		w := c.prefix()
		if w == 0 {
			break
		}
		size, err := c.record(h, w)
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

// record handles the record at next, whose prefix is w, and returns its
// length.
func (c *consumer) record(h comm.Handler, w uint64) (int, error) {
	pos := int(c.next & c.mask)
	avail := len(c.data) - pos
	rec := c.data[pos:]
	chunk := int(uint32(w))
	kind, dt := byte(w>>32), comm.Datatype(w>>40)
	if w>>48 != 0 {
		return 0, fmt.Errorf("%w: record prefix %#x from rank %d", errProtocol, w, c.src)
	}
	if kind == kindPad {
		if pos+prefixLen+chunk != len(c.data) {
			return 0, fmt.Errorf("%w: a pad record from rank %d that does not end the ring", errProtocol, c.src)
		}
		return len(c.data) - pos, nil
	}
	if kind != kindFirst && kind != kindMore {
		return 0, fmt.Errorf("%w: record of kind %d from rank %d", errProtocol, kind, c.src)
	}
	size := recordLen(chunk, kind == kindFirst)
	if size > avail {
		return 0, fmt.Errorf("%w: a %d-byte record from rank %d in the %d bytes left of the ring", errProtocol, size, c.src, avail)
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
		if wr, ok := h.(comm.WholeReceiver); ok && uint64(chunk) == hd.Length {
			wr.Receive(hd, body[:chunk]) // the whole message is in this record
			return size, nil
		}
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
