package boot

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadHostfile: a regular file is read; a FIFO (which would block the
// launcher until a writer came, forever if none does), a device and a
// directory are refused at once, with an error saying what they are.
func TestReadHostfile(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "hosts")
	if err := os.WriteFile(regular, []byte("n1 slots=2\nn2:3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadHostfile(regular)
	if want := []HostSlots{{"n1", 2}, {"n2", 3}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ReadHostfile(%s) = %v, %v; want %v", regular, got, err, want)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("n1 slots=x\n"), 0o644)
	if _, err := ReadHostfile(bad); err == nil || !strings.Contains(err.Error(), "hostfile "+bad+": line 1: ") {
		t.Errorf("malformed: %v, want an error naming the file and the line", err)
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, c := range []struct{ path, want string }{
		{fifo, "is a FIFO (named pipe), not a regular file"},
		{os.DevNull, "is a character device, not a regular file"},
		{dir, "is a directory, not a regular file"},
		{filepath.Join(dir, "missing"), "no such file"},
	} {
		done := make(chan error, 1)
		go func() {
			_, err := ReadHostfile(c.path)
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ReadHostfile(%s): %v, want an error containing %q", c.path, err, c.want)
			}
		case <-time.After(20 * time.Second):
			// Let the blocked open go: a writer that closes at once.
			if f, err := os.OpenFile(c.path, os.O_WRONLY, 0); err == nil {
				f.Close()
			}
			t.Errorf("ReadHostfile(%s) blocked", c.path)
		}
	}
}
