package dataio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// openTimeout bounds a read that must not block; it never takes more than
// milliseconds, so the margin is for a loaded machine.
const openTimeout = 30 * time.Second

// TestOpenRefusesNonRegularFiles: a device, a directory, a FIFO and a
// socket are refused at once, through Open and every reader that takes a
// path, with an error saying what the path is. Before, /dev/zero grew
// memory until the process died and a FIFO blocked forever.
func TestOpenRefusesNonRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "x.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "s.csv")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	link := filepath.Join(dir, "zero.csv")
	if err := os.Symlink("/dev/zero", link); err != nil {
		t.Fatal(err)
	}
	subdir := filepath.Join(dir, "d.npy")
	if err := os.Mkdir(subdir, 0o755); err != nil {
		t.Fatal(err)
	}
	readers := map[string]func(string) error{
		"Open":       func(p string) error { _, err := Open(p); return err },
		"LoadMatrix": func(p string) error { _, err := LoadMatrix(p); return err },
		"LoadTable":  func(p string) error { _, err := LoadTable(p, CSVOptions{}); return err },
	}
	for _, c := range []struct{ path, what string }{
		{"/dev/zero", "a character device"},
		{link, "a character device"},
		{fifo, "a named pipe (FIFO)"},
		{sock, "a socket"},
		{subdir, "a directory"},
	} {
		for name, read := range readers {
			if c.path == "/dev/zero" && name == "LoadMatrix" {
				continue // no extension: refused for that first
			}
			err := withTimeout(t, func() error { return read(c.path) }, func() { unblockFIFO(fifo) })
			want := c.path + " is " + c.what + ", not a regular file (for data from a program, pipe it to standard input, -)"
			if err == nil || err.Error() != want {
				t.Errorf("%s(%s): %v, want %q", name, c.path, err, want)
			}
		}
	}
	if _, err := Open(""); err == nil || err.Error() != "dataio: no file name given" {
		t.Errorf(`Open(""): %v`, err)
	}
	_, err = Open(filepath.Join(dir, "missing.csv"))
	if !errors.Is(err, fs.ErrNotExist) || err.Error() != filepath.Join(dir, "missing.csv")+": no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
}

// withTimeout runs f and returns its error, failing the test if f has not
// returned after openTimeout; then it calls unblock and waits for f.
func withTimeout(t *testing.T, f func() error, unblock func()) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(openTimeout):
		t.Errorf("still blocked after %v", openTimeout)
		unblock()
		return <-done
	}
}

// unblockFIFO opens path for reading and writing, which never blocks on
// Linux and releases a reader blocked opening it.
func unblockFIFO(path string) {
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
		f.Close()
	}
}

// TestStandardInput: "-" reads standard input, whatever it is: a CSV, a
// .npy (recognised by its magic), a whitespace table; and an endless input
// of zero bytes fails at the row limit instead of growing memory.
func TestStandardInput(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		content []byte
	}{
		{"csv", []byte("x,y,z\n1,2,3\n4,5,-6\n")},
		{"npy", npyFile(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", encode("<i8", matrix23C))},
		{"txt", []byte("# numpy.savetxt\n1 2 3\n4 5 -6\n")},
	} {
		path := filepath.Join(dir, c.name)
		writeFile(t, path, c.content)
		a, err := loadStdin(t, path, func() (*Array, error) { return LoadMatrix("-") })
		if err != nil || fmt.Sprint(a.Shape, a.Data) != fmt.Sprint([]int{2, 3}, matrix23C) {
			t.Errorf("%s: %v, %v", c.name, a, err)
		}
	}
	tab, err := loadStdin(t, filepath.Join(dir, "csv"), func() (*Table, error) { return LoadTable("-", CSVOptions{}) })
	if err != nil || fmt.Sprint(tab.Header()) != "[x y z]" || tab.Rows() != 2 {
		t.Errorf("LoadTable(-): %v, %v", tab, err)
	}
	// An endless row: both ways of reading text stop at the limit.
	for _, opts := range []CSVOptions{{}, {Whitespace: true}} {
		_, err := loadStdin(t, "/dev/zero", func() (*Table, error) { return LoadTable("-", opts) })
		if !matches(err, "standard input: the first row is longer than 16777216 bytes, ...") {
			t.Errorf("LoadTable(-) of /dev/zero, whitespace %v: %v", opts.Whitespace, err)
		}
	}
	_, err = loadStdin(t, "/dev/zero", func() (*Array, error) { return LoadMatrix("-") })
	if !matches(err, "standard input: the first row is longer than 16777216 bytes, ...") {
		t.Errorf("LoadMatrix(-) of /dev/zero: %v", err)
	}
	if r, err := Open("-"); err != nil || r.Close() != nil {
		t.Errorf("Open(-): %v", err)
	}
	if _, err := os.Stdin.Stat(); err != nil {
		t.Errorf("closing Open(-) closed standard input: %v", err)
	}
}

// loadStdin calls load with standard input reading path.
func loadStdin[T any](t *testing.T, path string, load func() (T, error)) (T, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()
	v, err := load()
	if _, statErr := f.Stat(); statErr != nil {
		t.Errorf("reading %s closed standard input: %v", path, statErr)
	}
	return v, err
}

// TestLoadMatrixBOM: the first row of a CSV that starts with a byte order
// mark is data (before, the mark made "1" look like a name, and the row was
// dropped as a header: a bootstrap saw n=1 of 2).
func TestLoadMatrixBOM(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.csv")
	writeFile(t, path, []byte("\xef\xbb\xbf1,2,3\n4,5,6\n"))
	a, err := LoadMatrix(path)
	if err != nil || fmt.Sprint(a.Shape, a.Data) != "[2 3] [1 2 3 4 5 6]" {
		t.Errorf("got %v, %v", a, err)
	}
}

func TestOpenReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.csv")
	writeFile(t, path, []byte("1,2\n"))
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil || string(b) != "1,2\n" || r.Close() != nil {
		t.Errorf("read %q, %v", b, err)
	}
}
