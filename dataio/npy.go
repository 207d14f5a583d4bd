package dataio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// The .npy format (numpy.lib.format): the magic "\x93NUMPY", a major and a
// minor version byte, the header length (2 bytes little-endian in version
// 1.0, 4 bytes in 2.0 and 3.0), the header (a Python dict literal, padded
// with spaces and ended by '\n'), then the raw data.
//
// Why this package reads .npy itself rather than through
// codeberg.org/sbinet/npyio: v0.14.0 was run on this package's tests and
// edge cases, and a user would get worse results from it. It panics on
// malformed headers (a header with no '\n', keys in another order than
// NumPy's, a truncated header: slice bounds out of range), so a bad file
// would crash a job instead of failing with a message; it allocates what
// the header announces before reading the data (512 MB for a 100-byte file
// claiming 2^26 float64) and takes a version 2.0 header length of up to
// 4 GiB at its word; it refuses version 3.0 files; it parses the header by
// searching for substrings, so double quotes or Python 2's 3L fail; its
// errors say "types don't match" or "EOF" without saying what was wanted;
// reading into []float64 refuses '<f4', '<i8' and '<i4' files (only a
// gonum mat.Dense converts); and it is slow: in one process, three rounds
// on a loaded machine, writing 32 MiB of float64 took 2.9-4.0 s against
// 8-10 ms here, reading it 64-250 ms against 29-40 ms. What it offers beyond this package (complex numbers,
// n-d arrays, .npz, structured dtypes) no job reads. Its own dependencies
// (gonum, x/text, gopickle) would come along too.

const npyMagic = "\x93NUMPY"

// maxNPYHeader bounds the header length a reader accepts. NumPy itself
// refuses headers over 10000 bytes by default; ours are well under 128.
const maxNPYHeader = 1 << 16

// npyChunk is how many bytes of data ReadNPY reads at a time.
const npyChunk = 64 << 10

// npyInitialElements caps what ReadNPY allocates on the header's word alone
// when it cannot tell how much data the input really holds: beyond it the
// array grows only as data arrives.
const npyInitialElements = 1 << 20

// ReadNPY reads a .npy file (format version 1.0, 2.0 or 3.0) holding a 1-D
// or 2-D array of floats (dtype f8, f4), signed or unsigned integers (i1,
// i2, i4, i8, u1, u2, u4, u8) or booleans (b1), little- or big-endian ('<',
// '>'; '|' for one byte), and returns it as float64 in row-major order (an
// array stored in Fortran order is transposed). Integers convert exactly:
// a 64-bit integer with no exact float64 (beyond ±2⁵³ and not a multiple of
// the spacing there) is an error. Bytes after the array are not read.
//
// The header is checked before the data is read, and the data is read in
// chunks, so a header announcing more data than the input holds fails with
// "npy: truncated data" without allocating for the announced size.
func ReadNPY(r io.Reader) (*Array, error) {
	avail := int64(-1)
	if l, ok := r.(interface{ Len() int }); ok {
		avail = int64(l.Len())
	}
	return readNPY(r, avail)
}

// readNPY is ReadNPY for a reader known to hold avail bytes (-1: unknown).
func readNPY(r io.Reader, avail int64) (*Array, error) {
	var pre [12]byte // magic, version, header length
	n, err := io.ReadFull(r, pre[:8])
	switch {
	case n == 0 && err == io.EOF:
		return nil, errors.New("npy: empty input, not a .npy file")
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return nil, fmt.Errorf("npy: %w", err)
	}
	if m := min(n, len(npyMagic)); string(pre[:m]) != npyMagic[:m] {
		return nil, fmt.Errorf("npy: bad magic %q: not a .npy file", pre[:m])
	}
	if err != nil {
		return nil, fmt.Errorf("npy: truncated header: %d bytes", n)
	}
	major, minor := pre[6], pre[7]
	lenBytes := 4
	switch {
	case major == 1 && minor == 0:
		lenBytes = 2
	case (major == 2 || major == 3) && minor == 0:
	default:
		return nil, fmt.Errorf("npy: unsupported format version %d.%d", major, minor)
	}
	if _, err := io.ReadFull(r, pre[8:8+lenBytes]); err != nil {
		return nil, fmt.Errorf("npy: truncated header: %w", err)
	}
	hlen := int(binary.LittleEndian.Uint16(pre[8:10]))
	if lenBytes == 4 {
		n := binary.LittleEndian.Uint32(pre[8:12])
		if n > maxNPYHeader {
			return nil, fmt.Errorf("npy: header: length %d exceeds the limit of %d bytes", n, maxNPYHeader)
		}
		hlen = int(n)
	}
	text := make([]byte, hlen)
	if n, err := io.ReadFull(r, text); err != nil {
		return nil, fmt.Errorf("npy: truncated header: want %d bytes, got %d", hlen, n)
	}
	consumed := int64(6 + 2 + lenBytes + hlen)
	h, err := parseNPYHeader(string(text))
	if err != nil {
		return nil, err
	}
	dt, ok := parseDtype(h.descr)
	if !ok {
		return nil, fmt.Errorf("npy: unsupported dtype '%s'", h.descr)
	}
	if len(h.shape) != 1 && len(h.shape) != 2 {
		return nil, fmt.Errorf("npy: %d-d array (shape %s): want 1-d or 2-d", len(h.shape), shapeString(h.shape))
	}
	count, ok := elementCount(h.shape)
	// The byte count must fit too, and so must a []float64 of count
	// elements.
	if !ok || count > math.MaxInt/8 {
		return nil, fmt.Errorf("npy: shape %s is too large", shapeString(h.shape))
	}
	want := int64(count) * int64(dt.size)
	if avail >= 0 && avail-consumed < want {
		return nil, fmt.Errorf("npy: truncated data: want %d bytes, got %d", want, max(avail-consumed, 0))
	}
	capHint := count
	if avail < 0 {
		capHint = min(count, npyInitialElements)
	}
	data, err := readNPYData(r, dt, count, capHint)
	if err != nil {
		return nil, err
	}
	shape := append([]int(nil), h.shape...)
	if h.fortranOrder && len(shape) == 2 {
		data = transpose(data, shape[1], shape[0])
	}
	return &Array{Data: data, Shape: shape}, nil
}

// readNPYData reads count elements of type dt and converts them, starting
// with capacity capHint.
func readNPYData(r io.Reader, dt npyDtype, count, capHint int) ([]float64, error) {
	data := make([]float64, 0, capHint)
	chunk := make([]byte, min(npyChunk, count*dt.size))
	want := int64(count) * int64(dt.size)
	var got int64
	for len(data) < count {
		buf := chunk[:min(len(chunk), (count-len(data))*dt.size)]
		n, err := io.ReadFull(r, buf)
		got += int64(n)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, fmt.Errorf("npy: truncated data: want %d bytes, got %d", want, got)
			}
			return nil, fmt.Errorf("npy: reading data: %w", err)
		}
		var err2 error
		data, err2 = appendConverted(data, buf, dt)
		if err2 != nil {
			return nil, err2
		}
	}
	return data, nil
}

// transpose returns the transpose of the rows×cols row-major matrix a: a
// cols×rows row-major matrix. A Fortran-order R×C array read as it is stored
// is a C×R row-major matrix, so transpose(data, C, R) puts it in C order.
func transpose(a []float64, rows, cols int) []float64 {
	t := make([]float64, len(a))
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			t[j*rows+i] = a[i*cols+j]
		}
	}
	return t
}

// WriteNPY writes a as NumPy would save a float64 array: format version 1.0,
// dtype '<f8', C order, the header padded with spaces to a multiple of 64
// bytes. It returns an error if a is not 1-D or 2-D or its shape does not
// match len(a.Data).
func WriteNPY(w io.Writer, a *Array) error {
	if err := a.check(); err != nil {
		return err
	}
	dict := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shapeString(a.Shape))
	// magic(6) + version(2) + length(2) + dict + padding + '\n'.
	total := 10 + len(dict) + 1
	pad := (64 - total%64) % 64
	hlen := len(dict) + pad + 1
	head := make([]byte, 0, 10+hlen)
	head = append(head, npyMagic...)
	head = append(head, 1, 0)
	head = binary.LittleEndian.AppendUint16(head, uint16(hlen))
	head = append(head, dict...)
	head = append(head, bytes.Repeat([]byte{' '}, pad)...)
	head = append(head, '\n')
	if _, err := w.Write(head); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	buf := make([]byte, 0, npyChunk)
	for i, v := range a.Data {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		if len(buf) == cap(buf) || i == len(a.Data)-1 {
			if _, err := w.Write(buf); err != nil {
				return fmt.Errorf("npy: %w", err)
			}
			buf = buf[:0]
		}
	}
	return nil
}
