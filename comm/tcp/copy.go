package tcp

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"strings"
	"unsafe"

	"github.com/spmd-go/spmd/comm"
)

// Single copy (docs/PROTOCOL.md, "Single copy"). Through a socket, a
// message is copied twice: into the kernel by the sender, out of it by
// the receiver, each copy costing a core about as much as the message is
// worth computing on (64 MiB: about 17 ms each here). Between ranks on one
// machine the receiver can instead read the sender's buffer directly:
//
//  1. At start each side offers: its pid, and the address and value of a
//     random probe word in its memory.
//  2. The other side reads the word from there. Only if it finds the value
//     (same machine, same pid namespace, permission to read) does it
//     answer yes; the offerer then sends messages of Config.SingleCopy
//     bytes or more as copy frames, everything else as before.
//  3. A copy frame is a data frame's header plus the payload's address.
//     The receiver claims the buffer as for a data frame, reads the payload
//     into it, delivers it and answers copied; the sender's Send returns
//     only then, so the buffer stays untouched while it is read. Sends to
//     one peer never overlap, so one copied frame answers the one copy
//     frame in flight.
//
// The receiver reads on arrival, whether or not a receive is posted, as
// it reads data frames, so the sender never waits for the receiving
// program: Send keeps the semantics it has over the socket.

// copyState is a transport's single-copy identity: its probe word.
type copyState struct {
	probe [8]byte
}

func newCopyState() *copyState {
	cs := &copyState{}
	rand.Read(cs.probe[:])
	allowPeersIfYama()
	return cs
}

// allowPeersIfYama calls allowPeersToRead only where Yama restricts
// ptrace to descendants (ptrace_scope 1), the one case it changes.
func allowPeersIfYama() {
	b, err := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope")
	if err == nil && strings.TrimSpace(string(b)) == "1" {
		allowPeersToRead()
	}
}

// offer sends this rank's copy offer on l. Called once, before the reader
// loop starts.
func (l *link) offer() {
	cs := l.t.copy
	var trl [24]byte
	binary.BigEndian.PutUint64(trl[0:], uint64(os.Getpid()))
	binary.BigEndian.PutUint64(trl[8:], uint64(uintptr(unsafe.Pointer(&cs.probe[0]))))
	copy(trl[16:], cs.probe[:])
	l.writeLocked(frameHeader{Type: frameCopyOffer, Source: uint32(l.t.rank)}, trl[:])
}

// onOffer probes the peer's offered word and answers. It runs on the
// reader goroutine, which owns peerPID.
func (l *link) onOffer(trl []byte) {
	pid := int(binary.BigEndian.Uint64(trl[0:]))
	addr := binary.BigEndian.Uint64(trl[8:])
	var got [8]byte
	ok := pid > 0 && pid <= 1<<30 && readProcess(pid, addr, got[:]) == nil && string(got[:]) == string(trl[16:24])
	if ok {
		l.peerPID = pid
	}
	answer := int32(0)
	if ok {
		answer = 1
	}
	// Not on this goroutine: the writer may be busy with a long frame to a
	// peer that is itself waiting for us to read.
	go l.writeLocked(frameHeader{Type: frameCopyAnswer, Source: uint32(l.t.rank), Tag: answer}, nil)
}

// onAnswer records whether the peer can read our messages in place.
func (l *link) onAnswer(tag int32) {
	if tag == 1 && l.t.copy != nil {
		l.pushOK.Store(true)
	}
}

// useCopy says whether a message of n bytes to this peer goes by single copy.
func (l *link) useCopy(n uint64) bool {
	return l.t.copy != nil && l.pushOK.Load() && n >= uint64(l.t.cfg.SingleCopy)
}

// sendCopy sends the copy frame for fh and payload, and waits until the
// peer has read the payload or the link ends.
func (l *link) sendCopy(fh frameHeader, payload []byte) error {
	fh.Type = frameCopy
	var trl [8]byte
	binary.BigEndian.PutUint64(trl[:], uint64(uintptr(unsafe.Pointer(&payload[0]))))
	l.inflight.Store(true)
	err := l.writeLocked(fh, trl[:])
	if err == nil {
		select {
		case <-l.copied:
		case <-l.ended:
			err = *l.down.Load()
		}
	}
	// The peer reads payload by address: it must stay alive (and, Go's
	// heap being non-moving, in place) until then.
	runtime.KeepAlive(payload)
	return err
}

// onCopy handles a copy frame on the reader goroutine: it reads the
// payload from the sender's memory into the claimed buffer, delivers it,
// and tells the sender it may reuse its buffer.
func (l *link) onCopy(h comm.Handler, fh frameHeader, trl []byte) error {
	if l.peerPID == 0 {
		return fmt.Errorf("%w: copy frame from rank %d, which was not offered single copy", ErrProtocol, l.peer)
	}
	addr := binary.BigEndian.Uint64(trl)
	ch, buf := claim(h, fh)
	err := readProcess(l.peerPID, addr, buf)
	if err != nil {
		err = fmt.Errorf("tcp: reading a %d-byte message from the memory of rank %d (pid %d): %w", len(buf), l.peer, l.peerPID, err)
	}
	h.Deliver(ch, buf, err)
	if err != nil {
		return err
	}
	go l.writeLocked(frameHeader{Type: frameCopied, Source: uint32(l.t.rank)}, nil) // as in onOffer
	return nil
}

// onCopied wakes the Send waiting in sendCopy.
func (l *link) onCopied() error {
	if !l.inflight.CompareAndSwap(true, false) {
		return fmt.Errorf("%w: copied frame from rank %d with no copy frame in flight", ErrProtocol, l.peer)
	}
	l.copied <- struct{}{} // buffered: the one Send in flight takes it
	return nil
}
