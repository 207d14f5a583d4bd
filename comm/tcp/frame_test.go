package tcp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

// TestFrameConstants pins the wire format of docs/PROTOCOL.md: changing
// any of these breaks every peer of another build.
func TestFrameConstants(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"frameHeaderSize", frameHeaderSize, 28},
		{"frameMagic", frameMagic, 0xA5},
		{"protocolVersion", protocolVersion, 3},
		{"frameData", int(frameData), 1},
		{"framePing", int(framePing), 2},
		{"frameGoAway", int(frameGoAway), 3},
		{"frameAbort", int(frameAbort), 4},
		{"frameCopy", int(frameCopy), 5},
		{"frameCopied", int(frameCopied), 6},
		{"frameCopyOffer", int(frameCopyOffer), 7},
		{"frameCopyAnswer", int(frameCopyAnswer), 8},
		{"copy trailer", frameCopy.trailerSize(), 8},
		{"offer trailer", frameCopyOffer.trailerSize(), 24},
		{"preambleSize", preambleSize, 8},
		{"helloBody", helloBody, 44},
		{"challengeBody", challengeBody, 76},
		{"proofBody", proofBody, 32},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}

	// The byte layout of one header, field by field.
	h := frameHeader{Type: frameData, Datatype: comm.Float64, Context: 0x01020304, Source: 0x05060708, Tag: -2, Length: 0x1122334455667788}
	var b [frameHeaderSize]byte
	h.encode(b[:], nil)
	want := "a5" + "03" + "01" + "07" + "01020304" + "05060708" + "fffffffe" + "1122334455667788" + "10c4e4a9"
	if got := hex.EncodeToString(b[:]); got != want {
		t.Errorf("encoded header\n got %s\nwant %s", got, want)
	}
	// The example in docs/PROTOCOL.md.
	ex := frameHeader{Type: frameData, Datatype: comm.Float64, Context: 1, Source: 5, Tag: -2, Length: 64}
	ex.encode(b[:], nil)
	if got, want := hex.EncodeToString(b[:]), "a5030107"+"00000001"+"00000005"+"fffffffe"+"0000000000000040"+"c4f24426"; got != want {
		t.Errorf("the protocol document's example\n got %s\nwant %s", got, want)
	}
	// The checksum is CRC-32C (Castagnoli), pinned by its standard check
	// value, so another implementation can compute the same.
	if got := crc32.Checksum([]byte("123456789"), castagnoli); got != 0xe3069283 {
		t.Errorf("CRC-32C check value %08x, want e3069283", got)
	}
}

func TestFrameHeaderRoundTrip(t *testing.T) {
	for _, h := range []frameHeader{
		{Type: frameData, Datatype: comm.Byte},
		{Type: frameData, Datatype: comm.Float64, Context: 7, Source: 3, Tag: 42, Length: 8 << 20},
		{Type: frameData, Datatype: comm.Encoded, Context: ^uint32(0), Source: ^uint32(0), Tag: -1 << 31, Length: ^uint64(0)},
		{Type: framePing, Source: 1},
		{Type: frameGoAway, Source: 2},
		{Type: frameAbort, Source: 5, Tag: 137},
	} {
		var b [frameHeaderSize]byte
		h.encode(b[:], nil)
		got, err := decodeFrameHeader(b[:])
		if err != nil {
			t.Errorf("%v: %v", h, err)
			continue
		}
		if got != h {
			t.Errorf("round trip of %v gave %v", h, got)
		}
	}
}

func TestFrameHeaderString(t *testing.T) {
	for _, c := range []struct {
		h    frameHeader
		want string
	}{
		{frameHeader{Type: frameData, Datatype: comm.Int32, Context: 1, Source: 2, Tag: 3, Length: 4}, "data{ctx 1 src 2 tag 3 type int32 len 4}"},
		{frameHeader{Type: framePing, Source: 9}, "ping{src 9}"},
		{frameHeader{Type: frameGoAway, Source: 9}, "goaway{src 9}"},
		{frameHeader{Type: frameAbort, Source: 9, Tag: 3}, "abort{src 9 code 3}"},
		{frameHeader{Type: 77, Source: 9}, "frametype(77){src 9}"},
	} {
		if got := c.h.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}
}

// TestFrameInvalid: every malformed header is a protocol error that says
// what was wrong.
func TestFrameInvalid(t *testing.T) {
	const peer, max = 3, 1 << 20
	good := frameHeader{Type: frameData, Datatype: comm.Float64, Source: peer, Length: 64}
	for _, c := range []struct {
		name string
		edit func(b []byte)
		want string
	}{
		{"bad magic", func(b []byte) { b[0] = 'G' }, "bad magic"},
		{"bad version", func(b []byte) { b[1] = 1 }, "version 1"},
		{"type zero", func(b []byte) { b[2] = 0 }, "unknown frame type 0"},
		{"type too big", func(b []byte) { b[2] = 9 }, "unknown frame type 9"},
		{"copied with length", func(b []byte) { b[2] = byte(frameCopied); b[3] = 0 }, "copied frame with datatype 0 and length 64"},
		{"copy over max", func(b []byte) { b[2] = byte(frameCopy); b[16] = 0x40 }, "exceeds MaxMessage"},
		{"wrong source", func(b []byte) { b[11] = peer + 1 }, "source 4 on the link of rank 3"},
		{"datatype zero", func(b []byte) { b[3] = 0 }, "invalid datatype 0"},
		{"datatype unknown", func(b []byte) { b[3] = 200 }, "invalid datatype 200"},
		{"length over max", func(b []byte) { b[16] = 0x40 }, "exceeds MaxMessage"},
		{"length one over max", func(b []byte) { copy(b[16:], []byte{0, 0, 0, 0, 0, 0x10, 0, 8}) }, "exceeds MaxMessage"},
		{"partial element", func(b []byte) { b[23] = 65 }, "not a whole number of float64"},
		{"ping with length", func(b []byte) { b[2] = byte(framePing); b[3] = 0 }, "ping frame with datatype 0 and length 64"},
		{"abort with datatype", func(b []byte) { b[2] = byte(frameAbort); b[16+7] = 0 }, "abort frame with datatype 7"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The header, edited and sealed again (so the check under test
			// is reached), then zeros for a trailer if the type has one.
			var b [frameHeaderSize + 24]byte
			good.encode(b[:], nil)
			c.edit(b[:])
			trl := b[frameHeaderSize : frameHeaderSize+frameType(b[2]).trailerSize()]
			binary.BigEndian.PutUint32(b[24:], frameSum(b[:], trl))
			r := frameReader{br: bufio.NewReader(bytes.NewReader(b[:])), peer: peer, max: max}
			_, err := r.next()
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("err = %v, want a protocol error", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %q, want it to mention %q", err, c.want)
			}
		})
	}
	t.Run("exactly max", func(t *testing.T) {
		h := good
		h.Length = max
		if err := h.validate(peer, max); err != nil {
			t.Error(err)
		}
	})
}

// TestFrameReaderStream reads several frames back to back through a
// reader that hands out one byte at a time: partial reads everywhere.
func TestFrameReaderStream(t *testing.T) {
	var stream bytes.Buffer
	var want []frameHeader
	var payloads [][]byte
	for i, n := range []int{0, 8, 1000, 3 * 4096} {
		h := frameHeader{Type: frameData, Datatype: comm.Byte, Source: 1, Tag: int32(i), Length: uint64(n)}
		var b [frameHeaderSize]byte
		h.encode(b[:], nil)
		stream.Write(b[:])
		p := pattern(n, 1, 0, i)
		stream.Write(p)
		want = append(want, h)
		payloads = append(payloads, p)
		h = frameHeader{Type: framePing, Source: 1}
		h.encode(b[:], nil)
		stream.Write(b[:])
	}
	r := frameReader{br: bufio.NewReaderSize(oneByteReader{&stream}, 16), peer: 1, max: 1 << 20}
	for i := range want {
		h, err := r.next()
		if err != nil || h != want[i] {
			t.Fatalf("frame %d: %v, %v; want %v", i, h, err, want[i])
		}
		buf := make([]byte, h.Length)
		if err := r.readPayload(buf); err != nil || !bytes.Equal(buf, payloads[i]) {
			t.Fatalf("payload %d: err %v, equal %v", i, err, bytes.Equal(buf, payloads[i]))
		}
		if h, err := r.next(); err != nil || h.Type != framePing {
			t.Fatalf("after frame %d: %v, %v; want a ping", i, h, err)
		}
	}
}

type oneByteReader struct{ r *bytes.Buffer }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}
