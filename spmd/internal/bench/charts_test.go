package bench

import (
	"bytes"
	"strings"
	"testing"
)

func TestReadCSVRoundTrip(t *testing.T) {
	rows := []Row{
		{Bench: "pingpong", Ranks: 2, Bytes: 8, Iters: 200, Min: 9.5, Median: 11.25, Max: 80, MBps: 0.7, RawMed: 9.75, RawMBps: 0.8, Ratio: 1.15},
		{Bench: "allreduce", Ranks: 4, Bytes: 1 << 20, Iters: 50, Min: 900, Median: 1200, Max: 3000, MBps: 870, Transport: "shm+tcp"},
	}
	var b bytes.Buffer
	if err := WriteCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCSV(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("read %d rows, want %d", len(got), len(rows))
	}
	for i := range rows {
		if got[i] != rows[i] {
			t.Errorf("row %d: read %+v, wrote %+v", i, got[i], rows[i])
		}
	}
}

// A file written before the transport column reads, with no transport.
func TestReadCSVWithoutTransport(t *testing.T) {
	head := strings.Join(CSVHeader[:len(CSVHeader)-1], ",") + "\n"
	got, err := ReadCSV(strings.NewReader(head + "pingpong,2,8,200,9.5,11.25,80,0.7,0,0,0\n"))
	if err != nil || len(got) != 1 || got[0].Median != 11.25 || got[0].Transport != "" {
		t.Fatalf("ReadCSV = %+v, %v", got, err)
	}
}

func TestReadCSVErrors(t *testing.T) {
	head := strings.Join(CSVHeader, ",") + "\n"
	for _, c := range []struct{ in, want string }{
		{"", "header"},
		{"a,b\n", "header"},
		{strings.Replace(head, "bytes", "size", 1), "header"},
		{head + "pingpong,two,8,1,1,1,1,1,0,0,0,shm\n", `line 2: ranks "two" is not an integer`},
		{head + "pingpong,2,8,1,1,x,1,1,0,0,0,shm\n", `line 2: median_us "x" is not a number`},
		{head + "pingpong,2,8,1,1,1,1,1,0,0,0\n", "wrong number of fields"},
	} {
		if _, err := ReadCSV(strings.NewReader(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadCSV(%q) = %v, want an error containing %q", c.in, err, c.want)
		}
	}
}

// TestCharts: one curve per benchmark and rank count, a dashed baseline
// only where rows have --raw figures, zero-byte rows left off the log axes,
// and charts that render.
func TestCharts(t *testing.T) {
	rows := []Row{
		{Bench: "pingpong", Ranks: 2, Bytes: 0, Min: 5, Median: 6, Max: 9, MBps: 0},
		{Bench: "pingpong", Ranks: 2, Bytes: 1024, Min: 10, Median: 12, Max: 30, MBps: 85, RawMed: 10, RawMBps: 100},
		{Bench: "pingpong", Ranks: 2, Bytes: 8, Min: 9, Median: 10, Max: 20, MBps: 0.8, RawMed: 9, RawMBps: 0.9},
		{Bench: "allreduce", Ranks: 4, Bytes: 8, Min: 50, Median: 60, Max: 90, MBps: 0.1},
	}
	lat, bw, err := Charts(rows)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, c := range lat.Curves {
		labels = append(labels, c.Label)
	}
	want := []string{"pingpong, 2 ranks", "bare TCP socket between the same ranks", "allreduce, 4 ranks"}
	if strings.Join(labels, "|") != strings.Join(want, "|") {
		t.Errorf("curves %q, want %q", labels, want)
	}
	if x := lat.Curves[0].X; len(x) != 2 || x[0] != 8 || x[1] != 1024 {
		t.Errorf("pingpong sizes %v, want [8 1024] (sorted, 0 left off)", x)
	}
	if !lat.LogX || !lat.LogY || len(bw.Curves) != 3 {
		t.Errorf("charts not log-log or bandwidth curves %d, want 3", len(bw.Curves))
	}
	for _, ch := range []struct {
		name string
		err  error
	}{{"time", lat.WriteTo(&bytes.Buffer{}, "svg")}, {"bandwidth", bw.WriteTo(&bytes.Buffer{}, "png")}} {
		if ch.err != nil {
			t.Errorf("%s chart: %v", ch.name, ch.err)
		}
	}
	if _, _, err := Charts([]Row{{Bench: "barrier", Ranks: 2}}); err == nil {
		t.Error("Charts of rows with nothing to plot succeeded")
	}
}
