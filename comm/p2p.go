package comm

import (
	"errors"
	"fmt"
)

// Send sends buf to rank dest of c with tag (>= 0). buf is a slice of a
// numeric type ([]float64, []int64, []byte, ...: the fast tier): its bytes
// go to the wire as they are, with no encoding. Send returns once buf may
// be reused; it does not wait for the matching receive (a standard-mode
// send with eager delivery: the receiver buffers messages that arrive
// before their receive is posted).
//
// Send panics if dest is out of range or tag is negative: those are
// programming errors. It returns an error if the peer is gone.
func (c *Comm) Send(buf any, dest, tag int) error {
	checkTag(tag, "Send")
	dt, b, _ := view(buf)
	return c.sendRaw(dest, int32(tag), dt, b, "Send")
}

// Recv receives into buf a message from rank source (or AnySource) with
// tag (or AnyTag). The message may be shorter than buf; Status.Count says
// how many elements arrived. A longer message fails with ErrTruncate, one
// of another element type with ErrType.
func (c *Comm) Recv(buf any, source, tag int) (Status, error) {
	dt, b, _ := view(buf)
	if tag != AnyTag {
		checkTag(tag, "Recv")
	}
	r := c.newRecv(source, int32(tag), tag == AnyTag, dt, b, false, "Recv")
	err := c.e.wait(r)
	var st Status
	if err != nil {
		err = renameOp(err, "Recv")
	} else {
		st = c.statusOf(r)
	}
	putRecv(r)
	return st, err
}

// Sendrecv sends sendbuf to dest and receives into recvbuf from source in
// one call, without deadlock whatever the order in which the ranks call it.
func (c *Comm) Sendrecv(sendbuf any, dest, sendtag int, recvbuf any, source, recvtag int) (Status, error) {
	checkTag(sendtag, "Sendrecv")
	rdt, rb, _ := view(recvbuf)
	rr := c.irecvRaw(source, recvtag, rdt, rb, false, "Sendrecv")
	dt, b, _ := view(sendbuf)
	serr := c.sendRaw(dest, int32(sendtag), dt, b, "Sendrecv")
	st, rerr := rr.Wait()
	if serr != nil {
		rr.cancel()
		return st, serr
	}
	return st, rerr
}

// Isend starts sending buf to dest and returns at once. buf must not be
// modified until the request completes. Messages keep their order with
// respect to other sends from this process to dest.
func (c *Comm) Isend(buf any, dest, tag int) *Request {
	checkTag(tag, "Isend")
	dt, b, _ := view(buf)
	if err := c.checkOpen("Isend"); err != nil {
		req := &Request{c: c, done: make(chan struct{}), op: "Isend", err: err}
		close(req.done)
		return req
	}
	return c.isendRaw(dest, int32(tag), dt, b, "Isend")
}

// Irecv posts a receive and returns at once; the message goes into buf,
// which must not be touched until the request completes.
func (c *Comm) Irecv(buf any, source, tag int) *Request {
	dt, b, _ := view(buf)
	return c.irecvRaw(source, tag, dt, b, false, "Irecv")
}

func (c *Comm) irecvRaw(source, tag int, dt Datatype, b []byte, alloc bool, op string) *Request {
	if tag != AnyTag {
		checkTag(tag, op)
	}
	return c.postRecv(source, int32(tag), tag == AnyTag, dt, b, alloc, op)
}

func (c *Comm) postRecv(source int, tag int32, anyTag bool, dt Datatype, b []byte, alloc bool, op string) *Request {
	rr := &recvReq{}
	c.post(rr, source, tag, anyTag, dt, b, alloc, op)
	return &Request{c: c, recv: rr, op: op}
}

// newRecv posts a receive whose request comes from the pool: for callers
// that wait for it before they return, and then give it back (putRecv).
func (c *Comm) newRecv(source int, tag int32, anyTag bool, dt Datatype, b []byte, alloc bool, op string) *recvReq {
	rr := getRecv()
	c.post(rr, source, tag, anyTag, dt, b, alloc, op)
	return rr
}

// post fills in rr and posts it.
func (c *Comm) post(rr *recvReq, source int, tag int32, anyTag bool, dt Datatype, b []byte, alloc bool, op string) {
	src := AnySource
	if source != AnySource {
		src = c.toWorld(source, op)
	}
	rr.ctx, rr.src, rr.tag, rr.anyTag, rr.dtype, rr.buf, rr.alloc, rr.op = c.ctx, src, tag, anyTag, dt, b, alloc, op
	if err := c.checkOpen(op); err != nil {
		rr.err = err
		rr.finish()
		return
	}
	c.e.post(rr)
}

// sendRaw sends bytes of datatype dt to c's rank dest.
func (c *Comm) sendRaw(dest int, tag int32, dt Datatype, b []byte, op string) error {
	w := c.toWorld(dest, op)
	if err := c.checkOpen(op); err != nil {
		return err
	}
	h := Header{Context: c.ctx, Source: uint32(c.e.rank), Tag: tag, Type: dt, Length: uint64(len(b))}
	if err := c.e.send(w, h, b); err != nil {
		return renameOp(err, op)
	}
	return nil
}

// recvRaw receives into b a message of datatype dt from c's rank source on
// an internal tag; it returns the number of bytes received.
func (c *Comm) recvRaw(source int, tag int32, dt Datatype, b []byte, op string) (int, error) {
	r := c.newRecv(source, tag, false, dt, b, false, op)
	defer putRecv(r)
	if err := c.e.wait(r); err != nil {
		return 0, renameOp(err, op)
	}
	return len(r.data), nil
}

// recvAlloc receives a message of any length from source on an internal tag.
func (c *Comm) recvAlloc(source int, tag int32, dt Datatype, op string) ([]byte, error) {
	r := c.newRecv(source, tag, false, dt, nil, true, op)
	defer putRecv(r)
	if err := c.e.wait(r); err != nil {
		return nil, renameOp(err, op)
	}
	if r.hdr.Type != dt {
		return nil, &RankError{Rank: int(r.hdr.Source), Op: op, Err: fmt.Errorf("%w: message %v, expected %v", ErrType, r.hdr.Type, dt)}
	}
	return r.data, nil
}

func checkTag(tag int, op string) {
	if tag < 0 || tag > MaxTag {
		panic(fmt.Sprintf("comm: %s: tag %d out of range [0,%d]", op, tag, MaxTag))
	}
}

// renameOp makes an error from an inner step name the outer operation.
func renameOp(err error, op string) error {
	var re *RankError
	if errors.As(err, &re) && re.Op != op {
		return &RankError{Rank: re.Rank, Op: op, Err: re.Err}
	}
	return err
}

// A Request is a nonblocking operation in progress.
type Request struct {
	c    *Comm
	recv *recvReq      // nil for sends
	done chan struct{} // sends only: closed when the send completes
	op   string
	err  error
}

// Wait blocks until the request completes and returns its status (for a
// receive) and error.
func (r *Request) Wait() (Status, error) {
	err := r.wait()
	return r.status(), err
}

func (r *Request) wait() error {
	if r.recv == nil {
		<-r.done
		return r.err
	}
	if err := r.c.e.wait(r.recv); err != nil {
		return renameOp(err, r.op)
	}
	return nil
}

// Test reports whether the request has completed, without blocking, and
// if so its status and error.
func (r *Request) Test() (bool, Status, error) {
	if r.recv != nil {
		if !r.recv.fin.Load() {
			return false, Status{}, nil
		}
		st, err := r.Wait()
		return true, st, err
	}
	select {
	case <-r.done:
		st, err := r.Wait()
		return true, st, err
	default:
		return false, Status{}, nil
	}
}

func (r *Request) status() Status {
	if r.recv == nil {
		return Status{}
	}
	return r.c.statusOf(r.recv)
}

// statusOf is the Status of a completed receive.
func (c *Comm) statusOf(r *recvReq) Status {
	if r.err != nil {
		return Status{}
	}
	h := r.hdr
	size := r.dtype.Size()
	if r.alloc {
		size = h.Type.Size()
	}
	if size == 0 {
		size = 1
	}
	return Status{Source: c.fromWorld(int(h.Source)), Tag: int(h.Tag), Count: int(h.Length) / size}
}

// cancel withdraws a receive that has not matched yet.
func (r *Request) cancel() {
	if r.recv == nil {
		return
	}
	e := r.c.e
	e.mu.Lock()
	for i, p := range e.posted {
		if p == r.recv {
			e.posted = append(e.posted[:i], e.posted[i+1:]...)
			p.err = fmt.Errorf("comm: %s: request cancelled", r.op)
			p.finish()
			break
		}
	}
	e.mu.Unlock()
}

// WaitAll waits for every request and returns the first error.
func WaitAll(reqs ...*Request) error {
	var first error
	for _, r := range reqs {
		if r == nil {
			continue
		}
		if _, err := r.Wait(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
