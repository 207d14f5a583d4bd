package tcp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/spmd-go/spmd/comm"
)

// TestSingleCopy: between two transports of one process (one machine) the
// probe succeeds both ways, a large message goes by single copy and a
// small one through the socket, in order, each intact; and Send returns
// only once the payload was read, so the sender may then reuse it.
func TestSingleCopy(t *testing.T) {
	if !singleCopySupported {
		t.Skip("single copy needs Linux on amd64 or arm64")
	}
	ts, recs := newWorld(t, 2, testConfig())
	waitFor(t, "both copy probes answered", func() bool {
		return ts[0].links[1].pushOK.Load() && ts[1].links[0].pushOK.Load()
	})
	if l := ts[0].links[1]; !l.useCopy(DefaultSingleCopy) || l.useCopy(DefaultSingleCopy-1) {
		t.Fatalf("useCopy: %d bytes %v, one less %v; want single copy from DefaultSingleCopy up only",
			DefaultSingleCopy, l.useCopy(DefaultSingleCopy), l.useCopy(DefaultSingleCopy-1))
	}
	big := pattern(DefaultSingleCopy, 0, 1, 0)
	want := bytes.Clone(big)
	small := pattern(64, 0, 1, 1)
	if err := ts[0].Send(1, comm.Header{Type: comm.Byte, Tag: 1, Length: uint64(len(big))}, big); err != nil {
		t.Fatal(err)
	}
	clear(big) // the receiver must already have its copy
	if err := ts[0].Send(1, comm.Header{Type: comm.Byte, Tag: 2, Length: uint64(len(small))}, small); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "two deliveries", func() bool { return len(recs[1].deliveries(0)) == 2 })
	d := recs[1].deliveries(0)
	if d[0].h.Tag != 1 || !bytes.Equal(d[0].data, want) || d[0].err != nil {
		t.Errorf("first delivery: tag %d, err %v, payload intact %v", d[0].h.Tag, d[0].err, bytes.Equal(d[0].data, want))
	}
	if d[1].h.Tag != 2 || !bytes.Equal(d[1].data, small) {
		t.Errorf("second delivery: tag %d, payload intact %v", d[1].h.Tag, bytes.Equal(d[1].data, small))
	}
}

// TestSingleCopyOff: with SingleCopy < 0 nothing is offered and large
// messages travel through the socket.
func TestSingleCopyOff(t *testing.T) {
	cfg := testConfig()
	cfg.SingleCopy = -1
	ts, recs := newWorld(t, 2, cfg)
	big := pattern(1<<20, 1, 0, 0)
	if err := ts[1].Send(0, comm.Header{Type: comm.Byte, Tag: 3, Length: uint64(len(big))}, big); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the delivery", func() bool { return len(recs[0].deliveries(1)) == 1 })
	if d := recs[0].deliveries(1)[0]; !bytes.Equal(d.data, big) {
		t.Error("payload changed")
	}
	if ts[0].copy != nil || ts[1].links[0].pushOK.Load() {
		t.Error("single copy is on although SingleCopy < 0")
	}
}

// rawCopyPeer wires a transport with single copy on to a hand-driven peer
// that reads the transport's frames with a frameReader, past its offer.
func rawCopyPeer(t *testing.T) (*Transport, *recorder, *net.TCPConn, *frameReader) {
	t.Helper()
	if !singleCopySupported {
		t.Skip("single copy needs Linux on amd64 or arm64")
	}
	tr, rec, raw := withRawPeerCopying(t, testConfig())
	fr := &frameReader{br: bufio.NewReader(raw), peer: 0, max: DefaultMaxMessage}
	h, err := fr.next()
	if err != nil || h.Type != frameCopyOffer {
		t.Fatalf("first frame %v (%v), want a copy offer", h, err)
	}
	return tr, rec, raw, fr
}

func offerFrame(pid int, word *[8]byte, value []byte) []byte {
	trl := binary.BigEndian.AppendUint64(nil, uint64(pid))
	trl = binary.BigEndian.AppendUint64(trl, uint64(uintptr(unsafe.Pointer(&word[0]))))
	return frameBytes(frameHeader{Type: frameCopyOffer, Source: 1}, append(trl, value...))
}

// TestSingleCopyProbe drives the receiving side by hand: an offer whose
// probe word does not hold the offered value is declined, a true one is
// accepted, and a copy frame is then read from the offered address,
// delivered, and answered with copied.
func TestSingleCopyProbe(t *testing.T) {
	_, rec, raw, fr := rawCopyPeer(t)
	// On the heap, so it stays where its address says while the transport
	// reads it.
	word := &[8]byte{1, 2, 3, 4, 5, 6, 7, 8}
	answer := func() int32 {
		t.Helper()
		h, err := fr.next()
		if err != nil || h.Type != frameCopyAnswer {
			t.Fatalf("frame %v (%v), want a copy answer", h, err)
		}
		return h.Tag
	}
	raw.Write(offerFrame(os.Getpid(), word, []byte("wrong!!!")))
	if a := answer(); a != 0 {
		t.Errorf("offer with the wrong value answered %d, want 0", a)
	}
	raw.Write(offerFrame(os.Getpid(), word, word[:]))
	if a := answer(); a != 1 {
		t.Errorf("true offer answered %d, want 1", a)
	}
	raw.Write(frameBytes(frameHeader{Type: frameCopy, Datatype: comm.Byte, Source: 1, Tag: 9, Length: 8},
		binary.BigEndian.AppendUint64(nil, uint64(uintptr(unsafe.Pointer(&word[0]))))))
	if h, err := fr.next(); err != nil || h.Type != frameCopied {
		t.Fatalf("frame %v (%v), want copied", h, err)
	}
	d := rec.deliveries(1)
	if len(d) != 1 || d[0].h.Tag != 9 || !bytes.Equal(d[0].data, word[:]) {
		t.Fatalf("deliveries %+v, want tag 9 with %v", d, word)
	}
	runtime.KeepAlive(word)
}

// TestSingleCopyUnoffered: a copy frame from a peer whose offer was never
// accepted is a protocol error, and nothing is read from anywhere.
func TestSingleCopyUnoffered(t *testing.T) {
	_, rec, raw, _ := rawCopyPeer(t)
	raw.Write(frameBytes(frameHeader{Type: frameCopy, Datatype: comm.Byte, Source: 1, Length: 8}, binary.BigEndian.AppendUint64(nil, 4096)))
	err := rec.waitLost(t, 1)
	if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "not offered single copy") {
		t.Errorf("Lost(1, %v), want a protocol error about an unoffered copy", err)
	}
	if d := rec.deliveries(1); len(d) != 0 {
		t.Errorf("delivered %+v", d)
	}
}

// TestSingleCopyPeerDiesWhileReading: a Send waiting for the copied frame
// returns an error, naming the peer, when the peer dies instead of
// answering; it does not wait forever.
func TestSingleCopyPeerDiesWhileReading(t *testing.T) {
	tr, _, raw, fr := rawCopyPeer(t)
	raw.Write(frameBytes(frameHeader{Type: frameCopyAnswer, Source: 1, Tag: 1}, nil))
	waitFor(t, "the yes to our offer", func() bool { return tr.links[1].pushOK.Load() })
	sent := make(chan error, 1)
	go func() {
		big := make([]byte, 1<<20)
		sent <- tr.Send(1, comm.Header{Type: comm.Byte, Length: uint64(len(big))}, big)
	}()
	h, err := fr.next()
	if err != nil || h.Type != frameCopy || h.Length != 1<<20 {
		t.Fatalf("frame %v (%v), want a copy frame of 1 MiB", h, err)
	}
	raw.Close() // dies without reading or answering
	select {
	case err := <-sent:
		if err == nil || !strings.Contains(err.Error(), "rank 1") {
			t.Errorf("Send = %v, want an error naming rank 1", err)
		}
	case <-time.After(waitLimit):
		t.Fatal("Send still waiting for copied after the peer died")
	}
}

// TestSingleCopyBadAddress: a copy frame naming memory the receiver cannot
// read fails that delivery and ends the link with an error that names the
// peer; nothing is delivered as if it had arrived.
func TestSingleCopyBadAddress(t *testing.T) {
	_, rec, raw, fr := rawCopyPeer(t)
	word := &[8]byte{8, 7, 6, 5, 4, 3, 2, 1}
	raw.Write(offerFrame(os.Getpid(), word, word[:]))
	if h, err := fr.next(); err != nil || h.Type != frameCopyAnswer || h.Tag != 1 {
		t.Fatalf("frame %v (%v), want a yes", h, err)
	}
	raw.Write(frameBytes(frameHeader{Type: frameCopy, Datatype: comm.Byte, Source: 1, Length: 64},
		binary.BigEndian.AppendUint64(nil, 16))) // the zero page: never mapped
	err := rec.waitLost(t, 1)
	if err == nil || !strings.Contains(err.Error(), "memory of rank 1") {
		t.Errorf("Lost(1, %v), want an error about reading rank 1's memory", err)
	}
	if d := rec.deliveries(1); len(d) != 1 || d[0].err == nil {
		t.Errorf("deliveries %+v, want one failed delivery", d)
	}
	runtime.KeepAlive(word)
}
