// Package dataio reads and writes the numeric arrays spmd jobs take as input
// and produce as output: NumPy .npy files, and CSV or whitespace-separated
// text.
//
// # Formats
//
// ReadNPY accepts .npy versions 1.0, 2.0 and 3.0 holding a 1-D or 2-D array
// of little- or big-endian float64, float32, int64 or int32, in C or Fortran
// order, and converts it to row-major float64. WriteNPY writes what NumPy
// writes for a float64 array: version 1.0, '<f8', C order, the header padded
// to a multiple of 64 bytes.
//
// ReadCSV reads a table of numbers, comma- or whitespace-separated, with an
// optional header row of column names and '#' comments. WriteCSV writes every
// float64 with the fewest digits that read back to the same bits.
//
// LoadMatrix and SaveMatrix pick the format by the file's extension (.npy,
// .csv, .txt). SaveMatrix replaces the file atomically: a reader sees the old
// file or the new one, never half of it.
//
// # Errors
//
// Everything here reads data that comes from outside the program, so bad
// input is an error, never a panic, and the error says what was wrong and
// where: "npy: unsupported dtype '<c16'", "csv: line 7: row has 3 fields,
// want 4", "row 12, column 3 is NaN". A header is checked before anything is
// allocated for the data it announces, so a corrupt or hostile header cannot
// make a reader allocate more memory than the input really holds. NaN and Inf
// read as values; CheckFinite rejects them where a job needs finite data.
package dataio
