package bench

import (
	"fmt"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// Config says what to measure.
type Config struct {
	Sizes  []int // message sizes in bytes
	Iters  int   // timed iterations per size (fewer for large sizes, see iters)
	Warmup int   // untimed iterations per size
	// Budget bounds the bytes moved per size, so 64 MiB sizes do not run
	// as many iterations as 8-byte ones.
	Budget int
	// Raw adds the bare-TCP baseline to pingpong; Host is the address this
	// rank may listen on for it.
	Raw  bool
	Host string
}

// Row is one benchmark at one size, as reported at the root.
type Row struct {
	Bench   string  `json:"bench"`
	Ranks   int     `json:"ranks"`
	Bytes   int     `json:"bytes"`
	Iters   int     `json:"iters"`
	Min     float64 `json:"min_us"`
	Median  float64 `json:"median_us"`
	Max     float64 `json:"max_us"`
	MBps    float64 `json:"mb_per_s"`
	RawMed  float64 `json:"raw_median_us,omitempty"`
	RawMBps float64 `json:"raw_mb_per_s,omitempty"`
	Ratio   float64 `json:"ratio_to_raw,omitempty"` // median / raw median: 1.0 is the socket's limit
	// Transport names how the ranks reached each other: comm.Comm.Route's
	// name ("shm", "tcp", ...) when every pair measured used the same,
	// else the names joined by "+" ("shm+tcp").
	Transport string `json:"transport,omitempty"`
}

// Names lists the benchmarks Run knows.
var Names = []string{"pingpong", "bcast", "reduce", "allreduce", "gather", "alltoall", "barrier"}

// iters scales the iteration count down for large messages.
func (cfg Config) iters(size int) int {
	n := cfg.Iters
	if cfg.Budget > 0 && size > 0 && n*size > cfg.Budget {
		n = max(cfg.Budget/size, 5)
	}
	return n
}

// Run runs one benchmark over every size. Every rank calls it; the rows
// are meaningful at rank 0 only.
func Run(c *comm.Comm, name string, cfg Config) ([]Row, error) {
	transport, err := transportOf(c, name == "pingpong")
	if err != nil {
		return nil, fmt.Errorf("bench %s: %w", name, err)
	}
	var rows []Row
	for _, size := range cfg.Sizes {
		var row Row
		var err error
		switch name {
		case "pingpong":
			row, err = pingPong(c, size, cfg)
		case "barrier":
			row, err = collective(c, name, 0, cfg)
		case "bcast", "reduce", "allreduce", "gather", "alltoall":
			row, err = collective(c, name, size, cfg)
		default:
			return nil, fmt.Errorf("bench: unknown benchmark %q (have %v)", name, Names)
		}
		if err != nil {
			return nil, fmt.Errorf("bench %s %s: %w", name, FormatSize(size), err)
		}
		row.Transport = transport
		rows = append(rows, row)
		if name == "barrier" {
			break
		}
	}
	return rows, nil
}

// collective times one collective: a barrier before each iteration, each
// rank's duration recorded, and an iteration's time is the slowest rank's
// (an Allreduce MAX at the end, outside the timing).
func collective(c *comm.Comm, name string, size int, cfg Config) (Row, error) {
	p := c.Size()
	n8 := max(size/8, 1)
	f := make([]float64, n8)
	g := make([]float64, n8)
	b := make([]byte, size)
	var all []byte
	if name == "gather" || name == "alltoall" {
		all = make([]byte, size*p)
	}
	var bs, ball []byte
	if name == "alltoall" {
		bs, ball = make([]byte, size*p), all
	}
	op := func() error {
		switch name {
		case "barrier":
			return c.Barrier()
		case "bcast":
			return c.Bcast(b, 0)
		case "reduce":
			return c.Reduce(f, g, comm.Sum, 0)
		case "allreduce":
			return c.Allreduce(f, g, comm.Sum)
		case "gather":
			return c.Gather(b, all, 0)
		case "alltoall":
			return c.Alltoall(bs, ball)
		}
		return nil
	}
	iters := cfg.iters(size * p)
	for i := 0; i < cfg.Warmup; i++ {
		if err := op(); err != nil {
			return Row{}, err
		}
	}
	times := make([]float64, iters)
	for i := range times {
		if err := c.Barrier(); err != nil {
			return Row{}, err
		}
		t0 := time.Now()
		if err := op(); err != nil {
			return Row{}, err
		}
		times[i] = time.Since(t0).Seconds()
	}
	slowest := make([]float64, iters)
	if err := c.Allreduce(times, slowest, comm.Max); err != nil {
		return Row{}, err
	}
	bytes := size
	if name == "reduce" || name == "allreduce" {
		bytes = n8 * 8
	}
	return row(name, p, bytes, slowest), nil
}

func row(name string, p, bytes int, secs []float64) Row {
	s := Summarize(secs)
	r := Row{Bench: name, Ranks: p, Bytes: bytes, Iters: len(secs), Min: s.Min * 1e6, Median: s.Median * 1e6, Max: s.Max * 1e6}
	if s.Median > 0 && bytes > 0 {
		r.MBps = float64(bytes) / s.Median / 1e6
	}
	return r
}
