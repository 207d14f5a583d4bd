package tcp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

// fuzzMaxMessage is MaxMessage for the fuzz targets: small, so that "no
// allocation beyond MaxMessage" also keeps the fuzzer fast.
const fuzzMaxMessage = 1 << 16

// frameBytes is a whole frame: h's header, sealed with the checksum of
// its trailer (the first h.Type.trailerSize() bytes of payload), then
// payload.
func frameBytes(h frameHeader, payload []byte) []byte {
	b := make([]byte, frameHeaderSize, frameHeaderSize+len(payload))
	h.encode(b, payload[:min(len(payload), h.Type.trailerSize())])
	return append(b, payload...)
}

// reseal writes the checksum of the header b (with no trailer) after a
// test has changed its fields, so that what it checks is the field.
func reseal(b []byte) { binary.BigEndian.PutUint32(b[24:], frameSum(b, nil)) }

// FuzzDecodeFrame feeds arbitrary bytes to the frame reader the way a
// socket does: in two chunks, split at a point the input chooses (as
// nats-server's FuzzParser does), so headers and payloads straddle reads.
// The reader must never panic, never accept a payload larger than
// MaxMessage (it would be allocated), and decode exactly what encode
// wrote.
//
// Input: 2 bytes of split point, then the stream.
func FuzzDecodeFrame(f *testing.F) {
	data := func(src uint32, dt comm.Datatype, n int) []byte {
		return frameBytes(frameHeader{Type: frameData, Datatype: dt, Source: src, Tag: 5, Length: uint64(n)}, pattern(n, int(src), 0, 0))
	}
	ctl := func(t frameType, tag int32) []byte {
		return frameBytes(frameHeader{Type: t, Source: 1, Tag: tag}, nil)
	}
	huge := frameBytes(frameHeader{Type: frameData, Datatype: comm.Byte, Source: 1, Length: 1 << 62}, nil)
	for _, seed := range [][]byte{
		data(1, comm.Byte, 0),
		data(1, comm.Float64, 64),
		append(append(data(1, comm.Byte, 3), ctl(framePing, 0)...), data(1, comm.Int32, 12)...),
		ctl(frameGoAway, 0),
		ctl(frameAbort, 3),
		frameBytes(frameHeader{Type: frameCopy, Datatype: comm.Float64, Source: 1, Length: 1 << 20}, make([]byte, 8)),
		frameBytes(frameHeader{Type: frameCopyOffer, Source: 1}, make([]byte, 24)),
		append(ctl(framePing, 0)[:frameHeaderSize-1], 0), // a bad checksum
		ctl(frameCopied, 0),
		ctl(frameCopyAnswer, 1),
		huge,
		data(2, comm.Byte, 4),          // wrong source
		data(1, comm.Float64, 12)[:30], // partial element and truncated
		[]byte("GET / HTTP/1.1\r\n\r\n"),
	} {
		for _, split := range []uint16{0, 1, 11, 23, 24, 25} {
			f.Add(append(binary.BigEndian.AppendUint16(nil, split), seed...))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 2 {
			return
		}
		split := int(binary.BigEndian.Uint16(in)) % (len(in) - 1)
		stream := in[2:]
		size := 16 // bufio's minimum: payloads mostly bypass the buffer
		if split%2 == 1 {
			size = 4096
		}
		r := frameReader{
			br:   bufio.NewReaderSize(io.MultiReader(bytes.NewReader(stream[:split]), bytes.NewReader(stream[split:])), size),
			peer: 1,
			max:  fuzzMaxMessage,
		}
		for range 1000 {
			h, err := r.next()
			if err != nil {
				return
			}
			var again [frameHeaderSize]byte
			h.encode(again[:], r.trailer(h))
			if again != r.hdr {
				t.Fatalf("decode(%x) = %v encodes back to %x", r.hdr, h, again)
			}
			if !h.Type.carriesMessage() {
				if h.Length != 0 {
					t.Fatalf("accepted %v with a payload", h)
				}
			} else if h.Length > fuzzMaxMessage || !h.Datatype.Valid() {
				t.Fatalf("accepted %v (MaxMessage %d)", h, fuzzMaxMessage)
			}
			if trl := r.trailer(h); len(trl) != h.Type.trailerSize() {
				t.Fatalf("%v: trailer of %d bytes, want %d", h, len(trl), h.Type.trailerSize())
			}
			if h.Type != frameData {
				continue
			}
			buf := make([]byte, h.Length)
			if err := r.readPayload(buf); err != nil {
				return
			}
		}
	})
}
