package dataio

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadMatrix(t *testing.T) {
	dir := t.TempDir()
	npy := npyFile(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", encode("<f4", matrix23F))
	for _, c := range []struct {
		name    string
		content []byte
	}{
		{"a.npy", npy},
		{"B.NPY", npy},
		{"a.csv", []byte("x,y,z\n1,2,3\n4,5,-6\n")},
		{"bom.csv", []byte("\xef\xbb\xbf1,2,3\n4,5,-6\n")},
		{"a.tsv", []byte("x\ty\tz\n1\t2\t3\n4\t5\t-6\n")},
		{"spaces.txt", []byte("# numpy.savetxt style\n1 2 3\n4 5 -6\n")},
		{"commas.txt", []byte("\n# header comment\n1,2,3\n4,5,-6\n")},
	} {
		path := filepath.Join(dir, c.name)
		writeFile(t, path, c.content)
		a, err := LoadMatrix(path)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if fmt.Sprint(a.Shape) != "[2 3]" || fmt.Sprint(a.Data) != fmt.Sprint(matrix23C) {
			t.Errorf("%s: got %v %v", c.name, a.Shape, a.Data)
		}
	}
}

func TestLoadMatrixErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	writeFile(t, bad, []byte("1,2\n3\n"))
	short := filepath.Join(dir, "short.npy")
	writeFile(t, short, npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }", make([]byte, 16)))
	other := filepath.Join(dir, "m.mat")
	writeFile(t, other, nil)
	for _, c := range []struct {
		path string
		want string
	}{
		{bad, bad + ": line 2: row has 1 fields, want 2"},
		{short, short + ": npy: truncated data: want 8000000000 bytes, got 16"},
		{other, other + `: unknown extension ".mat": want .npy, .csv, .tsv or .txt`},
		{filepath.Join(dir, "noext"), filepath.Join(dir, "noext") + `: no extension to tell the format: want .npy, .csv, .tsv or .txt`},
		{filepath.Join(dir, "missing.npy"), filepath.Join(dir, "missing.npy") + ": no such file or directory"},
	} {
		_, err := LoadMatrix(c.path)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}

func TestSaveMatrixRoundTrip(t *testing.T) {
	dir := t.TempDir()
	data := []float64{0.1, -2.5e-300, math.MaxFloat64, 3, 4, 1.0 / 3}
	for _, c := range []struct {
		name  string
		shape []int
		want  []int // shape read back: text files are always 2-D
	}{
		{"m.npy", []int{2, 3}, []int{2, 3}},
		{"v.npy", []int{6}, []int{6}},
		{"m.csv", []int{2, 3}, []int{2, 3}},
		{"v.csv", []int{6}, []int{6, 1}},
		{"m.txt", []int{3, 2}, []int{3, 2}},
		{"m.tsv", []int{3, 2}, []int{3, 2}},
	} {
		path := filepath.Join(dir, c.name)
		if err := SaveMatrix(path, &Array{Data: data, Shape: c.shape}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		a, err := LoadMatrix(path)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if fmt.Sprint(a.Shape) != fmt.Sprint(c.want) {
			t.Errorf("%s: shape %v, want %v", c.name, a.Shape, c.want)
		}
		for i := range data {
			if math.Float64bits(a.Data[i]) != math.Float64bits(data[i]) {
				t.Errorf("%s: element %d: %v, want %v", c.name, i, a.Data[i], data[i])
			}
		}
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v, %v; want 0644", c.name, info.Mode(), err)
		}
	}
	assertOnly(t, dir, "m.csv", "m.npy", "m.tsv", "m.txt", "v.csv", "v.npy")
}

// assertOnly fails unless dir holds exactly the named files: no temporary
// file may be left behind.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if fmt.Sprint(got) != fmt.Sprint(names) {
		t.Errorf("directory holds %q, want %q", got, names)
	}
}

func TestSaveMatrixReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.npy")
	if err := SaveMatrix(path, &Array{Data: []float64{1, 2}, Shape: []int{2}}); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path)

	// A write that fails halfway: the old file must be intact and the
	// temporary gone.
	err := writeAtomic(path, func(w io.Writer) error {
		w.Write(make([]byte, 1<<20))
		return errDiskFull
	})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("error %v, want %v", err, errDiskFull)
	}
	if now, _ := os.ReadFile(path); string(now) != string(old) {
		t.Error("a failed save changed the existing file")
	}
	assertOnly(t, dir, "out.npy")

	// A bad array is refused before anything is written.
	err = SaveMatrix(filepath.Join(dir, "new.npy"), &Array{Data: []float64{1}, Shape: []int{2}})
	if err == nil || !strings.Contains(err.Error(), "new.npy: dataio: shape (2,) holds 2 elements, data has 1") {
		t.Errorf("error %v", err)
	}
	assertOnly(t, dir, "out.npy")

	// A successful save replaces the file.
	if err := SaveMatrix(path, &Array{Data: []float64{3}, Shape: []int{1}}); err != nil {
		t.Fatal(err)
	}
	if a, err := LoadMatrix(path); err != nil || fmt.Sprint(a.Data) != "[3]" {
		t.Errorf("after replace: %v, %v", a, err)
	}
	assertOnly(t, dir, "out.npy")
}

func TestSaveMatrixErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	writeFile(t, file, nil)
	a := &Array{Data: []float64{1}, Shape: []int{1}}
	for _, c := range []struct {
		path string
		want string
	}{
		{filepath.Join(dir, "no", "such", "out.npy"), ": dataio: directory " + filepath.Join(dir, "no", "such") + " does not exist"},
		{filepath.Join(file, "out.npy"), ": dataio: " + file + " is not a directory"},
		{filepath.Join(dir, "out.json"), `: unknown extension ".json": want .npy, .csv, .tsv or .txt`},
	} {
		err := SaveMatrix(c.path, a)
		if err == nil || err.Error() != c.path+c.want {
			t.Errorf("error %v, want %q", err, c.path+c.want)
		}
	}
	assertOnly(t, dir, "plain")
}
