package dataio_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spmd-go/spmd/dataio"
)

// A table with a header, a label column, a quoted field and a byte order
// mark, as a spreadsheet might export it.
func ExampleReadCSV() {
	in := "\xef\xbb\xbfsite,dose,response\n" +
		"site_G,1.5,0.2\n" +
		"\"site, H\",2.5,0.7\n"
	t, err := dataio.ReadCSV(strings.NewReader(in), dataio.CSVOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	site, _ := t.Strings("site")
	dose, _ := t.Floats("dose")
	fmt.Println(t.Header(), t.Rows(), "rows")
	fmt.Printf("%q %v\n", site, dose)
	// Output:
	// [site dose response] 2 rows
	// ["site_G" "site, H"] [1.5 2.5]
}

// A field that is not a number is an error naming its line and column.
func ExampleTable_Floats() {
	in := "x,y\n1,2\n3,NA\n"
	t, _ := dataio.ReadCSV(strings.NewReader(in), dataio.CSVOptions{})
	_, err := t.Floats("y")
	fmt.Println(err)
	// Output:
	// csv: line 3, column 2: "NA" is not a number
}

// HeaderAuto takes a first row for a header only when the data says so,
// and otherwise asks.
func ExampleHeaderMode() {
	for _, in := range []string{"x,y\n1,2\n", "1,2\n3,4\n", "1,2,NA\n4,5,6\n"} {
		t, err := dataio.ReadCSV(strings.NewReader(in), dataio.CSVOptions{Header: dataio.HeaderAuto})
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("header %q, %d data rows\n", t.Header(), t.Rows())
	}
	// Output:
	// header ["x" "y"], 1 data rows
	// header [], 2 data rows
	// csv: line 1, column 3: "NA" is not a number, but column 1 ("1") is: is line 1 a header or data? (a header has no numbers; set the header option to yes or no)
}

// WriteNPY writes what numpy.save writes; ReadNPY reads it back.
func ExampleWriteNPY() {
	var buf bytes.Buffer
	a := &dataio.Array{Data: []float64{1, 2, 3, 4, 5, 6}, Shape: []int{2, 3}}
	if err := dataio.WriteNPY(&buf, a); err != nil {
		fmt.Println(err)
		return
	}
	b, err := dataio.ReadNPY(&buf)
	fmt.Println(b.Shape, b.Data, err)
	// Output:
	// [2 3] [1 2 3 4 5 6] <nil>
}

// Check the output path first, compute, then save.
func ExampleCheckOutput() {
	dir, _ := os.MkdirTemp("", "dataio-example")
	defer os.RemoveAll(dir)

	fmt.Println(dataio.CheckOutput(filepath.Join(dir, "z.nyp")) != nil) // a typo, found before the work
	out := filepath.Join(dir, "z.csv")
	if err := dataio.CheckOutput(out); err != nil {
		fmt.Println(err)
		return
	}
	z := &dataio.Array{Data: []float64{0, 0.5, 0.5, 0}, Shape: []int{2, 2}} // the work
	if err := dataio.SaveMatrix(out, z); err != nil {
		fmt.Println(err)
		return
	}
	text, _ := os.ReadFile(out)
	fmt.Print(string(text))
	back, _ := dataio.LoadMatrix(out)
	fmt.Println(back.Shape, back.Data)
	// Output:
	// true
	// 0,0.5
	// 0.5,0
	// [2 2] [0 0.5 0.5 0]
}

// Open refuses what is not a file: /dev/zero would never end.
func ExampleOpen() {
	_, err := dataio.Open("/dev/zero")
	fmt.Println(err)
	// Output:
	// /dev/zero is a character device, not a regular file (for data from a program, pipe it to standard input, -)
}
