package par

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/kernels"
)

// A call is one collective Map, MapRange, MapReduce or ForEach on one rank:
// n units (items, or blocks of items for MapReduce) whose results of type R
// the root collects in unit order.
//
// The messages of a call travel on a communicator of its own (a Dup), so
// they never meet the program's. Under every schedule the root runs a
// dispatcher goroutine that hears from the other ranks: requests for
// Dynamic chunks, a rank's first failure (so the root can stop everyone),
// and a rank's end of work. Each other rank posts one receive for the
// root's single control message to it, stop or end, so a failure anywhere
// stops the work everywhere within an item.
type call[R any] struct {
	c     *comm.Comm // the call's own communicator (nil for a lone rank)
	cfg   config
	n     int
	unit  func(i int) (R, error)
	span  func(lo, hi int) error // instead of unit: a whole range at once (ForRange)
	label func(i int) string     // describes unit i for errors; nil for none
	keep  bool                   // whether results are kept (false: ForEach)
	codec codec[R]
	rank  int
	size  int
	root  int

	stop atomic.Bool

	mu     sync.Mutex
	errs   []*ItemError
	pieces []piece[R] // Dynamic, off the root: the chunks this rank computed
	commEr error      // the first communication failure

	// At the root: the results, by unit. Elsewhere: this rank's results
	// under Static and Cyclic, in the order of its units.
	out []R

	disp     *dispenser // root, Dynamic: hands out the chunks
	incoming []incoming // root, Dynamic with plain results: what comes, from whom, in order
	ctlMu    sync.Mutex
	ctlSent  []bool // root: which ranks got their control message
}

// incoming is a chunk of results the root receives from a rank.
type incoming struct{ rank, lo, hi int }

type piece[R any] struct {
	lo, hi int
	vals   []R
}

// Message tags on the call's communicator.
const (
	tagToRoot = 1  // []int64{kind, worker, items, nanos}: to the root
	tagCtl    = 2  // []int64{ctlStop or ctlEnd}: the root's one message to a rank
	tagPiece  = 3  // a Dynamic chunk's plain results, to the root
	tagChunk  = 16 // + worker: []int64{lo, hi}, the root's answer to a take
)

const (
	kindTake   = 1 // a worker asks for its next Dynamic chunk
	kindFailed = 2 // a unit failed on the sender: stop everyone
	kindDone   = 3 // the sender's workers have all finished

	ctlStop = 1
	ctlEnd  = 2
)

// run executes the call on this rank and returns the results at the root
// (and everywhere with ToAll) and the outcome, the same on every rank.
func (k *call[R]) run(parent *comm.Comm) ([]R, error) {
	k.codec = newCodec[R]()
	k.root = k.cfg.root
	k.size = parent.Size()
	if k.root < 0 || k.root >= k.size {
		panic(fmt.Sprintf("par: root %d outside [0,%d)", k.root, k.size))
	}
	if k.size == 1 {
		k.rank = 0
		k.out = make([]R, k.n)
		k.meterWork(int64(k.n))
		k.computeLocal(0, k.n, func(p int) int { return p })
		return k.out, k.outcome()
	}
	workers := k.size * k.cfg.threads
	err := k.communicate(func() error {
		c, err := parent.Dup()
		if err != nil {
			return err
		}
		k.c, k.rank = c, c.Rank()
		if k.cfg.schedule != Dynamic {
			return nil
		}
		all := make([]int64, k.size)
		if err := c.Allgather([]int64{int64(k.cfg.threads)}, all); err != nil {
			return err
		}
		workers = 0
		for _, t := range all {
			workers += int(t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if k.rank == k.root {
		k.ctlSent = make([]bool, k.size)
		k.out = make([]R, k.n)
	}
	if err := k.work(workers); err != nil {
		return nil, err
	}
	var out []R
	err = k.communicate(func() (err error) {
		out, err = k.finish()
		return err
	})
	if err != nil {
		var ie *ItemError
		var es Errors
		if !errors.As(err, &ie) && !errors.As(err, &es) {
			return nil, err
		}
	}
	return out, err
}

// communicate runs fn, through the Progress meter's Communicate if it has
// one.
func (k *call[R]) communicate(fn func() error) error {
	if t, ok := k.cfg.meter.(timer); ok {
		return t.Communicate(fn)
	}
	return fn()
}

// work runs this rank's part: its goroutines, and the root's dispatcher
// or another rank's control receive. It returns once all are done.
func (k *call[R]) work(workers int) error {
	if k.cfg.schedule == Dynamic && k.rank == k.root {
		k.disp = newDispenser(k.n, workers, k.cfg.chunk)
		// The dispatcher must answer a request while the root's own
		// goroutines compute. With GOMAXPROCS at the root's threads (the
		// job runtime sets it so), a message's reader and the dispatcher
		// would wait for the Go scheduler to preempt a computing goroutine,
		// up to 10 ms per request: the other ranks starved. One more P
		// lets them run at once; it is idle but for those moments.
		if prev := runtime.GOMAXPROCS(0); prev <= k.cfg.threads {
			runtime.GOMAXPROCS(k.cfg.threads + 1)
			defer runtime.GOMAXPROCS(prev)
		}
	}
	disp := k.disp
	var side sync.WaitGroup
	side.Add(1)
	if k.rank == k.root {
		go func() { defer side.Done(); k.dispatch() }()
	} else {
		ctl := []int64{0}
		req := k.c.Irecv(ctl, k.root, tagCtl)
		go func() {
			defer side.Done()
			if _, err := req.Wait(); err != nil {
				k.commFailed(err)
				return
			}
			if ctl[0] == ctlStop {
				k.stop.Store(true)
			}
		}()
	}

	switch {
	case k.cfg.schedule == Dynamic && k.rank == k.root:
		k.meterWork(int64(k.n))
		k.parallel(func(int) {
			var items, nanos int64
			for {
				lo, hi := disp.take(items, nanos)
				if lo == hi {
					return
				}
				t0 := time.Now()
				k.compute(lo, hi, k.out[lo:hi])
				items, nanos = int64(hi-lo), int64(time.Since(t0))
			}
		})
	case k.cfg.schedule == Dynamic:
		k.meterWork(0)
		k.parallel(k.fetchAndCompute)
	default:
		m, global := k.layout(k.rank)
		if k.rank != k.root {
			k.out = make([]R, m)
		}
		k.meterWork(int64(m))
		k.computeLocal(k.rank, m, global)
	}

	if k.rank != k.root {
		// The end of this rank's work; then the root's control message.
		if err := k.c.Send([]int64{kindDone, 0, 0, 0}, k.root, tagToRoot); err != nil {
			k.commFailed(err)
		}
	}
	side.Wait()
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.commEr
}

// layout returns the number of units a rank owns under Static or Cyclic
// and the map from its p-th unit to the unit's index.
func (k *call[R]) layout(rank int) (int, func(p int) int) {
	if k.cfg.schedule == Static {
		s := kernels.Share(k.n, rank, k.size)
		return s.Len(), func(p int) int { return s.Lo + p }
	}
	b := max(k.cfg.chunk, 1)
	blocks := ceilDiv(k.n, b)
	mine := 0 // blocks rank, rank+size, ...
	if rank < blocks {
		mine = ceilDiv(blocks-rank, k.size)
	}
	m := mine * b
	if mine > 0 && (rank+(mine-1)*k.size+1)*b > k.n { // the last block is short
		m -= (rank+(mine-1)*k.size+1)*b - k.n
	}
	return m, func(p int) int { return (rank+(p/b)*k.size)*b + p%b }
}

// computeLocal runs this rank's m units of a Static or Cyclic call (or a
// lone rank's), its goroutines taking chunks of them as they go. The
// results go to k.out: at the root, at each unit's index.
func (k *call[R]) computeLocal(rank, m int, global func(p int) int) {
	local := newDispenser(m, k.cfg.threads, 0)
	contiguous := k.size == 1 || k.cfg.schedule == Static
	k.parallel(func(int) {
		var items, nanos int64
		for {
			lo, hi := local.take(items, nanos)
			if lo == hi {
				return
			}
			t0 := time.Now()
			switch {
			case contiguous && k.rank == k.root:
				g := global(lo)
				k.compute(g, g+hi-lo, k.out[g:g+hi-lo])
			case contiguous:
				k.compute(global(lo), global(lo)+hi-lo, k.out[lo:hi])
			default: // Cyclic: the runs of consecutive units, block by block
				b := max(k.cfg.chunk, 1)
				for p := lo; p < hi; {
					q := min(hi, (p/b+1)*b) // the end of p's block, or of the chunk
					g := global(p)
					dst := k.out[p:q]
					if k.rank == k.root {
						dst = k.out[g : g+q-p]
					}
					k.compute(g, g+q-p, dst)
					p = q
				}
			}
			items, nanos = int64(hi-lo), int64(time.Since(t0))
		}
	})
}

// fetchAndCompute is one goroutine of a rank other than the root under
// Dynamic: it asks for its next chunk before computing the current one, so
// the round trip to the root overlaps the work.
func (k *call[R]) fetchAndCompute(worker int) {
	chunk := []int64{0, 0}
	var items, nanos int64
	ask := func() bool {
		err := k.c.Send([]int64{kindTake, int64(worker), items, nanos}, k.root, tagToRoot)
		if err != nil {
			k.commFailed(err)
		}
		return err == nil
	}
	if !ask() {
		return
	}
	for {
		if _, err := k.c.Recv(chunk, k.root, tagChunk+worker); err != nil {
			k.commFailed(err)
			return
		}
		lo, hi := int(chunk[0]), int(chunk[1])
		if lo == hi || k.stop.Load() {
			return // nothing asked is left unanswered
		}
		if !ask() {
			return
		}
		vals := make([]R, hi-lo)
		t0 := time.Now()
		k.compute(lo, hi, vals)
		items, nanos = int64(hi-lo), int64(time.Since(t0))
		if k.keep {
			k.mu.Lock()
			k.pieces = append(k.pieces, piece[R]{lo, hi, vals})
			k.mu.Unlock()
		}
	}
}

// dispatch is the root's listener: it answers Dynamic requests, stops
// everyone at a failure, and when every other rank has finished sends the
// control messages not yet sent.
func (k *call[R]) dispatch() {
	msg := make([]int64, 4)
	for finished := 0; finished < k.size-1; {
		st, err := k.c.Recv(msg, comm.AnySource, tagToRoot)
		if err != nil {
			k.commFailed(err)
			return
		}
		switch msg[0] {
		case kindTake:
			lo, hi := k.disp.take(msg[2], msg[3])
			if err := k.c.Send([]int64{int64(lo), int64(hi)}, st.Source, tagChunk+int(msg[1])); err != nil {
				k.commFailed(err)
				return
			}
		case kindFailed:
			k.stopAll()
		case kindDone:
			finished++
		}
	}
	k.sendCtl(ctlEnd)
}

// stopAll stops the work on every rank: this one, the dispenser, and the
// others by their control message.
func (k *call[R]) stopAll() {
	k.stop.Store(true)
	if k.disp != nil {
		k.disp.stop()
	}
	k.sendCtl(ctlStop)
}

// sendCtl sends code to every rank that has not had its control message.
func (k *call[R]) sendCtl(code int64) {
	k.ctlMu.Lock()
	defer k.ctlMu.Unlock()
	for r := range k.ctlSent {
		if r == k.root || k.ctlSent[r] {
			continue
		}
		k.ctlSent[r] = true
		if err := k.c.Send([]int64{code}, r, tagCtl); err != nil {
			k.commFailed(err)
			return
		}
	}
}

// parallel runs fn(worker) on this rank's goroutines and waits.
func (k *call[R]) parallel(fn func(worker int)) {
	t := k.cfg.threads
	if t <= 1 {
		fn(0)
		return
	}
	var wg sync.WaitGroup
	for w := 1; w < t; w++ {
		wg.Add(1)
		go func() { defer wg.Done(); fn(w) }()
	}
	fn(0)
	wg.Wait()
}

// compute runs units [lo, hi) into dst (len hi-lo), going on after a
// failing unit only with KeepGoing, and stopping early when the call is
// stopped. A panicking unit is recorded like a returned error.
func (k *call[R]) compute(lo, hi int, dst []R) {
	if k.span != nil {
		k.computeSpan(lo, hi)
	} else {
		for i := lo; i < hi; {
			i = k.computeFrom(i, hi, lo, dst)
		}
	}
	if m := k.cfg.meter; m != nil {
		m.Advance(int64(hi - lo))
	}
}

func (k *call[R]) computeFrom(i, hi, lo int, dst []R) (next int) {
	defer func() {
		if p := recover(); p != nil {
			k.failed(i, panicError(p), string(debug.Stack()))
			next = i + 1
			if !k.cfg.keepGoing {
				next = hi
			}
		}
	}()
	for ; i < hi; i++ {
		if k.stop.Load() {
			return hi
		}
		v, err := k.unit(i)
		if err != nil {
			if err != errRecorded {
				k.failed(i, err, "")
			}
			if !k.cfg.keepGoing {
				return hi
			}
			continue
		}
		dst[i-lo] = v
	}
	return hi
}

// computeSpan runs a range at once, a failure naming the range.
func (k *call[R]) computeSpan(lo, hi int) {
	if k.stop.Load() || lo == hi {
		return
	}
	what := fmt.Sprintf("items [%d,%d)", lo, hi)
	defer func() {
		if p := recover(); p != nil {
			k.record(&ItemError{Index: lo, Item: what, Err: panicError(p), Stack: string(debug.Stack())})
		}
	}()
	if err := k.span(lo, hi); err != nil {
		k.record(&ItemError{Index: lo, Item: what, Err: err})
	}
}

// failed records unit i's failure and, unless KeepGoing, stops the call:
// at once on this rank, and on the others through the root.
func (k *call[R]) failed(i int, err error, stack string) {
	e := &ItemError{Index: i, Err: err, Stack: stack}
	if k.label != nil {
		e.Item = k.label(i)
	}
	k.record(e)
}

// record keeps a failure and, unless KeepGoing, stops the call.
func (k *call[R]) record(e *ItemError) {
	e.Rank = k.rank
	k.mu.Lock()
	k.errs = append(k.errs, e)
	k.mu.Unlock()
	if k.cfg.keepGoing || k.stop.Swap(true) {
		return // going on, or already stopping (the root knows, or told us)
	}
	switch {
	case k.c == nil: // a lone rank
	case k.rank == k.root:
		k.stopAll()
	default:
		if serr := k.c.Send([]int64{kindFailed, 0, 0, 0}, k.root, tagToRoot); serr != nil {
			k.commFailed(serr)
		}
	}
}

func (k *call[R]) commFailed(err error) {
	k.stop.Store(true)
	k.mu.Lock()
	if k.commEr == nil {
		k.commEr = err
	}
	k.mu.Unlock()
}

func (k *call[R]) meterWork(total int64) {
	if m := k.cfg.meter; m != nil {
		m.Work(total)
	}
}

// report is what a rank sends the root at the end besides its results.
type report struct {
	Pieces [][2]int // Dynamic: the chunks, in the order of the values
	Errs   []wireError
}

type wireError struct {
	Index int
	Rank  int
	Item  string
	Msg   string
	Stack string
}

// finish gathers every rank's results and failures at the root, which
// decides the outcome and tells everyone (with the results, for ToAll).
func (k *call[R]) finish() ([]R, error) {
	if k.direct() && k.cfg.schedule == Static {
		// Plain results of a Static call go straight from each rank's
		// block into the root's results, where the block belongs: no
		// encoding, no copy (fresh memory for copies costs more here than
		// the messages: a page fault per 4 KiB).
		counts, displs := make([]int, k.size), make([]int, k.size)
		for r := range counts {
			m, global := k.layout(r)
			counts[r], displs[r] = m*k.codec.size, global(0)*k.codec.size
		}
		var recv []byte
		send := k.codec.bytesOf(k.out)
		if k.rank == k.root {
			recv = send
			lo := displs[k.rank] / max(k.codec.size, 1)
			send = k.codec.bytesOf(k.out[lo : lo+counts[k.rank]/max(k.codec.size, 1)])
		}
		if err := k.c.Gatherv(send, recv, counts, displs, k.root); err != nil {
			return nil, err
		}
	}
	var payload []byte
	if k.rank != k.root {
		var err error
		if payload, err = k.payload(); err != nil {
			return nil, err
		}
	}
	sizes := make([]int64, k.size)
	if err := k.c.Gather([]int64{int64(len(payload))}, sizes, k.root); err != nil {
		return nil, err
	}
	counts := make([]int, k.size)
	total := 0
	for r, s := range sizes {
		counts[r] = int(s)
		total += int(s)
	}
	var all []byte
	if k.rank == k.root {
		all = make([]byte, total)
	}
	if err := k.c.Gatherv(payload, all, counts, nil, k.root); err != nil {
		return nil, err
	}
	var verdict []byte
	var pieces []*comm.Request
	if k.rank == k.root {
		if err := k.absorb(all, counts); err != nil {
			return nil, err
		}
		// Dynamic direct: each chunk's receive is posted where it belongs
		// before the verdict tells the ranks to send them.
		for _, in := range k.incoming {
			pieces = append(pieces, k.c.Irecv(k.codec.bytesOf(k.out[in.lo:in.hi]), in.rank, tagPiece))
		}
		verdict = k.encodeVerdict()
	}
	verdict, err := bcastBytes(k.c, verdict, k.root)
	if err != nil {
		return nil, err
	}
	if k.direct() && k.cfg.schedule == Dynamic {
		if k.rank != k.root {
			for _, p := range k.pieces { // in the order of the report
				if err := k.c.Send(k.codec.bytesOf(p.vals), k.root, tagPiece); err != nil {
					return nil, err
				}
			}
		} else if err := comm.WaitAll(pieces...); err != nil {
			return nil, err
		}
	}
	if k.rank != k.root {
		if err := k.decodeVerdict(verdict); err != nil {
			return nil, err
		}
		k.out = nil
	}
	outcome := k.outcome()
	if !k.cfg.toAll || !k.keep {
		return k.out, outcome
	}
	if k.codec.plain {
		if k.rank != k.root {
			k.out = make([]R, k.n)
		}
		if b := k.codec.bytesOf(k.out); len(b) > 0 {
			if err := k.c.Bcast(b, k.root); err != nil {
				return nil, err
			}
		}
		return k.out, outcome
	}
	var enc []byte
	if k.rank == k.root {
		if enc, err = k.codec.encode(nil, k.out); err != nil {
			return nil, err
		}
	}
	if enc, err = bcastBytes(k.c, enc, k.root); err != nil {
		return nil, err
	}
	if k.rank != k.root {
		k.out = make([]R, k.n)
		if err := k.codec.decode(k.out, enc); err != nil {
			return nil, err
		}
	}
	return k.out, outcome
}

// direct says whether plain results travel straight into the root's
// results, in place, instead of inside the reports: a Static call's blocks
// in one Gatherv, a Dynamic call's chunks one message each (finish).
func (k *call[R]) direct() bool {
	return k.keep && k.codec.plain && k.codec.size > 0 && k.cfg.schedule != Cyclic
}

// payload is a rank's report and results: an 8-byte length, the report
// in gob, then the values.
func (k *call[R]) payload() ([]byte, error) {
	var rep report
	var vals []R
	switch {
	case k.cfg.schedule == Dynamic:
		for _, p := range k.pieces {
			rep.Pieces = append(rep.Pieces, [2]int{p.lo, p.hi})
			if !k.direct() {
				vals = append(vals, p.vals...)
			}
		}
	case k.keep && !k.direct():
		vals = k.out
	}
	for _, e := range k.errs {
		rep.Errs = append(rep.Errs, wireError{e.Index, e.Rank, e.Item, e.Err.Error(), e.Stack})
	}
	var b bytes.Buffer
	b.Write(make([]byte, 8))
	if err := gob.NewEncoder(&b).Encode(rep); err != nil {
		return nil, fmt.Errorf("par: %w", err)
	}
	out := b.Bytes()
	binary.LittleEndian.PutUint64(out, uint64(len(out)-8))
	if !k.keep || k.direct() {
		return out, nil
	}
	return k.codec.encode(out, vals)
}

// absorb places every other rank's results and failures at the root.
func (k *call[R]) absorb(all []byte, counts []int) error {
	off := 0
	for r, n := range counts {
		b := all[off : off+n]
		off += n
		if r == k.root {
			continue
		}
		if len(b) < 8 {
			return fmt.Errorf("par: rank %d sent a report of %d bytes", r, len(b))
		}
		m := int(binary.LittleEndian.Uint64(b))
		if m > len(b)-8 {
			return fmt.Errorf("par: rank %d sent a truncated report", r)
		}
		var rep report
		if err := gob.NewDecoder(bytes.NewReader(b[8 : 8+m])).Decode(&rep); err != nil {
			return fmt.Errorf("par: report of rank %d: %w", r, err)
		}
		for _, e := range rep.Errs {
			k.errs = append(k.errs, &ItemError{Index: e.Index, Rank: e.Rank, Item: e.Item, Err: remoteError{e.Msg}, Stack: e.Stack})
		}
		if k.direct() {
			for _, p := range rep.Pieces {
				k.incoming = append(k.incoming, incoming{r, p[0], p[1]})
			}
			continue
		}
		if !k.keep {
			continue
		}
		vals := b[8+m:]
		if k.cfg.schedule == Dynamic {
			units := 0
			for _, p := range rep.Pieces {
				units += p[1] - p[0]
			}
			tmp := make([]R, units)
			if err := k.codec.decode(tmp, vals); err != nil {
				return fmt.Errorf("rank %d: %w", r, err)
			}
			for _, p := range rep.Pieces {
				n := copy(k.out[p[0]:p[1]], tmp)
				tmp = tmp[n:]
			}
			continue
		}
		m2, global := k.layout(r)
		tmp := make([]R, m2)
		if err := k.codec.decode(tmp, vals); err != nil {
			return fmt.Errorf("rank %d: %w", r, err)
		}
		if k.cfg.schedule == Static {
			copy(k.out[global(0):], tmp)
			continue
		}
		for p, v := range tmp {
			k.out[global(p)] = v
		}
	}
	return nil
}

// The verdict is the list of failures, decided at the root: all of them
// with KeepGoing, else the one of lowest index.
func (k *call[R]) encodeVerdict() []byte {
	sortErrors(k.errs)
	if !k.cfg.keepGoing && len(k.errs) > 1 {
		k.errs = k.errs[:1]
	}
	var ws []wireError
	for _, e := range k.errs {
		ws = append(ws, wireError{e.Index, e.Rank, e.Item, e.Err.Error(), e.Stack})
	}
	var b bytes.Buffer
	gob.NewEncoder(&b).Encode(ws) // a slice of plain structs always encodes
	return b.Bytes()
}

func (k *call[R]) decodeVerdict(b []byte) error {
	var ws []wireError
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&ws); err != nil {
		return fmt.Errorf("par: verdict: %w", err)
	}
	mine := map[int]*ItemError{}
	for _, e := range k.errs {
		mine[e.Index] = e
	}
	k.errs = k.errs[:0]
	for _, w := range ws {
		if e, ok := mine[w.Index]; ok && e.Rank == w.Rank {
			k.errs = append(k.errs, e) // this rank's own, with its error's type
			continue
		}
		k.errs = append(k.errs, &ItemError{Index: w.Index, Rank: w.Rank, Item: w.Item, Err: remoteError{w.Msg}, Stack: w.Stack})
	}
	return nil
}

// outcome is the call's error from the failures this rank knows of (at a
// lone rank or the root, all of them; elsewhere the verdict).
func (k *call[R]) outcome() error {
	if len(k.errs) == 0 {
		return nil
	}
	sortErrors(k.errs)
	if k.cfg.keepGoing {
		return Errors(k.errs)
	}
	return k.errs[0]
}

// bcastBytes broadcasts a byte string of any length from root.
func bcastBytes(c *comm.Comm, b []byte, root int) ([]byte, error) {
	n := []int64{int64(len(b))}
	if err := c.Bcast(n, root); err != nil {
		return nil, err
	}
	if c.Rank() != root {
		b = make([]byte, n[0])
	}
	if n[0] > 0 {
		if err := c.Bcast(b, root); err != nil {
			return nil, err
		}
	}
	return b, nil
}
