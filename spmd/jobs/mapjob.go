package jobs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/par"
	"github.com/urfave/cli/v2"
)

func init() {
	register(Spec{
		Name:  "map",
		Usage: "apply a function to every item (Pool.map) or argument tuple (Pool.starmap)",
		Description: "Reads one item per line from --in (default: standard input, which spmd run\n" +
			"gives to rank 0): a number for map, or several numbers separated by commas or\n" +
			"spaces for starmap. The root broadcasts the items and the ranks map them with\n" +
			"par.Map: by default handed out dynamically as ranks and threads free up\n" +
			"(--schedule dynamic), so items of very different cost (collatz, isprime)\n" +
			"finish together. The root prints one result per input line, in input order\n" +
			"(or writes them to --out): a blank or comment-only (#) line gives a blank\n" +
			"line, so outputs line up with inputs. Without --out the report goes to\n" +
			"standard error, so the results can be piped.\n\n" +
			"Functions: " + strings.Join(kernels.MapFuncUsage(), "; ") + "\n\n" +
			"  seq 1 100000 | spmd run -np 2 map --func isprime > primes.txt\n" +
			"  spmd run -np 4 map --func sum --in triples.csv --out sums.csv",
		New:             func() Params { return &Map{Func: "sqrt", In: "-", Schedule: "dynamic"} },
		NoWeak:          "its work is the list of items read from --in; give a longer list instead",
		ResultsOnStdout: func(p Params) bool { return p.(*Map).Out == "" },
	})
}

// Map is the map/starmap job.
type Map struct {
	Func     string // a kernels.MapFunc name
	In       string // items, one per line; "-" is standard input
	Out      string // results, one per line; "" is standard output
	Schedule string // dynamic, static or cyclic
}

func (m *Map) Flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "func", Aliases: []string{"f"}, Value: m.Func, Destination: &m.Func, Usage: "function: " + strings.Join(kernels.MapFuncNames(), ", ")},
		&cli.StringFlag{Name: "in", Value: m.In, Destination: &m.In, Usage: "items, one per line (`FILE`, - for standard input)"},
		&cli.StringFlag{Name: "out", Value: m.Out, Destination: &m.Out, Usage: "write the results to `FILE`, one per line"},
		&cli.StringFlag{Name: "schedule", Value: m.Schedule, Destination: &m.Schedule, Usage: "how items are handed out: dynamic, static (contiguous blocks) or cyclic"},
	}
}

func (m *Map) Check() error {
	if _, err := kernels.MapFunc(m.Func); err != nil {
		return job.Usagef("--func: %v", err)
	}
	if _, err := par.ParseSchedule(m.Schedule); err != nil {
		return job.Usagef("--schedule: %v", err)
	}
	return nil
}

// mapItems is the root's parsed input: every line's arguments end to end,
// and how many each line has (0 for a blank line).
type mapItems struct {
	args  []float64
	arity []int64
}

func (m *Map) Job(world *comm.Comm) (job.Job, error) {
	if err := m.Check(); err != nil {
		return job.Job{}, err
	}
	if err := checkOut(world, m.Out); err != nil {
		return job.Job{}, err
	}
	f, _ := kernels.MapFunc(m.Func)
	sched, _ := par.ParseSchedule(m.Schedule)
	items := &mapItems{}
	if world.Rank() == 0 {
		var err error
		if items, err = readItems(m.In); err != nil {
			return job.Job{}, err
		}
	}
	apply := func(row []float64) (float64, error) {
		if len(row) == 0 {
			return math.NaN(), nil // a blank line: printed blank
		}
		return f(row...)
	}
	var results []float64
	out := m.Out
	return job.Job{
		Name: "map",
		Parallel: func(r *job.Run) (*job.Result, error) {
			var rows [][]float64
			if err := r.Communicate(func() (err error) { rows, err = bcastItems(r.Comm, items); return err }); err != nil {
				return nil, err
			}
			err := r.Compute(func() (err error) {
				results, err = par.Map(r.Comm, rows, apply, sched, par.Threads(r.Threads), par.Progress(r))
				return err
			})
			if ie := (*par.ItemError)(nil); errors.As(err, &ie) {
				return nil, job.UsageError{Err: fmt.Errorf("--in line %d (%s): %v", ie.Index+1, ie.Item, ie.Err)}
			}
			if err != nil || !r.Root() {
				return nil, err
			}
			res := &job.Result{Work: float64(len(rows)), WorkUnit: "items"}
			res.Set("func", m.Func)
			res.Set("items", len(rows))
			res.Set("schedule", sched.String())
			return res, nil
		},
		Finish: func(r *job.Run, res *job.Result) error {
			write := func(w io.Writer) error { return writeResults(w, results, items.arity) }
			if out == "" {
				return write(os.Stdout)
			}
			if err := dataio.WriteFileAtomic(out, write); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			res.Set("out", out)
			return nil
		},
		Verify: func(r *job.Run, res *job.Result) error {
			rows := items.rows()
			ref := make([]float64, len(rows))
			err := r.Serial(func() error {
				for i, row := range rows {
					v, err := apply(row)
					if err != nil {
						return fmt.Errorf("line %d: %w", i+1, err)
					}
					ref[i] = v
				}
				return nil
			})
			if err != nil {
				return err
			}
			ok, at := bitsEqual(results, ref)
			res.SetVerified(ok, "", describeMismatch("item", at))
			return nil
		},
		Reference: "the function applied to every item in turn",
	}, nil
}

// rows cuts the arguments into one slice per line.
func (it *mapItems) rows() [][]float64 {
	rows := make([][]float64, len(it.arity))
	off := 0
	for i, a := range it.arity {
		rows[i] = it.args[off : off+int(a) : off+int(a)]
		off += int(a)
	}
	return rows
}

// bcastItems gives every rank the root's items.
func bcastItems(c *comm.Comm, it *mapItems) ([][]float64, error) {
	n := []int64{int64(len(it.arity)), int64(len(it.args))}
	if err := c.Bcast(n, 0); err != nil {
		return nil, err
	}
	if c.Rank() != 0 {
		it = &mapItems{arity: make([]int64, n[0]), args: make([]float64, n[1])}
	}
	if err := c.Bcast(it.arity, 0); err != nil {
		return nil, err
	}
	if err := c.Bcast(it.args, 0); err != nil {
		return nil, err
	}
	return it.rows(), nil
}

// writeResults prints one line per item, blank for a blank input line.
func writeResults(w io.Writer, results []float64, arity []int64) error {
	bw := bufio.NewWriter(w)
	var line []byte
	for i, v := range results {
		line = line[:0]
		if arity[i] > 0 {
			line = strconv.AppendFloat(line, v, 'g', -1, 64)
		}
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func isItemSep(c byte) bool { return c == ',' || c == ' ' || c == '\t' || c == ';' || c == '\r' }

// maxLine bounds one input line: a longer one is an error, not a memory
// hog (standard input from /dev/zero has no line end at all).
const maxLine = 1 << 20

// readItems parses one item per line: numbers separated by commas, white
// space or semicolons; '#' starts a comment. A blank line is an item of no
// arguments, so results keep the lines' order and count.
func readItems(path string) (*mapItems, error) {
	var r io.Reader = os.Stdin
	name := "standard input"
	if path != "-" {
		f, err := dataio.Open(path)
		if err != nil {
			return nil, job.Usagef("--in: %v", err)
		}
		defer f.Close()
		r, name = f, path
	}
	items := &mapItems{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Bytes()
		if i := bytes.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := 0
		for len(text) > 0 {
			// The next field: up to a comma, white space or semicolon.
			i := 0
			for i < len(text) && !isItemSep(text[i]) {
				i++
			}
			if i > 0 {
				fld := text[:i]
				// A view of the line, not a copy: ParseFloat keeps nothing.
				v, err := strconv.ParseFloat(unsafe.String(&fld[0], len(fld)), 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, job.Usagef("--in: %s: line %d: %q is not a finite number", name, line, fld)
				}
				items.args = append(items.args, v)
				fields++
			}
			text = text[min(i+1, len(text)):]
		}
		items.arity = append(items.arity, int64(fields))
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, job.Usagef("--in: %s: line %d is longer than %d bytes", name, line+1, maxLine)
		}
		return nil, job.Usagef("--in: %s: line %d: %v", name, line+1, err)
	}
	if len(items.args) == 0 {
		return nil, job.Usagef("--in: %s has no items", name)
	}
	return items, nil
}
