package shm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

// testRing is one ring in ordinary memory: a header page and ringLen bytes
// of records, with its producer and consumer.
func testRing(ringLen int) (*producer, *consumer, []byte) {
	mem := make([]byte, pageSize+ringLen)
	return newProducer(mem[:pageSize], mem[pageSize:]), newConsumer(mem[:pageSize], mem[pageSize:], 3, DefaultMaxMessage), mem
}

// recorder is a Handler that keeps every delivered message.
type recorder struct {
	got  []comm.Header
	data [][]byte
	errs []error
}

func (r *recorder) Claim(h comm.Header) []byte { return make([]byte, h.Length) }
func (r *recorder) Deliver(h comm.Header, buf []byte, err error) {
	r.got, r.data, r.errs = append(r.got, h), append(r.data, buf), append(r.errs, err)
}
func (r *recorder) Lost(int, error) {}

// wholeRecorder is a recorder that also takes whole messages in one call
// (comm.WholeReceiver), as the core does.
type wholeRecorder struct{ recorder }

func (r *wholeRecorder) Receive(h comm.Header, payload []byte) {
	r.Deliver(h, append(make([]byte, 0, len(payload)), payload...), nil)
}

// TestRingCarriesMessages: messages of every length from empty to many
// times the ring, put and taken in random interleavings (so records wrap,
// pad the ring's end, and stream in chunks), arrive whole, in order, with
// their headers.
func TestRingCarriesMessages(t *testing.T) {
	t.Run("claim and deliver", func(t *testing.T) {
		ringCarries(t, &recorder{}, func(h comm.Handler) *recorder { return h.(*recorder) })
	})
	t.Run("whole", func(t *testing.T) {
		ringCarries(t, &wholeRecorder{}, func(h comm.Handler) *recorder { return &h.(*wholeRecorder).recorder })
	})
}

func ringCarries(t *testing.T, h comm.Handler, recOf func(comm.Handler) *recorder) {
	rng := rand.New(rand.NewPCG(1, 2))
	p, c, _ := testRing(minRingLen)
	rec := h
	var want [][]byte
	var hdrs []comm.Header
	for i := range 300 {
		n := []int{0, 1, 8, 100, 4095, 4096, 20000, 65536, 300000}[rng.IntN(9)] / 8 * 8
		payload := make([]byte, n)
		for j := range payload {
			payload[j] = byte(i + j*7)
		}
		h := comm.Header{Context: uint32(i % 5), Source: 3, Tag: int32(i - 150), Type: comm.Float64, Length: uint64(n)}
		want, hdrs = append(want, payload), append(hdrs, h)
		first, off := true, 0
		for first || off < n {
			if rng.IntN(4) == 0 {
				if _, _, err := c.drain(rec); err != nil {
					t.Fatal(err)
				}
			}
			k, ok := p.put(h, payload[off:], first)
			if !ok {
				if _, _, err := c.drain(rec); err != nil {
					t.Fatal(err)
				}
				continue
			}
			first, off = false, off+k
		}
	}
	for c.pending() {
		if _, _, err := c.drain(rec); err != nil {
			t.Fatal(err)
		}
	}
	got := recOf(rec)
	if len(got.got) != len(want) {
		t.Fatalf("%d messages delivered, want %d", len(got.got), len(want))
	}
	for i := range want {
		if got.got[i] != hdrs[i] || !bytes.Equal(got.data[i], want[i]) || got.errs[i] != nil {
			t.Fatalf("message %d: %v (%d bytes, %v), want %v (%d bytes)", i, got.got[i], len(got.data[i]), got.errs[i], hdrs[i], len(want[i]))
		}
	}
}

// TestRingFull: a full ring refuses a record until the consumer frees
// room, and the consumer then asks to wake a producer that said it waits.
func TestRingFull(t *testing.T) {
	p, c, _ := testRing(minRingLen)
	h := comm.Header{Type: comm.Byte, Length: 1 << 20}
	payload := make([]byte, 1<<20)
	first, off := true, 0
	for {
		k, ok := p.put(h, payload[off:], first)
		if !ok {
			break
		}
		first, off = false, off+k
	}
	if p.hasRoom(len(payload)-off, first) {
		t.Fatal("a full ring says it has room")
	}
	p.wait.Store(1)
	_, wake, err := c.drain(&recorder{})
	if err != nil || !wake {
		t.Fatalf("drain: wake %v, err %v; want a wake-up for the waiting producer", wake, err)
	}
	if !p.hasRoom(len(payload)-off, first) {
		t.Fatal("no room after the consumer drained the ring")
	}
}

// TestRingRejectsGarbage: a ring that breaks the format is a protocol
// error naming what was wrong, never a panic or a read outside the ring.
func TestRingRejectsGarbage(t *testing.T) {
	rec := func(chunk uint32, kind, dt byte, first ...uint64) []byte {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint32(b, chunk)
		b[4], b[5] = kind, dt
		for _, w := range first {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
		return b
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"unknown kind", rec(0, 9, 0), "kind 9"},
		{"record past the ring's end", rec(minRingLen, kindMore, 0), "bytes left of the ring"},
		{"continuation of nothing", rec(0, kindMore, 0), "never began"},
		{"bad datatype", rec(0, kindFirst, 99, 0, 0), "datatype"},
		{"partial elements", rec(0, kindFirst, byte(comm.Float64), 0, 12), "12 bytes"},
		{"over MaxMessage", rec(0, kindFirst, byte(comm.Byte), 0, 1<<40), "bytes of datatype"},
		{"pad not at the end", rec(8, kindPad, 0), "pad"},
		{"nonzero spare bytes", append(rec(0, kindFirst, byte(comm.Byte), 0, 0)[:6], 1, 0), "prefix"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, cons, mem := testRing(minRingLen)
			copy(mem[pageSize:], c.data)
			_, _, err := cons.drain(&recorder{})
			if !errors.Is(err, errProtocol) || !bytes.Contains([]byte(err.Error()), []byte(c.want)) {
				t.Errorf("drain = %v, want a protocol error about %q", err, c.want)
			}
		})
	}
}

// FuzzRing: whatever the ring holds, drain delivers or fails cleanly,
// and returns.
func FuzzRing(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0})
	f.Add(bytes.Repeat([]byte{8, 0, 0, 0, 2, 0, 0, 0}, 100))
	f.Add(bytes.Repeat([]byte{0, 0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, minRingLen/24))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, cons, mem := testRing(minRingLen)
		copy(mem[pageSize:], data)
		for range 3 {
			if _, _, err := cons.drain(&recorder{}); err != nil {
				if !errors.Is(err, errProtocol) {
					t.Fatalf("drain error %v is not a protocol error", err)
				}
				return
			}
		}
	})
}
