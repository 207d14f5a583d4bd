// Package dataio reads the data a parallel program takes in and writes the
// results it puts out: text tables (CSV, TSV, whitespace-separated columns)
// and NumPy .npy arrays. It holds no command-line code and no
// communication: a program reads its input at the root, shares it as it
// likes, and writes its result at the root.
//
// # Reading a table of your own
//
// LoadColumn reads a column of numbers from a CSV file with a header row:
//
//	x, err := dataio.LoadColumn("data.csv", "value") // []float64
//
// LoadTable reads the whole table; it keeps every field as text, and a
// column comes out by name or by index (from 0) as numbers or as labels:
//
//	t, err := dataio.LoadTable("measurements.csv", dataio.CSVOptions{})
//	income, err := t.Floats("income") // []float64
//	site, err := t.Strings("site")    // []string, e.g. "site_G"
//	x, err := t.Matrix()              // every column as numbers, rows × cols
//
// The reading is encoding/csv's: a field in double quotes may hold the
// separator, a line break, or "" for a quote. Spaces around a field are
// removed, blank lines are skipped, and so are lines starting with '#'
// (numpy.savetxt writes its header that way). A UTF-8 byte order mark at
// the start, which Excel writes, is skipped. CSVOptions changes the
// separator (Comma; a .tsv file gets a tab), the comment character, and
// whether the first row holds column names.
//
// # The header row
//
// CSVOptions.Header says whether the first row names the columns:
// HeaderYes, HeaderNo, or HeaderAuto (the zero value), which decides from
// the data and refuses to guess:
//
//	x,y           a header: no field is a number, and the next row has one
//	1,2           data: every field is a number
//	1,2,NA        an error: "line 1, column 3: "NA" is not a number, but
//	              column 1 ("1") is: is line 1 a header or data?"
//	a,b then c,d  an error: no number on line 1 nor on line 2
//
// So a first row is never silently dropped as a header, nor a header read
// as data; where the data cannot tell, the error asks for HeaderYes or
// HeaderNo (ParseHeaderMode reads "yes", "no" or "auto" from an option).
//
// # Matrices and .npy
//
// LoadMatrix reads an array of numbers from a file named .npy, .csv, .tsv
// or .txt (numbers separated by white space, as numpy.savetxt writes
// them): a 2-D rows × cols Array for text, the array's own shape for .npy.
// SaveMatrix writes one the same ways. ReadNPY and WriteNPY work on any
// reader or writer.
//
// ReadNPY reads format versions 1.0, 2.0 and 3.0, 1-D and 2-D arrays of
// floats, integers and booleans in either byte order, in C or Fortran
// order, and returns row-major float64 (an integer too large to be a
// float64 exactly is an error, never rounded). WriteNPY writes what
// numpy.save writes for a float64 array, so np.load reads it back bit for
// bit.
//
// # Inputs that are not files
//
// Every reader that takes a path goes through Open, which reads standard
// input for "-" and refuses anything that is not a regular file, saying
// what it is: a device such as /dev/zero (which never ends), a named pipe
// (whose open blocks until something writes to it, forever if nothing
// does), a socket, a directory. The output of another program can still
// be piped to standard input.
//
// Text readers bound the length of a row (DefaultMaxRowBytes, 16 MiB, or
// CSVOptions.MaxRowBytes), so even an endless stream of zero bytes on
// standard input is an error after 16 MiB, not memory growing until the
// process dies. A .npy header is checked before anything is allocated for
// the data it announces, and the data is read in chunks, so a header
// claiming terabytes fails on the bytes that are really there.
//
// # Writing results
//
// A program checks its output path while it reads its options, before the
// work, and writes the file after:
//
//	if err := dataio.CheckOutput(out); err != nil { // extension, directory
//		return err // at once, not after an hour of computing
//	}
//	z := compute()
//	err := dataio.SaveMatrix(out, z)
//
// CheckOutput finds an unknown extension, a missing or read-only directory
// and a path that is a directory or a device; CheckWritable does the same
// for a file of any format, written with WriteFileAtomic. Both writers
// replace the file atomically: the data goes to a temporary file in the
// same directory, is synced and renamed, so a reader sees the old file or
// the whole new one, and a failed or killed run leaves no partial file.
//
// # Errors
//
// Everything here reads data from outside the program, so bad input is an
// error, never a panic, and the error says what was wrong and where:
//
//	data.csv: line 7: row has 3 fields, want 4
//	data.csv: line 3, column 2: "abc" is not a number
//	x.npy: npy: unsupported dtype '<c16'
//	/dev/zero is a character device, not a regular file (...)
//	z.nyp: unknown extension ".nyp": want .npy, .csv, .tsv or .txt
//
// Errors at a place in a text table are *ParseError values, with the line
// and column as fields. NaN and Inf read as numbers; CheckFinite refuses
// them where a computation needs finite data ("row 12, column 3 is NaN").
// Misuse by the calling code (an undefined HeaderMode, an Array whose
// shape does not match its data passed to CheckFinite) panics with a
// message starting "dataio: ".
package dataio
