package comm

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// A recvReq is a posted receive: what it accepts (context, source, tag,
// datatype) and where the payload goes. Matching follows MPI: a message is
// matched by the first posted receive that accepts it, and a receive by
// the first unexpected message it accepts, so messages from one sender
// with one tag are received in the order they were sent.
type recvReq struct {
	ctx    uint32
	src    int // world rank, or AnySource
	tag    int32
	anyTag bool
	dtype  Datatype
	buf    []byte // destination; nil with alloc to have one allocated
	alloc  bool
	op     string // the calling operation, for errors

	// fin is set once the receive is complete, as the completer's last
	// touch of the request: a waiter that sees it may read hdr, data and
	// err, and (for a request nobody else holds) reuse it. wake is made by
	// a waiter that must block, under the engine's mutex, and closed on
	// completion; a request nobody blocks on never makes a channel.
	fin  atomic.Bool
	wake chan struct{}
	hdr  Header // of the matched message
	data []byte // the payload's bytes (a prefix of buf, or allocated)
	err  error
}

// finish completes r. It runs under the engine's mutex, or before any
// other goroutine can see r.
func (r *recvReq) finish() {
	w := r.wake
	r.fin.Store(true)
	if w != nil {
		close(w)
	}
}

// recvPool keeps the requests of blocking receives (Recv and the
// collectives' steps), which are done with them when they return: a
// message then costs no allocation on its way in.
var recvPool = sync.Pool{New: func() any { return new(recvReq) }}

// getRecv returns a cleared request from the pool.
func getRecv() *recvReq {
	r := recvPool.Get().(*recvReq)
	*r = recvReq{}
	return r
}

// putRecv returns r to the pool, if it is complete (a request withdrawn
// after a timeout is left to the collector).
func putRecv(r *recvReq) {
	if r.fin.Load() {
		r.buf, r.data, r.err, r.wake = nil, nil, nil, nil
		recvPool.Put(r)
	}
}

func (r *recvReq) accepts(h Header) bool {
	if h.Context != r.ctx {
		return false
	}
	if r.src != AnySource && uint32(r.src) != h.Source {
		return false
	}
	if r.anyTag {
		return h.Tag >= 0
	}
	return h.Tag == r.tag
}

// target returns the buffer the payload of h must be read into for this
// request, recording a type or length mismatch as the request's error
// (the payload is then read into a scratch buffer and dropped, which keeps
// the byte stream in step).
func (r *recvReq) target(h Header) []byte {
	if r.alloc {
		r.data = make([]byte, h.Length)
		return r.data
	}
	if h.Type != r.dtype {
		r.err = fmt.Errorf("%w: message %v, receive buffer %v", ErrType, h.Type, r.dtype)
		return make([]byte, h.Length)
	}
	if h.Length > uint64(len(r.buf)) {
		r.err = fmt.Errorf("%w: message of %d elements, buffer of %d", ErrTruncate, h.Length/uint64(r.dtype.Size()), len(r.buf)/r.dtype.Size())
		return make([]byte, h.Length)
	}
	r.data = r.buf[:h.Length]
	return r.data
}

// An inbound is an unexpected message: one that arrived before a matching
// receive was posted. ready is closed once its payload is complete.
type inbound struct {
	hdr   Header
	buf   []byte
	ready chan struct{}
	err   error
}

// claim is what a transport's reader is filling for one source right now.
type claim struct {
	req *recvReq // a posted receive being filled in place, or
	in  *inbound // an unexpected message being buffered
}
