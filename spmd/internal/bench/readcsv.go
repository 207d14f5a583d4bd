package bench

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// ReadCSV reads rows written by WriteCSV (several files' worth may be
// concatenated by the caller), naming the line of anything malformed.
// Files written before the transport column existed read too.
func ReadCSV(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("bench CSV: header: %w", err)
	}
	if !slices.Equal(header, CSVHeader) && !slices.Equal(header, CSVHeader[:len(CSVHeader)-1]) {
		return nil, fmt.Errorf("bench CSV: header %q, want %q", header, CSVHeader)
	}
	cr.FieldsPerRecord = len(header)
	var rows []Row
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("bench CSV: %w", err)
		}
		var r Row
		ints := []*int{&r.Ranks, &r.Bytes, &r.Iters}
		floats := []*float64{&r.Min, &r.Median, &r.Max, &r.MBps, &r.RawMed, &r.RawMBps, &r.Ratio}
		r.Bench = rec[0]
		for i, p := range ints {
			if *p, err = strconv.Atoi(rec[1+i]); err != nil {
				return nil, fmt.Errorf("bench CSV: line %d: %s %q is not an integer", line, CSVHeader[1+i], rec[1+i])
			}
		}
		for i, p := range floats {
			if *p, err = strconv.ParseFloat(rec[4+i], 64); err != nil {
				return nil, fmt.Errorf("bench CSV: line %d: %s %q is not a number", line, CSVHeader[4+i], rec[4+i])
			}
		}
		if len(rec) == len(CSVHeader) {
			r.Transport = rec[len(CSVHeader)-1]
		}
		rows = append(rows, r)
	}
}
