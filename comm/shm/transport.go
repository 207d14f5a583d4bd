package shm

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// ErrClosed is the error of a Send after Close or Abort.
var ErrClosed = errors.New("shm: transport closed")

// Transport is one rank's shared-memory layer over a base transport. It
// implements comm.Transport and comm.Progresser. Make one with New.
type Transport struct {
	base       comm.Transport
	rank, size int
	cfg        Config
	machine    string
	h          comm.Handler // the core's, from Start

	// This rank's segment and doorbell; mem is nil when shared memory is
	// off here (Config.Off, another system, or it could not be made).
	memfd  int
	mem    []byte
	nonce  [nonceLen]byte
	state  *atomic.Uint32 // the segment's state word
	cpu    *atomic.Uint32 // the segment's CPU word
	news   *atomic.Uint64 // the segment's news count
	bell   *os.File       // read by the drainer
	bellFd int            // its number, told to the peers
	off    string         // why mem is nil

	in    []*inbound  // by source
	out   []*outbound // by destination
	local atomic.Pointer[[]int]
	lmu   sync.Mutex // serialises additions to local

	spin *spinner // nil when Config.Spin < 0

	closing atomic.Bool
	done    chan struct{} // closed by Close and Abort
	users   atomic.Int64  // goroutines inside Progress or a wait for room
	waits   atomic.Uint64 // polls begun outside the drainer, ever
	hold    atomic.Bool   // this rank counts as polling in its state word (see enter)
	gaveUp  atomic.Int64  // when the last spin that gave up began (Unix ns), until the drainer judges it
	drainer sync.WaitGroup

	neg negotiation
}

var (
	_ comm.Transport    = (*Transport)(nil)
	_ comm.Progresser   = (*Transport)(nil)
	_ comm.Router       = (*Transport)(nil)
	_ comm.MemorySharer = (*Transport)(nil)
)

// inbound is the receiving side of the ring from one source.
type inbound struct {
	mu   sync.Mutex // the consumer's: held while reading the ring
	on   atomic.Bool
	dead bool // under mu: the ring must not be touched again
	c    *consumer
}

// outbound is the sending side towards one destination.
type outbound struct {
	mu   sync.Mutex // held by Send; Close takes it before unmapping
	mode atomic.Int32
	dead bool // under mu

	p        *producer
	hdr      []byte         // the peer's segment header, mapped
	ring     []byte         // our ring in the peer's segment, mapped
	pstate   *atomic.Uint32 // the peer's state word
	pcpu     *atomic.Uint32 // the peer's CPU word
	pnews    *atomic.Uint64 // the peer's news count
	bell     int            // the peer's doorbell, ours to ring; -1 until attached
	lost     atomic.Pointer[error]
	reported atomic.Bool   // Lost was passed on to the core
	blocked  atomic.Bool   // a Send waits for room (see waitRoom)
	wake     chan struct{} // cap 1: room may have come
}

// Modes of an outbound pair.
const (
	modeBase   = iota // frames go through the base transport
	modeReady         // both sides agreed; the next Send switches
	modeShared        // frames go through the ring
)

// New makes the shared-memory layer of one rank over base, which must be
// connected to every rank of the world and not yet started. Frames to
// ranks of other machines keep going through base; with those of this
// machine the rank negotiates shared memory once Start is called (see the
// package documentation). If this rank cannot share memory at all (not
// Linux, Config.Off, or its segment cannot be made), every frame goes
// through base and Route says why. New fails only for an invalid Config.
func New(base comm.Transport, cfg Config) (*Transport, error) {
	rank, size := base.Rank(), base.Size()
	cfg = cfg.withDefaults(size)
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	t := &Transport{base: base, rank: rank, size: size, cfg: cfg, machine: cfg.Machine, memfd: -1, bellFd: -1,
		in: make([]*inbound, size), out: make([]*outbound, size), done: make(chan struct{})}
	if t.machine == "" {
		t.machine = machineID()
	}
	t.local.Store(new([]int))
	for r := range size {
		t.in[r] = &inbound{}
		t.out[r] = &outbound{bell: -1, wake: make(chan struct{}, 1)}
	}
	t.neg.init(size, rank)
	switch {
	case cfg.Spin == 0:
		t.spin = newSpinner(calibratedSpin(), true)
	case cfg.Spin > 0:
		t.spin = newSpinner(cfg.Spin, false)
	}
	switch {
	case cfg.Off:
		t.off = "shared memory is off at this rank (SPMD_SHM=off)"
	case !supported:
		t.off = errUnsupported.Error()
	case size > 1:
		if err := t.makeSegment(); err != nil {
			t.off = err.Error()
		}
	}
	return t, nil
}

// makeSegment creates this rank's segment, its header and its doorbell.
func (t *Transport) makeSegment() error {
	fd, mem, err := createSegment(segmentSize(t.size, t.cfg.RingLen))
	if err != nil {
		return err
	}
	if _, err := rand.Read(t.nonce[:]); err != nil {
		unmap(mem)
		closeFd(fd)
		return err
	}
	bell, bellFd, err := newBell()
	if err != nil {
		unmap(mem)
		closeFd(fd)
		return err
	}
	copy(mem[offMagic:], segMagic)
	binary.LittleEndian.PutUint32(mem[offVersion:], segVersion)
	binary.LittleEndian.PutUint32(mem[offSize:], uint32(t.size))
	binary.LittleEndian.PutUint32(mem[offRank:], uint32(t.rank))
	binary.LittleEndian.PutUint64(mem[offRingLen:], uint64(t.cfg.RingLen))
	copy(mem[offNonce:], t.nonce[:])
	t.memfd, t.mem, t.bell, t.bellFd = fd, mem, bell, bellFd
	t.state = u32at(mem, offState)
	t.cpu = u32at(mem, offCPU)
	t.news = u64at(mem, offNews)
	for src := range t.size {
		if src == t.rank {
			continue
		}
		off := int(ringOffset(src, t.cfg.RingLen))
		t.in[src].c = newConsumer(mem[off:off+pageSize], mem[off+pageSize:off+pageSize+t.cfg.RingLen], src, t.cfg.MaxMessage)
	}
	return nil
}

// Rank returns this process's rank.
func (t *Transport) Rank() int { return t.rank }

// Size returns the number of ranks in the world.
func (t *Transport) Size() int { return t.size }

// Start starts the base transport with this layer in between, starts the
// drainer goroutine, and offers shared memory to every peer.
func (t *Transport) Start(h comm.Handler) {
	if h == nil {
		panic("shm: Start with nil Handler")
	}
	t.h = h
	if t.mem != nil {
		t.drainer.Add(1)
		go t.drain()
	}
	t.base.Start(relay{t})
	t.offerAll()
}

// Send sends one frame to dst: through its ring when the pair shares
// memory, else through the base transport. It returns once the payload is
// in the ring (or handed to the base): a message longer than the ring
// returns once its last part is in, which needs the receiver to take the
// first parts out. Send panics on the misuse comm/tcp's Send panics on.
func (t *Transport) Send(dst int, h comm.Header, payload []byte) error {
	if dst < 0 || dst >= t.size || dst == t.rank {
		panic(fmt.Sprintf("shm: Send to rank %d from rank %d of %d", dst, t.rank, t.size))
	}
	if uint64(len(payload)) != h.Length {
		panic(fmt.Sprintf("shm: Send: len(payload) %d != Header.Length %d", len(payload), h.Length))
	}
	if !h.Type.Valid() || h.Length%uint64(h.Type.Size()) != 0 {
		panic(fmt.Sprintf("shm: Send: %d bytes is not a whole number of elements of datatype %v", h.Length, h.Type))
	}
	o := t.out[dst]
	o.mu.Lock()
	defer o.mu.Unlock()
	switch o.mode.Load() {
	case modeBase:
		return t.base.Send(dst, h, payload)
	case modeReady:
		// The switch marker is the last frame of this pair on the base
		// link: the receiver reads our ring only after it, so frames keep
		// their order across the switch.
		if err := t.base.Send(dst, comm.Header{Context: comm.TransportContext, Source: uint32(t.rank), Tag: tagSwitch, Type: comm.Byte}, nil); err != nil {
			return err
		}
		o.mode.Store(modeShared)
	}
	if o.dead {
		return fmt.Errorf("shm: send to rank %d: %w", dst, ErrClosed)
	}
	if e := o.lost.Load(); e != nil {
		return fmt.Errorf("shm: send to rank %d: %w", dst, *e)
	}
	if h.Length > t.cfg.MaxMessage {
		return fmt.Errorf("shm: send to rank %d: message of %d bytes exceeds MaxMessage %d", dst, h.Length, t.cfg.MaxMessage)
	}
	return t.put(o, dst, h, payload)
}

// put writes a message into o's ring, record by record, waiting for room
// when the ring is full, and wakes the receiver if it sleeps.
func (t *Transport) put(o *outbound, dst int, h comm.Header, payload []byte) error {
	first, off := true, 0
	for first || off < len(payload) {
		n, ok := o.p.put(h, payload[off:], first)
		if !ok {
			if err := t.waitRoom(o, dst, len(payload)-off, first); err != nil {
				return err
			}
			continue
		}
		first, off = false, off+n
		o.pnews.Add(1)
		if o.pstate.Load() == stateSleeping && o.pstate.CompareAndSwap(stateSleeping, 0) {
			ring(o.bell)
		}
	}
	return nil
}

// Route implements comm.Router: "shm" once this rank sends to peer
// through shared memory (or will, from its next frame on), else what the
// base transport says (Why tells why not).
func (t *Transport) Route(peer int) string {
	if t.out[peer].mode.Load() != modeBase {
		return "shm"
	}
	if r, ok := t.base.(comm.Router); ok {
		return r.Route(peer)
	}
	return ""
}

// SharesMemory implements comm.MemorySharer: whether this rank sends to
// peer through shared memory (or will, from its next frame on).
func (t *Transport) SharesMemory(peer int) bool { return t.out[peer].mode.Load() != modeBase }

// Why says why this rank does not send to peer through shared memory, or
// "" if it does.
func (t *Transport) Why(peer int) string {
	if t.out[peer].mode.Load() != modeBase {
		return ""
	}
	return t.why(peer)
}

// Close closes the base transport (which says goodbye to every peer),
// stops the drainer and unmaps everything. Frames a peer wrote to this
// rank before it closed are delivered first: a peer's Lost comes after
// every frame of its ring. Close is idempotent.
func (t *Transport) Close() error {
	if !t.begin() {
		return nil
	}
	err := t.base.Close()
	t.release()
	return err
}

// Abort aborts through the base transport, which tells every peer, then
// releases everything as Close does.
func (t *Transport) Abort(code int) error {
	if !t.begin() {
		return nil
	}
	err := t.base.Abort(code)
	t.release()
	return err
}

// begin marks the transport as closing and wakes every waiter; it reports
// whether this call is the first.
func (t *Transport) begin() bool {
	if !t.closing.CompareAndSwap(false, true) {
		return false
	}
	close(t.done)
	return true
}

// release stops the drainer and unmaps every ring, once the base
// transport has made its last Handler call and no goroutine is inside
// Progress or waitRoom.
func (t *Transport) release() {
	if t.bell != nil {
		t.bell.Close() // the drainer's read fails and it returns
	}
	t.drainer.Wait()
	for t.users.Load() != 0 {
		time.Sleep(10 * time.Microsecond) // they see closing within one poll
	}
	for _, in := range t.in {
		in.mu.Lock()
		in.dead = true
		in.on.Store(false)
		in.mu.Unlock()
	}
	for _, o := range t.out {
		o.mu.Lock()
		o.dead = true
		unmap(o.hdr)
		unmap(o.ring)
		o.hdr, o.ring, o.p = nil, nil, nil
		closeFd(o.bell)
		o.bell = -1
		o.mu.Unlock()
	}
	unmap(t.mem)
	closeFd(t.memfd)
	t.mem, t.memfd = nil, -1
}
