package tcp

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/spmd-go/spmd/comm"
)

// Frame header layout (docs/PROTOCOL.md), big-endian:
//
//	offset  size  field
//	0       1     magic     frameMagic
//	1       1     version   protocolVersion
//	2       1     type      frameType
//	3       1     datatype  comm.Datatype (data frames), 0 otherwise
//	4       4     context   u32
//	8       4     source    u32, the sender's rank
//	12      4     tag       i32 (the abort code in abort frames)
//	16      8     length    u64, payload bytes (0 for control frames)
//	24      4     checksum  CRC-32C of bytes 0-23 and the frame's trailer
//
// The checksum makes a corrupted header an error at once: without it a
// changed tag or context left a message that no receive would ever match,
// and the job waited forever (docs/RELIABILITY.md). Payloads are not
// covered: summing every byte would cost the bulk path more than the
// corruption TCP's own checksum misses is worth.
const (
	frameHeaderSize = 28
	frameMagic      = 0xA5
	protocolVersion = 3
)

// castagnoli is CRC-32C, which amd64 and arm64 compute in hardware.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// frameSum is the checksum of a header's first 24 bytes and a trailer.
func frameSum(hdr, trailer []byte) uint32 {
	return crc32.Update(crc32.Checksum(hdr[:24], castagnoli), castagnoli, trailer)
}

// frameType says what a frame is for.
type frameType uint8

const (
	frameData   frameType = 1 // a message: header then Length payload bytes
	framePing   frameType = 2 // liveness, sent after Config.Heartbeat idle
	frameGoAway frameType = 3 // the sender closed normally; nothing follows
	frameAbort  frameType = 4 // the sender aborted with code Tag; nothing follows

	// Single copy between ranks on one machine (copy.go): the payload of a
	// copy frame stays in the sender's memory and the receiver reads it
	// from there with one system call, instead of through the socket.
	frameCopy       frameType = 5 // a message like data, but only its 8-byte address follows
	frameCopied     frameType = 6 // the receiver has read the last copy frame's payload
	frameCopyOffer  frameType = 7 // 24 bytes follow: pid, address and value of a probe word
	frameCopyAnswer frameType = 8 // Tag 1: the probe was read, copy frames are welcome; 0: not
)

// trailerSize is the number of bytes that follow the header of a frame of
// type t and are not payload.
func (t frameType) trailerSize() int {
	switch t {
	case frameCopy:
		return 8
	case frameCopyOffer:
		return 24
	}
	return 0
}

// carriesMessage says whether frames of type t carry a message (datatype
// and length describe its payload).
func (t frameType) carriesMessage() bool { return t == frameData || t == frameCopy }

func (t frameType) String() string {
	switch t {
	case frameData:
		return "data"
	case framePing:
		return "ping"
	case frameGoAway:
		return "goaway"
	case frameAbort:
		return "abort"
	case frameCopy:
		return "copy"
	case frameCopied:
		return "copied"
	case frameCopyOffer:
		return "copy-offer"
	case frameCopyAnswer:
		return "copy-answer"
	}
	return fmt.Sprintf("frametype(%d)", uint8(t))
}

// frameHeader is one decoded frame header. Magic and version are implicit:
// encode writes the current ones and decodeFrameHeader checks them.
type frameHeader struct {
	Type     frameType
	Datatype comm.Datatype
	Context  uint32
	Source   uint32
	Tag      int32
	Length   uint64
}

func (h frameHeader) String() string {
	switch h.Type {
	case frameData, frameCopy:
		return fmt.Sprintf("%v{ctx %d src %d tag %d type %v len %d}", h.Type, h.Context, h.Source, h.Tag, h.Datatype, h.Length)
	case frameAbort:
		return fmt.Sprintf("abort{src %d code %d}", h.Source, h.Tag)
	}
	return fmt.Sprintf("%v{src %d}", h.Type, h.Source)
}

// encode writes h into b, which must hold frameHeaderSize bytes, with the
// checksum of the header and trailer, the bytes that will follow it and
// are not payload (h.Type.trailerSize() of them).
func (h frameHeader) encode(b []byte, trailer []byte) {
	_ = b[frameHeaderSize-1]
	b[0] = frameMagic
	b[1] = protocolVersion
	b[2] = byte(h.Type)
	b[3] = byte(h.Datatype)
	binary.BigEndian.PutUint32(b[4:], h.Context)
	binary.BigEndian.PutUint32(b[8:], h.Source)
	binary.BigEndian.PutUint32(b[12:], uint32(h.Tag))
	binary.BigEndian.PutUint64(b[16:], h.Length)
	binary.BigEndian.PutUint32(b[24:], frameSum(b, trailer))
}

// decodeFrameHeader decodes the frameHeaderSize bytes of b. It checks
// only what needs no context (magic, version, type); checkSum checks the
// checksum once the trailer is read, and validate the rest against the
// link.
func decodeFrameHeader(b []byte) (frameHeader, error) {
	if len(b) < frameHeaderSize {
		return frameHeader{}, fmt.Errorf("%w: short frame header (%d bytes)", ErrProtocol, len(b))
	}
	if b[0] != frameMagic {
		return frameHeader{}, fmt.Errorf("%w: bad magic 0x%02x, want 0x%02x", ErrProtocol, b[0], frameMagic)
	}
	if b[1] != protocolVersion {
		return frameHeader{}, fmt.Errorf("%w: unsupported frame version %d, want %d", ErrProtocol, b[1], protocolVersion)
	}
	h := frameHeader{
		Type:     frameType(b[2]),
		Datatype: comm.Datatype(b[3]),
		Context:  binary.BigEndian.Uint32(b[4:]),
		Source:   binary.BigEndian.Uint32(b[8:]),
		Tag:      int32(binary.BigEndian.Uint32(b[12:])),
		Length:   binary.BigEndian.Uint64(b[16:]),
	}
	if h.Type < frameData || h.Type > frameCopyAnswer {
		return h, fmt.Errorf("%w: unknown frame type %d", ErrProtocol, b[2])
	}
	return h, nil
}

// checkSum checks the checksum of the header hdr and the trailer that
// followed it.
func checkSum(hdr, trailer []byte) error {
	if got, want := binary.BigEndian.Uint32(hdr[24:]), frameSum(hdr, trailer); got != want {
		return fmt.Errorf("%w: frame header checksum 0x%08x, want 0x%08x (the header or trailer was corrupted)", ErrProtocol, got, want)
	}
	return nil
}

// validate checks h as a frame read from the link of peer, whose payloads
// may be at most max bytes.
func (h frameHeader) validate(peer uint32, max uint64) error {
	if h.Source != peer {
		return fmt.Errorf("%w: frame from source %d on the link of rank %d", ErrProtocol, h.Source, peer)
	}
	if !h.Type.carriesMessage() {
		if h.Datatype != 0 || h.Length != 0 {
			return fmt.Errorf("%w: %v frame with datatype %d and length %d, want 0 and 0", ErrProtocol, h.Type, h.Datatype, h.Length)
		}
		return nil
	}
	if !h.Datatype.Valid() {
		return fmt.Errorf("%w: invalid datatype %d", ErrProtocol, uint8(h.Datatype))
	}
	if h.Length > max {
		return fmt.Errorf("%w: payload length %d exceeds MaxMessage %d", ErrProtocol, h.Length, max)
	}
	if h.Length%uint64(h.Datatype.Size()) != 0 {
		return fmt.Errorf("%w: payload length %d is not a whole number of %v elements", ErrProtocol, h.Length, h.Datatype)
	}
	return nil
}

// commHeader is the envelope of a data frame as package comm sees it.
func (h frameHeader) commHeader() comm.Header {
	return comm.Header{Context: h.Context, Source: h.Source, Tag: h.Tag, Type: h.Datatype, Length: h.Length}
}

// payloadChunk is how much payload is read or written per deadline: a
// large message on a slow link stays alive as long as each chunk moves
// within DeadAfter.
const payloadChunk = 4 << 20

// frameReader decodes frames from one connection. It is owned by the
// link's reader goroutine; its header buffer is reused for every frame.
type frameReader struct {
	br   *bufio.Reader
	hdr  [frameHeaderSize]byte
	peer uint32 // the authenticated rank of the other end
	max  uint64 // Config.MaxMessage
	arm  func() // refreshes the read deadline before each payload chunk; may be nil
	trl  [24]byte
}

// next reads one frame header and its trailer, and checks both. Errors
// from the reader come back unwrapped; errors about the frame wrap
// ErrProtocol.
func (r *frameReader) next() (frameHeader, error) {
	if _, err := io.ReadFull(r.br, r.hdr[:]); err != nil {
		return frameHeader{}, err
	}
	h, err := decodeFrameHeader(r.hdr[:])
	if err != nil {
		return h, err
	}
	if _, err := io.ReadFull(r.br, r.trailer(h)); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF // the frame had begun
		}
		return h, err
	}
	if err := checkSum(r.hdr[:], r.trailer(h)); err != nil {
		return h, err
	}
	return h, h.validate(r.peer, r.max)
}

// trailer returns the bytes that followed the header of h, the last one
// next read, and are not payload (see trailerSize); the slice is valid
// until the next call of next.
func (r *frameReader) trailer(h frameHeader) []byte { return r.trl[:h.Type.trailerSize()] }

// readPayload reads exactly len(buf) bytes into buf. Large payloads go
// straight from the socket into buf: bufio.Reader bypasses its own buffer
// for reads larger than it.
func (r *frameReader) readPayload(buf []byte) error {
	for off := 0; off < len(buf); {
		n := min(len(buf)-off, payloadChunk)
		if off > 0 && r.arm != nil {
			r.arm()
		}
		if _, err := io.ReadFull(r.br, buf[off:off+n]); err != nil {
			return err
		}
		off += n
	}
	return nil
}
