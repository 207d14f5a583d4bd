package dataio

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
)

// npyDtype is an element type ReadNPY converts to float64: the descr of a
// .npy header such as '<f8' is its byte order, kind and size in bytes.
type npyDtype struct {
	order binary.ByteOrder
	kind  byte // 'f' float, 'i' signed, 'u' unsigned, 'b' bool
	size  int
}

// parseDtype reads a descr such as '<f8', '>i4' or '|u1'; false if ReadNPY
// cannot convert that type. '=' (native order) is refused: NumPy never
// writes it, and the file alone cannot say which order it meant.
func parseDtype(descr string) (npyDtype, bool) {
	if len(descr) < 3 {
		return npyDtype{}, false
	}
	dt := npyDtype{kind: descr[1]}
	size, err := strconv.Atoi(descr[2:])
	if err != nil || descr[2] == '+' || descr[2] == '-' {
		return npyDtype{}, false
	}
	dt.size = size
	switch descr[0] {
	case '<':
		dt.order = binary.LittleEndian
	case '>':
		dt.order = binary.BigEndian
	case '|':
		if size != 1 {
			return npyDtype{}, false
		}
		dt.order = binary.LittleEndian
	default:
		return npyDtype{}, false
	}
	switch dt.kind {
	case 'f':
		return dt, size == 4 || size == 8
	case 'i', 'u':
		return dt, size == 1 || size == 2 || size == 4 || size == 8
	case 'b':
		return dt, size == 1
	}
	return npyDtype{}, false
}

// appendConverted appends the elements in buf, of type dt, as float64.
// len(data) is the index of buf's first element, for errors.
func appendConverted(data []float64, buf []byte, dt npyDtype) ([]float64, error) {
	o := dt.order
	if dt.kind == 'f' && dt.size == 8 { // the common case, kept tight
		for b := buf; len(b) >= 8; b = b[8:] {
			data = append(data, math.Float64frombits(o.Uint64(b)))
		}
		return data, nil
	}
	for b := buf; len(b) >= dt.size; b = b[dt.size:] {
		var v float64
		switch dt.size {
		case 1:
			switch {
			case dt.kind == 'i':
				v = float64(int8(b[0]))
			case dt.kind == 'b' && b[0] != 0:
				v = 1 // NumPy writes 1; any other byte is true too
			case dt.kind == 'u':
				v = float64(b[0])
			}
		case 2:
			v = float64(o.Uint16(b))
			if dt.kind == 'i' {
				v = float64(int16(o.Uint16(b)))
			}
		case 4:
			u := o.Uint32(b)
			switch dt.kind {
			case 'f':
				v = float64(math.Float32frombits(u))
			case 'i':
				v = float64(int32(u))
			default:
				v = float64(u)
			}
		case 8:
			u := o.Uint64(b)
			switch dt.kind {
			case 'f':
				v = math.Float64frombits(u)
			case 'i':
				// float64(x) rounds; it is exact when converting back
				// gives x (2⁶³ itself does not convert back).
				x := int64(u)
				if v = float64(x); v == 0x1p63 || int64(v) != x {
					return nil, fmt.Errorf("npy: element %d: int64 value %d has no exact float64", len(data), x)
				}
			default:
				if v = float64(u); v == 0x1p64 || uint64(v) != u {
					return nil, fmt.Errorf("npy: element %d: uint64 value %d has no exact float64", len(data), u)
				}
			}
		}
		data = append(data, v)
	}
	return data, nil
}
