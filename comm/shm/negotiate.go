package shm

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/spmd-go/spmd/comm"
)

// Negotiation (docs/PROTOCOL.md, "Shared memory"). Over the base link of
// every pair, on comm.TransportContext:
//
//  1. At Start each rank sends every peer an offer: its machine, its pid,
//     the numbers of its segment's and its doorbell's file descriptors, its
//     ring length and the segment's random nonce — or that it will not
//     share memory (Config.Off, another system).
//  2. On a peer's offer from the same machine, a rank maps its own ring in
//     the peer's segment (through /proc/PID/fd, which the kernel allows
//     only to the same user), checks that the segment's header holds the
//     nonce the offer named (so it is the peer's memory and not some
//     other process's file behind a recycled pid), and takes a copy of
//     the peer's doorbell (pidfd_getfd). It answers yes or no, with why.
//  3. A pair shares memory when both answered yes. Each side then switches
//     at its next Send: it sends a switch marker over the base link, and
//     writes every later frame into the ring. The receiver reads the ring
//     only after the marker, so no frame overtakes one sent before it.
//
// The base link stays up: it carries the goodbye of Close, the abort of
// Abort, and its liveness checks (a peer's death closes its sockets; a
// stopped peer stops its heartbeats), so shared memory changes nothing in
// how failures are found.

// Tags of the control frames on comm.TransportContext.
const (
	tagOffer  = 1
	tagAnswer = 2
	tagSwitch = 3
)

// offer is what a rank tells each peer at Start.
type offer struct {
	willing bool
	pid     int
	segFd   int
	bellFd  int
	ringLen int
	nonce   [nonceLen]byte
	machine string
}

const offerFixed = 64 // bytes before the machine name

func (o offer) encode() []byte {
	b := make([]byte, offerFixed+2+len(o.machine))
	binary.LittleEndian.PutUint32(b[0:], segVersion)
	if o.willing {
		b[4] = 1
	}
	binary.LittleEndian.PutUint64(b[8:], uint64(o.pid))
	binary.LittleEndian.PutUint32(b[16:], uint32(o.segFd))
	binary.LittleEndian.PutUint32(b[20:], uint32(o.bellFd))
	binary.LittleEndian.PutUint64(b[24:], uint64(o.ringLen))
	copy(b[32:], o.nonce[:])
	binary.LittleEndian.PutUint16(b[offerFixed:], uint16(len(o.machine)))
	copy(b[offerFixed+2:], o.machine)
	return b
}

func decodeOffer(b []byte) (offer, error) {
	if len(b) < offerFixed+2 {
		return offer{}, fmt.Errorf("a %d-byte offer", len(b))
	}
	if v := binary.LittleEndian.Uint32(b); v != segVersion {
		return offer{}, fmt.Errorf("offer of version %d, not %d", v, segVersion)
	}
	var o offer
	o.willing = b[4] == 1
	pid, ringLen := binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint64(b[24:])
	if pid == 0 || pid > 1<<30 || ringLen < minRingLen || ringLen > maxRingLen || ringLen&(ringLen-1) != 0 {
		return offer{}, fmt.Errorf("an offer with pid %d and ring length %d", pid, ringLen)
	}
	o.pid, o.ringLen = int(pid), int(ringLen)
	o.segFd, o.bellFd = int(binary.LittleEndian.Uint32(b[16:])), int(binary.LittleEndian.Uint32(b[20:]))
	copy(o.nonce[:], b[32:])
	n := int(binary.LittleEndian.Uint16(b[offerFixed:]))
	if len(b) != offerFixed+2+n {
		return offer{}, fmt.Errorf("an offer of %d bytes naming a %d-byte machine", len(b), n)
	}
	o.machine = string(b[offerFixed+2:])
	return o, nil
}

// negotiation tracks what each peer said.
type negotiation struct {
	mu        sync.Mutex
	offered   []bool   // the peer's offer arrived (or the peer is gone)
	answered  []bool   // the peer's answer arrived (or the peer is gone)
	attached  []bool   // we mapped the peer's ring and doorbell
	agreed    []bool   // the peer answered yes
	reason    []string // why not, when known
	remaining int      // offers and answers still to come
	settled   chan struct{}
}

func (n *negotiation) init(size, rank int) {
	n.offered, n.answered = make([]bool, size), make([]bool, size)
	n.attached, n.agreed = make([]bool, size), make([]bool, size)
	n.reason = make([]string, size)
	n.remaining = 2 * (size - 1)
	n.settled = make(chan struct{})
	if n.remaining == 0 {
		close(n.settled)
	}
}

// heard records one of the peer's two messages; the caller holds mu.
func (n *negotiation) heardLocked(flags []bool, peer int) {
	if flags[peer] {
		return
	}
	flags[peer] = true
	if n.remaining--; n.remaining == 0 {
		close(n.settled)
	}
}

func (t *Transport) why(peer int) string {
	if t.off != "" {
		return t.off
	}
	n := &t.neg
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.reason[peer] != "" {
		return n.reason[peer]
	}
	if !n.offered[peer] || !n.answered[peer] {
		return "not settled yet"
	}
	return fmt.Sprintf("no reason known (attached %v, agreed %v, lost %v)", n.attached[peer], n.agreed[peer], t.out[peer].lost.Load() != nil)
}

// Settle waits until every peer has answered this rank's offer and sent
// its own (so Route is final), or until ctx ends.
func (t *Transport) Settle(ctx context.Context) error {
	select {
	case <-t.neg.settled:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("shm: rank %d: not every peer answered about shared memory: %w", t.rank, ctx.Err())
	}
}

// offerAll sends this rank's offer to every peer.
func (t *Transport) offerAll() {
	o := offer{willing: t.mem != nil, pid: os.Getpid(), segFd: t.memfd, bellFd: t.bellFd, ringLen: t.cfg.RingLen, nonce: t.nonce, machine: t.machine}
	if !o.willing {
		o.segFd, o.bellFd, o.ringLen = 0, 0, minRingLen
	}
	b := o.encode()
	for peer := range t.size {
		if peer != t.rank {
			t.control(peer, tagOffer, b)
		}
	}
}

// control sends a control frame to peer over the base link, under the
// pair's lock (the core never sends to one peer from two goroutines at
// once, and neither do we). A peer that cannot be reached is settled.
func (t *Transport) control(peer int, tag int32, b []byte) {
	o := t.out[peer]
	o.mu.Lock()
	err := t.base.Send(peer, comm.Header{Context: comm.TransportContext, Source: uint32(t.rank), Tag: tag, Type: comm.Byte, Length: uint64(len(b))}, b)
	o.mu.Unlock()
	if err != nil {
		t.settlePeer(peer, fmt.Sprintf("rank %d could not be told: %v", peer, err))
	}
}

// settlePeer counts a peer as settled: it is gone, or never will answer.
func (t *Transport) settlePeer(peer int, why string) {
	n := &t.neg
	n.mu.Lock()
	if why != "" && n.reason[peer] == "" {
		n.reason[peer] = why
	}
	n.heardLocked(n.offered, peer)
	n.heardLocked(n.answered, peer)
	n.mu.Unlock()
}

// onControl handles a control frame from peer (on the base's reader
// goroutine for that peer).
func (t *Transport) onControl(peer int, tag int32, b []byte) {
	switch tag {
	case tagOffer:
		t.onOffer(peer, b)
	case tagAnswer:
		t.onAnswer(peer, b)
	case tagSwitch:
		t.onSwitch(peer)
	}
}

func (t *Transport) onOffer(peer int, b []byte) {
	why := ""
	o, err := decodeOffer(b)
	switch {
	case err != nil:
		why = "rank " + fmt.Sprint(peer) + " sent " + err.Error()
	case t.mem == nil:
		why = t.off
	case !o.willing:
		why = offAt(peer)
	case o.machine != t.machine:
		why = fmt.Sprintf("rank %d is on another machine", peer)
	default:
		if err := t.attach(peer, o); err != nil {
			why = err.Error()
		}
	}
	n := &t.neg
	n.mu.Lock()
	n.attached[peer] = why == ""
	if why != "" && n.reason[peer] == "" {
		n.reason[peer] = why
	}
	t.readyLocked(peer) // before Settle can return
	n.heardLocked(n.offered, peer)
	n.mu.Unlock()
	answer := []byte{0}
	if why == "" {
		answer = []byte{1}
	} else {
		answer = append(answer, why...)
	}
	// Not on this goroutine: the base's reader must keep reading while a
	// Send to this peer waits for room (comm/tcp's single-copy answer
	// does the same).
	go t.control(peer, tagAnswer, answer)
}

// offAt is the reason given for a peer whose offer says it is unwilling.
func offAt(peer int) string { return fmt.Sprintf("shared memory is off at rank %d", peer) }

func (t *Transport) onAnswer(peer int, b []byte) {
	n := &t.neg
	n.mu.Lock()
	defer n.mu.Unlock()
	yes := len(b) >= 1 && b[0] == 1
	n.agreed[peer] = yes
	// A peer whose shared memory is off says so in its offer and, in its
	// own words (why), in its answer: whichever comes first, the answer's
	// words are kept, so Why says the same on every run.
	if !yes && (n.reason[peer] == "" || n.reason[peer] == offAt(peer) && len(b) > 1) {
		if len(b) > 1 {
			n.reason[peer] = fmt.Sprintf("rank %d: %s", peer, strings.ToValidUTF8(string(b[1:min(len(b), 512)]), "?"))
		} else {
			n.reason[peer] = fmt.Sprintf("rank %d said no", peer)
		}
	}
	t.readyLocked(peer)
	n.heardLocked(n.answered, peer)
}

// readyLocked makes the pair's next Send switch once both sides agreed.
func (t *Transport) readyLocked(peer int) {
	n := &t.neg
	if n.attached[peer] && n.agreed[peer] && t.out[peer].lost.Load() == nil {
		t.out[peer].mode.CompareAndSwap(modeBase, modeReady)
	}
}

// onSwitch starts reading the peer's ring: every later frame from the
// peer is there. Records written before this marker was read are there
// already, so the drainer is woken to look.
func (t *Transport) onSwitch(peer int) {
	t.neg.mu.Lock()
	attached := t.neg.attached[peer]
	t.neg.mu.Unlock()
	in := t.in[peer]
	in.mu.Lock()
	ok := !in.dead && in.c != nil && attached
	if ok {
		in.on.Store(true)
	}
	in.mu.Unlock()
	if !ok {
		return // cannot happen unless the peer broke the protocol: its records stay unread
	}
	t.lmu.Lock()
	l := append(append([]int(nil), *t.local.Load()...), peer)
	t.local.Store(&l)
	t.lmu.Unlock()
	t.kick()
}

// attach maps this rank's ring in peer's segment and gets its doorbell.
func (t *Transport) attach(peer int, o offer) error {
	size := segmentSize(t.size, o.ringLen)
	fd, err := openSegment(o.pid, o.segFd, size)
	if err != nil {
		return err
	}
	defer closeFd(fd) // the mappings keep the memory
	hdr, err := mapRange(fd, 0, pageSize)
	if err != nil {
		return fmt.Errorf("mapping rank %d's segment header: %w", peer, err)
	}
	if !bytes.Equal(hdr[offMagic:offMagic+8], []byte(segMagic)) ||
		binary.LittleEndian.Uint32(hdr[offVersion:]) != segVersion ||
		binary.LittleEndian.Uint32(hdr[offSize:]) != uint32(t.size) ||
		binary.LittleEndian.Uint32(hdr[offRank:]) != uint32(peer) ||
		binary.LittleEndian.Uint64(hdr[offRingLen:]) != uint64(o.ringLen) ||
		!bytes.Equal(hdr[offNonce:offNonce+nonceLen], o.nonce[:]) {
		unmap(hdr)
		return fmt.Errorf("the segment at /proc/%d/fd/%d is not rank %d's (its header or nonce differs)", o.pid, o.segFd, peer)
	}
	ring, err := mapRange(fd, ringOffset(t.rank, o.ringLen), pageSize+o.ringLen)
	if err != nil {
		unmap(hdr)
		return fmt.Errorf("mapping our ring in rank %d's segment: %w", peer, err)
	}
	bell, err := peerBell(o.pid, o.bellFd)
	if err != nil {
		unmap(hdr)
		unmap(ring)
		return err
	}
	out := t.out[peer]
	out.mu.Lock()
	defer out.mu.Unlock()
	if out.dead || out.lost.Load() != nil {
		unmap(hdr)
		unmap(ring)
		closeFd(bell)
		return fmt.Errorf("rank %d is gone", peer)
	}
	out.hdr, out.ring, out.bell = hdr, ring, bell
	out.pstate = u32at(hdr, offState)
	out.pcpu = u32at(hdr, offCPU)
	out.pnews = u64at(hdr, offNews)
	out.p = newProducer(ring[:pageSize], ring[pageSize:])
	return nil
}

// relay is the Handler the base transport sees: it keeps control frames
// and passes the rest to the core.
type relay struct{ t *Transport }

func (r relay) Claim(h comm.Header) []byte {
	if h.Context == comm.TransportContext {
		return make([]byte, h.Length)
	}
	return r.t.h.Claim(h)
}

func (r relay) Deliver(h comm.Header, buf []byte, err error) {
	if h.Context == comm.TransportContext {
		if err == nil {
			r.t.onControl(int(h.Source), h.Tag, buf)
		}
		return
	}
	r.t.h.Deliver(h, buf, err)
}

func (r relay) Lost(peer int, err error) { r.t.lost(peer, err) }

// machineID names this machine as the kernel sees it from here: the host
// name, the boot id and the pid namespace (two containers on one host are
// two machines: neither can open the other's memory).
func machineID() string {
	host, _ := os.Hostname()
	id := host
	if b, err := os.ReadFile("/proc/sys/kernel/random/boot_id"); err == nil {
		id += "/" + strings.TrimSpace(string(b))
	}
	if ns, err := os.Readlink("/proc/self/ns/pid"); err == nil {
		id += "/" + ns
	}
	return id
}
