package dataio

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// fitCSV is the kind of table the fit job reads: a label column, numbers,
// and a missing value.
const fitCSV = "site,x,y\nsite_G,1,2.5\nsite_H,3,NA\n\"site, I\",5,6\n"

func TestTableColumns(t *testing.T) {
	tab, err := ReadCSV(strings.NewReader(fitCSV), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows() != 3 || tab.Cols() != 3 || fmt.Sprint(tab.Header()) != "[site x y]" {
		t.Fatalf("%d×%d %q", tab.Rows(), tab.Cols(), tab.Header())
	}
	sites, err := tab.Strings("site")
	if err != nil || fmt.Sprintf("%q", sites) != `["site_G" "site_H" "site, I"]` {
		t.Errorf("Strings(site) = %q, %v", sites, err)
	}
	x, err := tab.Floats("x")
	if err != nil || fmt.Sprint(x) != "[1 3 5]" {
		t.Errorf("Floats(x) = %v, %v", x, err)
	}
	if x1, err := tab.FloatsAt(1); err != nil || fmt.Sprint(x1) != fmt.Sprint(x) {
		t.Errorf("FloatsAt(1) = %v, %v", x1, err)
	}
	if i, err := tab.Column("y"); err != nil || i != 2 {
		t.Errorf("Column(y) = %d, %v", i, err)
	}
	// Header returns a copy.
	tab.Header()[0] = "changed"
	if tab.Header()[0] != "site" {
		t.Error("Header returned the table's own slice")
	}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"Floats(y)", second(tab.Floats("y")), `csv: line 3, column 3: "NA" is not a number`},
		{"Floats(site)", second(tab.Floats("site")), `csv: line 2, column 1: "site_G" is not a number`},
		{"Matrix", second(tab.Matrix()), `csv: line 2, column 1: "site_G" is not a number`},
		{"Floats(z)", second(tab.Floats("z")), `csv: no column "z" (columns: site, x, y)`},
		{"Strings(z)", second(tab.Strings("z")), `csv: no column "z" (columns: site, x, y)`},
		{"FloatsAt(3)", second(tab.FloatsAt(3)), "csv: no column at index 3: the table has 3 columns (indices from 0)"},
		{"StringsAt(-1)", second(tab.StringsAt(-1)), "csv: no column at index -1: the table has 3 columns (indices from 0)"},
	} {
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("%s: %v, want %q", c.name, c.err, c.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestTableColumnNames(t *testing.T) {
	dup, err := ReadCSV(strings.NewReader("a,b,a\n1,2,3\n"), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dup.Column("a"); err == nil || err.Error() != `csv: column name "a" is ambiguous: columns 1 and 3 have it` {
		t.Errorf("duplicate name: %v", err)
	}
	if b, err := dup.Floats("b"); err != nil || b[0] != 2 {
		t.Errorf("Floats(b) = %v, %v", b, err)
	}
	bare, err := ReadCSV(strings.NewReader("1,2\n"), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bare.Floats("a"); err == nil || err.Error() != `csv: no column is named "a": the table has no header row (name columns by index)` {
		t.Errorf("no header: %v", err)
	}
}

// TestLoadTableErrorsNameTheFile: errors found after reading still name the
// file, as ReadCSV's name it "csv".
func TestLoadTableErrorsNameTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "groups.tsv")
	writeFile(t, path, []byte("site\ty\nsite_G\t1\nsite_H\tNA\n"))
	tab, err := LoadTable(path, CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tab.Floats("y"); err == nil || err.Error() != path+`: line 3, column 2: "NA" is not a number` {
		t.Errorf("Floats(y): %v", err)
	}
	if _, err := tab.Floats("x"); err == nil || err.Error() != path+`: no column "x" (columns: site, y)` {
		t.Errorf("Floats(x): %v", err)
	}
	if y, err := LoadColumn(path, "y"); err == nil || err.Error() != path+`: line 3, column 2: "NA" is not a number` {
		t.Errorf("LoadColumn(y): %v, %v", y, err)
	}
	writeFile(t, path, []byte("v\tw\n1\t2\n3\t4\n"))
	if w, err := LoadColumn(path, "w"); err != nil || fmt.Sprint(w) != "[2 4]" {
		t.Errorf("LoadColumn(w): %v, %v", w, err)
	}
	if _, err := LoadColumn(filepath.Join(filepath.Dir(path), "missing.csv"), "w"); err == nil {
		t.Error("LoadColumn of a missing file: no error")
	}
	writeFile(t, path, []byte("1,2,NA\n4,5,6\n"))
	if _, err := LoadTable(path, CSVOptions{Comma: ','}); !matches(err, path+`: line 1, column 3: "NA" is not a number, but column 1 ("1") is: ...`) {
		t.Errorf("mixed first row: %v", err)
	}
}

// TestLoadTableFormats: the extension picks the separator unless the
// options do.
func TestLoadTableFormats(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, content string
		opts          CSVOptions
	}{
		{"a.csv", "x,y\n1,2\n", CSVOptions{}},
		{"a.tsv", "x\ty\n1\t2\n", CSVOptions{}},
		{"a.txt", "x  y\n1  2\n", CSVOptions{}},
		{"b.txt", "x,y\n1,2\n", CSVOptions{}},
		{"a.dat", "x;y\n1;2\n", CSVOptions{Comma: ';'}},
		{"b.dat", "x y\n1 2\n", CSVOptions{Whitespace: true}},
		{"c.dat", "x,y\n1,2\n", CSVOptions{}},
	} {
		path := filepath.Join(dir, c.name)
		writeFile(t, path, []byte(c.content))
		tab, err := LoadTable(path, c.opts)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if y, err := tab.Floats("y"); err != nil || fmt.Sprint(tab.Header(), y) != "[x y] [2]" {
			t.Errorf("%s: %q %v %v", c.name, tab.Header(), y, err)
		}
	}
}
