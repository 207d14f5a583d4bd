package comm

import "fmt"

// Header is the envelope of one message: everything the receiver needs to
// match it to a receive before reading its payload. Its wire encoding
// belongs to the transport (docs/PROTOCOL.md for TCP).
type Header struct {
	Context uint32 // communicator context id; 0 is the world
	Source  uint32 // sender's rank in the world
	Tag     int32  // user tags are >= 0; collectives use reserved negative tags
	Type    Datatype
	Length  uint64 // payload bytes
}

func (h Header) String() string {
	return fmt.Sprintf("{ctx %d src %d tag %d type %v len %d}", h.Context, h.Source, h.Tag, h.Type, h.Length)
}

// Datatype names the element type of a payload, so a receive of the wrong
// type is reported instead of reinterpreting bytes.
type Datatype uint8

const (
	Byte    Datatype = 1
	Int32   Datatype = 2
	Int64   Datatype = 3
	Uint32  Datatype = 4
	Uint64  Datatype = 5
	Float32 Datatype = 6
	Float64 Datatype = 7
	// Encoded is the value tier: a self-contained encoding of a Go value.
	Encoded Datatype = 8
)

// Size is the size of one element in bytes.
func (d Datatype) Size() int {
	switch d {
	case Byte, Encoded:
		return 1
	case Int32, Uint32, Float32:
		return 4
	case Int64, Uint64, Float64:
		return 8
	}
	return 0
}

// Valid reports whether d is a known datatype.
func (d Datatype) Valid() bool { return d.Size() != 0 }

func (d Datatype) String() string {
	switch d {
	case Byte:
		return "byte"
	case Int32:
		return "int32"
	case Int64:
		return "int64"
	case Uint32:
		return "uint32"
	case Uint64:
		return "uint64"
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	case Encoded:
		return "encoded"
	}
	return fmt.Sprintf("datatype(%d)", uint8(d))
}
