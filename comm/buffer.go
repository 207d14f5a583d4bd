package comm

import (
	"encoding/binary"
	"fmt"
	"reflect"
	"unsafe"
)

// The fast tier moves typed slices as their raw bytes. The wire format is
// little-endian (docs/PROTOCOL.md); on the little-endian machines Go runs
// HPC codes on, a slice's memory already is its wire form, so no element
// is ever encoded or copied on the way to the socket.
func init() {
	var x uint16 = 1
	if binary.NativeEndian.Uint16((*[2]byte)(unsafe.Pointer(&x))[:]) != 1 {
		// Guarded here rather than silently producing wrong numbers.
		panic("comm: big-endian machines are not supported yet")
	}
}

// bytesOf views a slice's elements as bytes, without copying.
func bytesOf[T any](s []T) []byte {
	if len(s) == 0 {
		return []byte{}
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

// view returns the datatype, the byte view and the element count of a
// buffer of the fast tier. Passing any other type is a programming error.
func view(buf any) (Datatype, []byte, int) {
	switch b := buf.(type) {
	case []float64:
		return Float64, bytesOf(b), len(b)
	case []float32:
		return Float32, bytesOf(b), len(b)
	case []int64:
		return Int64, bytesOf(b), len(b)
	case []int32:
		return Int32, bytesOf(b), len(b)
	case []uint64:
		return Uint64, bytesOf(b), len(b)
	case []uint32:
		return Uint32, bytesOf(b), len(b)
	case []byte:
		return Byte, b, len(b)
	case []int:
		if unsafe.Sizeof(int(0)) == 8 {
			return Int64, bytesOf(b), len(b)
		}
		return Int32, bytesOf(b), len(b)
	case nil:
		panic("comm: nil buffer")
	}
	// reflect.TypeOf, not %T: a buffer passed to fmt would escape, and
	// every call's buffer would be boxed on the heap.
	panic(fmt.Sprintf("comm: unsupported buffer type %s (want []float64, []float32, []int64, []int32, []int, []uint64, []uint32 or []byte)", reflect.TypeOf(buf)))
}
