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

// LoadMatrix reads the array in the file at path, choosing the format by the
// extension (case-insensitive):
//
//	.npy  NumPy (ReadNPY)
//	.csv  comma-separated (ReadCSV, header row detected)
//	.txt  whitespace-separated like numpy.loadtxt, or comma-separated if
//	      the first data line has a comma
//
// Text files give a 2-D array (rows × columns; a header row is dropped).
// Errors start with the path.
func LoadMatrix(path string) (*Array, error) {
	a, err := loadMatrix(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func loadMatrix(path string) (*Array, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".npy" && ext != ".csv" && ext != ".txt" {
		return nil, fmt.Errorf("dataio: unknown extension %q: want .npy, .csv or .txt", filepath.Ext(path))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if ext == ".npy" {
		info, err := f.Stat()
		if err != nil {
			return nil, err
		}
		avail := int64(-1)
		if info.Mode().IsRegular() {
			avail = info.Size()
		}
		return readNPY(f, avail)
	}
	br := bufio.NewReaderSize(f, 64<<10)
	opts := CSVOptions{}
	if ext == ".txt" && !firstDataLineHas(br, ',') {
		opts.Whitespace = true
	}
	t, err := ReadCSV(br, opts)
	if err != nil {
		return nil, err
	}
	return &Array{Data: t.Data, Shape: []int{t.Rows, t.Cols}}, nil
}

// firstDataLineHas reports whether the first line of br that is neither
// blank nor a comment contains c, looking no further than br's buffer.
func firstDataLineHas(br *bufio.Reader, c byte) bool {
	buf, _ := br.Peek(br.Size())
	for len(buf) > 0 {
		line := buf
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			line, buf = buf[:i], buf[i+1:]
		} else {
			buf = nil
		}
		s := string(line)
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = s[:i]
		}
		if strings.TrimSpace(s) != "" {
			return strings.IndexByte(s, c) >= 0
		}
	}
	return false
}

// SaveMatrix writes a to the file at path in the format its extension names
// (.npy: WriteNPY; .csv: WriteCSV without a header; .txt: space-separated).
// A 1-D array is written to text as one column.
//
// The file is replaced atomically: a is written to a temporary file in the
// same directory, which is synced and then renamed to path. On any error the
// temporary file is removed and path is left as it was. The directory must
// exist. Errors start with the path.
func SaveMatrix(path string, a *Array) error {
	ext := strings.ToLower(filepath.Ext(path))
	var write func(io.Writer) error
	switch ext {
	case ".npy":
		write = func(w io.Writer) error { return WriteNPY(w, a) }
	case ".csv", ".txt":
		sep := byte(',')
		if ext == ".txt" {
			sep = ' '
		}
		write = func(w io.Writer) error { return writeDelimited(w, sep, nil, a.Data, a.Rows(), a.Cols()) }
	default:
		return fmt.Errorf("%s: dataio: unknown extension %q: want .npy, .csv or .txt", path, filepath.Ext(path))
	}
	if err := a.check(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := writeAtomic(path, write); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeAtomic creates path with the content write produces, through a
// synced temporary file renamed into place; on error it removes the
// temporary file.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if info, statErr := os.Stat(dir); statErr != nil {
		if errors.Is(statErr, fs.ErrNotExist) {
			return fmt.Errorf("dataio: directory %s does not exist", dir)
		}
		return statErr
	} else if !info.IsDir() {
		return fmt.Errorf("dataio: %s is not a directory", dir)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer track(tmp.Name())()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; a saved matrix is as readable as
	// any file the user creates.
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Sync the directory so the rename itself survives a crash; not every
	// file system supports it, and the data is already safe, so a failure
	// here is not reported.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
