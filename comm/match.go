package comm

import "fmt"

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

	done chan struct{}
	hdr  Header // of the matched message
	data []byte // the payload's bytes (a prefix of buf, or allocated)
	err  error
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
