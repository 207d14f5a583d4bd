package dataio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Open opens the file at path for reading, or standard input when path is
// "-" (closing it then leaves standard input open). It refuses anything
// that is not a regular file, naming what it is, because none of them is
// data a job can finish reading: a directory; a device such as /dev/zero,
// which never ends; a named pipe (FIFO), whose open blocks until some
// other process writes to it, forever if none does; a socket. Data that
// comes from another program can still be piped to standard input.
func Open(path string) (io.ReadCloser, error) {
	f, _, err := open(path)
	if err != nil {
		return nil, err
	}
	if f == os.Stdin {
		return io.NopCloser(f), nil
	}
	return f, nil
}

// open is Open returning the file itself and its name for errors.
// The caller closes f unless it is os.Stdin.
func open(path string) (f *os.File, name string, err error) {
	switch path {
	case "-":
		return os.Stdin, "standard input", nil
	case "":
		return nil, "", errors.New("dataio: no file name given")
	}
	// Stat before opening: opening a FIFO blocks, and opening a device
	// may do something.
	info, err := os.Stat(path)
	if err != nil {
		return nil, "", pathError(path, err)
	}
	if err := regular(path, info); err != nil {
		return nil, "", err
	}
	if f, err = os.Open(path); err != nil {
		return nil, "", pathError(path, err)
	}
	// The name could have been given to something else in between.
	if info, err = f.Stat(); err == nil {
		err = regular(path, info)
	}
	if err != nil {
		f.Close()
		return nil, "", err
	}
	return f, path, nil
}

// regular returns an error unless info is a regular file's.
func regular(path string, info fs.FileInfo) error {
	m := info.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		what = "a character device"
	case m&fs.ModeDevice != 0:
		what = "a block device"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	}
	return fmt.Errorf("%s is %s, not a regular file (for data from a program, pipe it to standard input, -)", path, what)
}

// pathError turns an *fs.PathError into "path: reason" (the operation,
// stat or open, says nothing to a user); it still wraps the reason, so
// errors.Is(err, fs.ErrNotExist) holds.
func pathError(path string, err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return err
}

// The formats LoadMatrix and SaveMatrix know, by extension.
const formatList = ".npy, .csv, .tsv or .txt"

func knownFormat(ext string) bool {
	switch ext {
	case ".npy", ".csv", ".tsv", ".txt":
		return true
	}
	return false
}

// formatError says that path's extension names no format.
func formatError(path string) error {
	if ext := filepath.Ext(path); ext != "" {
		return fmt.Errorf("%s: unknown extension %q: want %s", path, ext, formatList)
	}
	return fmt.Errorf("%s: no extension to tell the format: want %s", path, formatList)
}

// LoadMatrix reads the array in the file at path, choosing the format by
// the extension (case-insensitive):
//
//	.npy  NumPy (ReadNPY)
//	.csv  comma-separated numbers (ReadCSV; header by HeaderAuto)
//	.tsv  tab-separated numbers
//	.txt  numbers separated by white space, as numpy.savetxt writes
//	      them, or by commas if the first line of data has one
//
// Path "-" reads standard input: as .npy if it starts like one, else as
// .txt. A text file gives a 2-D array, rows × columns (a header row is not
// data), read without keeping its text; for a table with text columns, or
// for other CSVOptions, use LoadTable. The file must be a regular file (see
// Open). Errors start with the path.
func LoadMatrix(path string) (*Array, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if path != "-" && !knownFormat(ext) {
		return nil, formatError(path)
	}
	f, name, err := open(path)
	if err != nil {
		return nil, err
	}
	if f != os.Stdin {
		defer f.Close()
	}
	br := bufio.NewReaderSize(f, readAhead)
	if path == "-" {
		if b, _ := br.Peek(len(npyMagic)); string(b) == npyMagic {
			ext = ".npy"
		}
	}
	if ext == ".npy" {
		avail := int64(-1)
		if info, err := f.Stat(); err == nil && info.Mode().IsRegular() && f != os.Stdin {
			avail = info.Size()
		}
		a, err := readNPY(br, avail)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return a, nil
	}
	r, opts := textFormat(br, path, CSVOptions{})
	a, _, err := readMatrixText(r, opts, name)
	return a, err
}

// textFormat sets the separator in opts from path's extension when opts
// leaves it open (see LoadTable), and returns the reader to read from.
func textFormat(f io.Reader, path string, opts CSVOptions) (io.Reader, CSVOptions) {
	if opts.Comma != 0 || opts.Whitespace {
		return f, opts
	}
	switch ext := strings.ToLower(filepath.Ext(path)); {
	case ext == ".tsv":
		opts.Comma = '\t'
	case ext == ".txt" || path == "-":
		br := bufio.NewReaderSize(f, readAhead)
		opts.Whitespace = !firstDataLineHas(br, ',', opts.comment())
		return br, opts
	}
	return f, opts
}

// firstDataLineHas reports whether the first line of br that is neither
// blank nor a comment contains c, looking no further than br's buffer.
func firstDataLineHas(br *bufio.Reader, c byte, comment rune) bool {
	buf, _ := br.Peek(br.Size())
	for len(buf) > 0 {
		line := buf
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			line, buf = buf[:i], buf[i+1:]
		} else {
			buf = nil
		}
		s := string(line)
		if comment > 0 {
			if i := strings.IndexRune(s, comment); i >= 0 {
				s = s[:i]
			}
		}
		if strings.TrimSpace(s) != "" {
			return strings.IndexByte(s, c) >= 0
		}
	}
	return false
}

// SaveMatrix writes a to the file at path in the format its extension names
// (.npy: WriteNPY; .csv: WriteCSV without a header; .tsv: the same with
// tabs; .txt: separated by spaces). A 1-D array is written to text as one
// column. Call CheckOutput with the same path before the work that computes
// a, so that a mistake in the name is found before the time is spent.
//
// The file is replaced atomically (see WriteFileAtomic): a reader sees the
// old file or the new one, never part of one; on any error path is left as
// it was. Errors start with the path.
func SaveMatrix(path string, a *Array) error {
	ext := strings.ToLower(filepath.Ext(path))
	if !knownFormat(ext) {
		return formatError(path)
	}
	if err := a.check(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return WriteFileAtomic(path, func(w io.Writer) error {
		switch ext {
		case ".npy":
			return WriteNPY(w, a)
		case ".tsv":
			return writeDelimited(w, '\t', nil, a.Data, a.Rows(), a.Cols())
		case ".txt":
			return writeDelimited(w, ' ', nil, a.Data, a.Rows(), a.Cols())
		}
		return writeDelimited(w, ',', nil, a.Data, a.Rows(), a.Cols())
	})
}
