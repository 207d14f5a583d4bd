package dataio

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.txt")
	if err := WriteFileAtomic(path, func(w io.Writer) error { _, err := io.WriteString(w, "hello\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "hello\n" {
		t.Fatalf("content %q", b)
	}
	// A failing writer leaves the old file as it was and nothing else.
	err := WriteFileAtomic(path, func(w io.Writer) error { io.WriteString(w, "partial"); return errors.New("disk on fire") })
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("got %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "hello\n" {
		t.Fatalf("old file changed to %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Fatalf("temporaries left: %v", left)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "nope", "x.csv"), func(io.Writer) error { return nil }); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing directory: %v", err)
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	if err := CheckWritable(filepath.Join(dir, "z.npy")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "missing", "z.npy"), "does not exist"},
		{dir, "is a directory"},
	} {
		if err := CheckWritable(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckWritable(%s) = %v, want %q", c.path, err, c.want)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Fatalf("probe files left: %v", left)
	}
}

// TestCheckOutput: everything SaveMatrix would refuse about a path is found
// before any work: an unknown or missing extension (before, found only when
// the result was saved: 17.8 s of work lost once), a missing directory, a
// directory, a device. Nothing is left behind.
func TestCheckOutput(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"z.npy", "Z.NPY", "z.csv", "z.tsv", "z.txt"} {
		if err := CheckOutput(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	for _, c := range []struct{ path, want string }{
		{p("z.nyp"), p("z.nyp") + `: unknown extension ".nyp": want .npy, .csv, .tsv or .txt`},
		{p("z"), p("z") + ": no extension to tell the format: want .npy, .csv, .tsv or .txt"},
		{p("z."), p("z.") + `: unknown extension ".": want .npy, .csv, .tsv or .txt`},
		{p("missing/z.npy"), p("missing/z.npy") + ": directory " + p("missing") + " does not exist"},
	} {
		if err := CheckOutput(c.path); err == nil || err.Error() != c.want {
			t.Errorf("CheckOutput(%s) = %v, want %q", c.path, err, c.want)
		}
	}
	if err := os.Mkdir(p("d.npy"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CheckOutput(p("d.npy")); err == nil || err.Error() != p("d.npy")+" is a directory" {
		t.Errorf("a directory: %v", err)
	}
	if err := os.Symlink("/dev/null", p("null.csv")); err != nil {
		t.Fatal(err)
	}
	want := p("null.csv") + " exists and is not a regular file: an output must be a file"
	if err := CheckOutput(p("null.csv")); err == nil || err.Error() != want {
		t.Errorf("a device: %v, want %q", err, want)
	}
	// WriteFileAtomic refuses it too, rather than rename a file over the
	// device (or, here, the link to it).
	if err := WriteFileAtomic(p("null.csv"), func(io.Writer) error { return nil }); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("WriteFileAtomic over a device: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Fatalf("probe files left: %v", left)
	}
}
