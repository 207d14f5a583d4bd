package shm

import (
	"sync/atomic"
	"unsafe"
)

// The layout of a segment, as docs/PROTOCOL.md ("Shared memory") gives it.
// Every rank owns one segment, a memory file holding the rings in which the
// other ranks of its machine write to it: a header page, then one ring per
// world rank (indexed by the sender; the owner's own is never used). Each
// ring is a header page and ringLen bytes of records. Everything is
// little-endian, as on every machine comm runs on.
const (
	pageSize = 4096

	segMagic   = "spmd-shm" // the first 8 bytes of a segment
	segVersion = 2          // 2: records are published by their prefix, not by a tail

	// The segment header (page 0).
	offMagic   = 0   // [8]byte segMagic
	offVersion = 8   // uint32
	offSize    = 12  // uint32: the world size
	offRank    = 16  // uint32: the owner's rank
	offRingLen = 24  // uint64: bytes of records per ring
	offNonce   = 32  // [32]byte: random, told to the peers over the base link
	offState   = 64  // uint32 on a cache line of its own: pollers | sleeping
	offCPU     = 128 // uint32 on a cache line of its own: 1 + the CPU the owner last polled on, 0 unknown
	offNews    = 192 // uint64 on a cache line of its own: records ever published to the owner, by any sender

	// The ring header (the first page of each ring), one cache line each;
	// its first line is unused.
	offHead    = 64  // uint64: bytes ever consumed, stored by the owner
	offWaiting = 128 // uint32: 1 while the sender waits for room

	nonceLen = 32
)

// The state word of a segment: the owner's goroutines that are polling its
// rings right now (low bits) and whether its drainer sleeps (the top bit).
// A sender wakes the owner only when it reads exactly stateSleeping: nobody
// polls and the drainer sleeps.
const stateSleeping = 1 << 31

// Ring lengths: a power of two between these bounds.
const (
	minRingLen = 64 << 10
	maxRingLen = 1 << 30
)

// ringOffset is where the ring of sender src starts in a segment.
func ringOffset(src, ringLen int) int64 {
	return pageSize + int64(src)*int64(pageSize+ringLen)
}

// segmentSize is the length of a segment for a world of size ranks.
func segmentSize(size, ringLen int) int64 { return ringOffset(size, ringLen) }

// The records in a ring. A message is one first record (its header and as
// much of the payload as fits) followed by more records carrying the rest
// of the payload in order. A pad record fills the end of the ring when the
// next record does not fit there, so a record never wraps.
const (
	kindFirst = 1
	kindMore  = 2
	kindPad   = 3

	prefixLen = 8  // uint32 chunk length, uint8 kind, uint8 datatype, uint16 zero
	firstLen  = 16 // uint32 context, int32 tag, uint64 message length
	align     = 8  // records start on 8-byte boundaries
)

func alignUp(n int) int { return (n + align - 1) &^ (align - 1) }

// u32at and u64at view an aligned word of mapped memory as an atomic.
func u32at(b []byte, off int) *atomic.Uint32 {
	return (*atomic.Uint32)(unsafe.Pointer(&b[off]))
}

func u64at(b []byte, off int) *atomic.Uint64 {
	return (*atomic.Uint64)(unsafe.Pointer(&b[off]))
}
