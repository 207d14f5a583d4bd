package job

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Table is a result made of rows (a sweep's settings and outcomes, a
// fit's coefficients per group): the report prints it under its key as a
// table with a header line, and --json gives it as an array of objects,
// one per row, keys in column order, numbers as numbers.
type Table struct {
	Columns []string
	Rows    [][]any
}

// Add appends a row; it panics if the row's length is not the number of
// columns.
func (t *Table) Add(row ...any) {
	if len(row) != len(t.Columns) {
		panic(fmt.Sprintf("job: Table.Add: %d values for %d columns", len(row), len(t.Columns)))
	}
	t.Rows = append(t.Rows, row)
}

// MarshalJSON writes the rows as an array of objects.
func (t Table) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, row := range t.Rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('{')
		for j, v := range row {
			if j > 0 {
				b.WriteByte(',')
			}
			k, err := json.Marshal(t.Columns[j])
			if err != nil {
				return nil, err
			}
			val, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("job: table column %q: %w", t.Columns[j], err)
			}
			b.Write(k)
			b.WriteByte(':')
			b.Write(val)
		}
		b.WriteByte('}')
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}
