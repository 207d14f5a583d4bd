package comm

import (
	"fmt"
	"math"
	"unsafe"
)

// An Op is a reduction operation of the fast tier: Sum, Prod, Min or Max,
// applied element by element. All four are commutative, and for the same
// inputs every collective combines them in the same fixed order (set by
// ranks, never by message arrival), so a reduction gives bit-identical
// results on every run.
type Op struct {
	name string
	id   uint8
}

var (
	Sum  = Op{"Sum", 1}
	Prod = Op{"Prod", 2}
	Min  = Op{"Min", 3} // for floats, NaN wins and -0 < +0, as math.Min
	Max  = Op{"Max", 4} // for floats, NaN wins and +0 > -0, as math.Max
)

func (op Op) String() string { return op.name }

type number interface {
	~int32 | ~int64 | ~uint32 | ~uint64 | ~float32 | ~float64 | ~uint8
}

// apply sets acc[i] = op(acc[i], in[i]) over two byte views of dt.
func (op Op) apply(dt Datatype, acc, in []byte) {
	switch dt {
	case Float64:
		reduceFloat(op, castBytes[float64](acc), castBytes[float64](in))
	case Float32:
		reduceFloat(op, castBytes[float32](acc), castBytes[float32](in))
	case Int64:
		reduceInt(op, castBytes[int64](acc), castBytes[int64](in))
	case Int32:
		reduceInt(op, castBytes[int32](acc), castBytes[int32](in))
	case Uint64:
		reduceInt(op, castBytes[uint64](acc), castBytes[uint64](in))
	case Uint32:
		reduceInt(op, castBytes[uint32](acc), castBytes[uint32](in))
	case Byte:
		reduceInt(op, acc, in)
	default:
		panic(fmt.Sprintf("comm: cannot reduce %v", dt))
	}
}

func castBytes[T any](b []byte) []T {
	var zero T
	n := len(b) / int(unsafe.Sizeof(zero))
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

func reduceInt[T ~int32 | ~int64 | ~uint32 | ~uint64 | ~uint8](op Op, acc, in []T) {
	in = in[:len(acc)]
	switch op.id {
	case 1:
		for i, v := range in {
			acc[i] += v
		}
	case 2:
		for i, v := range in {
			acc[i] *= v
		}
	case 3:
		for i, v := range in {
			acc[i] = min(acc[i], v)
		}
	case 4:
		for i, v := range in {
			acc[i] = max(acc[i], v)
		}
	default:
		panic("comm: unknown Op")
	}
}

func reduceFloat[T ~float32 | ~float64](op Op, acc, in []T) {
	in = in[:len(acc)]
	switch op.id {
	case 1:
		for i, v := range in {
			acc[i] += v
		}
	case 2:
		for i, v := range in {
			acc[i] *= v
		}
	case 3:
		for i, v := range in {
			acc[i] = T(math.Min(float64(acc[i]), float64(v)))
		}
	case 4:
		for i, v := range in {
			acc[i] = T(math.Max(float64(acc[i]), float64(v)))
		}
	default:
		panic("comm: unknown Op")
	}
}
