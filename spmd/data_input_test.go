package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDataBOM: a CSV that starts with a UTF-8 byte order mark (as Excel
// writes it) keeps its first row. Before, the mark made "1" look like a
// column name, the row was dropped as a header, and bootstrap used n=1 of 2.
func TestDataBOM(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process job runs skipped in -short mode")
	}
	path := filepath.Join(t.TempDir(), "b.csv")
	if err := os.WriteFile(path, []byte("\xef\xbb\xbf1,2,3\n4,5,6\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := runJSON(t, 1, 1, "bootstrap", "--data", path, "--reps", "11")
	if n, _ := rep.Result["n"].(float64); n != 2 {
		t.Errorf("bootstrap used n=%v, want 2 (both rows): %+v", rep.Result["n"], rep.Result)
	}
}
