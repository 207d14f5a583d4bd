package par

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"reflect"
	"unsafe"
)

// A codec turns results into bytes for the trip to the root and back.
// Results of plain-data types (numbers, bools, arrays and structs of them:
// no pointers, strings, slices, maps or interfaces) travel as their memory,
// as comm's fast tier moves slices: every rank runs the same binary, so the
// layout is the same everywhere. Anything else goes through encoding/gob,
// one stream per message (register concrete types held in interfaces with
// comm.Register).
type codec[R any] struct {
	plain bool
	size  int
}

func newCodec[R any]() codec[R] {
	t := reflect.TypeFor[R]()
	return codec[R]{plain: isPlain(t), size: int(t.Size())}
}

func isPlain(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return isPlain(t.Elem())
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if !isPlain(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// bytesOf views vals as bytes (plain types only).
func (c codec[R]) bytesOf(vals []R) []byte {
	if len(vals) == 0 || c.size == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&vals[0])), len(vals)*c.size)
}

// encode appends vals to dst.
func (c codec[R]) encode(dst []byte, vals []R) ([]byte, error) {
	if c.plain {
		return append(dst, c.bytesOf(vals)...), nil
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(vals); err != nil {
		var zero R
		return nil, fmt.Errorf("par: encoding results of type %T: %w", zero, err)
	}
	return append(dst, b.Bytes()...), nil
}

// decode fills dst from src, which encode made from exactly len(dst)
// values.
func (c codec[R]) decode(dst []R, src []byte) error {
	if c.plain {
		if len(src) != len(dst)*c.size {
			return fmt.Errorf("par: %d bytes of results for %d items of %d bytes", len(src), len(dst), c.size)
		}
		copy(c.bytesOf(dst), src)
		return nil
	}
	var vals []R
	if len(dst) > 0 || len(src) > 0 {
		if err := gob.NewDecoder(bytes.NewReader(src)).Decode(&vals); err != nil {
			return fmt.Errorf("par: decoding results into %T: %w", vals, err)
		}
	}
	if len(vals) != len(dst) {
		return fmt.Errorf("par: %d results for %d items", len(vals), len(dst))
	}
	copy(dst, vals)
	return nil
}
