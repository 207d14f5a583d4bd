package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/job"
	"github.com/urfave/cli/v2"
)

// mapChunk is how many items a thread maps between progress counts: the
// cheapest functions take nanoseconds an item, so counting each would
// cost more than it shows.
const mapChunk = 256

func init() {
	registerJob(jobSpec{
		Name:  "map",
		Usage: "apply a function to every item (Pool.map) or argument tuple (Pool.starmap)",
		Description: "Reads one item per line from --in (default: standard input, which spmd run\n" +
			"gives to rank 0): a number for map, or several numbers separated by commas or\n" +
			"spaces for starmap. The root scatters the items, each rank applies --func to\n" +
			"its share with --threads goroutines, and the root gathers the results and\n" +
			"prints them one per line, in input order (or writes them to --out). Without\n" +
			"--out the report goes to standard error, so the results can be piped.\n\n" +
			"Functions: " + strings.Join(kernels.MapFuncUsage(), "; ") + "\n\n" +
			"  seq 1 100000 | spmd run -np 2 map --func isprime > primes.txt\n" +
			"  spmd run -np 4 map --func sum --in triples.csv --out sums.csv",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "func", Aliases: []string{"f"}, Value: "sqrt", Usage: "function: " + strings.Join(kernels.MapFuncNames(), ", ")},
			&cli.StringFlag{Name: "in", Value: "-", Usage: "items, one per line (`FILE`, - for standard input)"},
			&cli.StringFlag{Name: "out", Usage: "write the results to `FILE`, one per line"},
		},
		Build: buildMap,
		// Results go to standard output, so the report must not.
		ReportToStderr: func(c *cli.Context) bool { return c.String("out") == "" },
	})
}

// mapItems is the root's parsed input: every item's arguments end to end.
type mapItems struct {
	args  []float64
	arity []int64
}

func buildMap(c *cli.Context, world *comm.Comm) (job.Job, error) {
	f, err := kernels.MapFunc(c.String("func"))
	if err != nil {
		return job.Job{}, usagef("--func: %v", err)
	}
	out := c.String("out")
	if err := checkOut(world, out); err != nil {
		return job.Job{}, err
	}
	items := &mapItems{}
	if world.Rank() == 0 {
		if items, err = readItems(c.String("in")); err != nil {
			return job.Job{}, err
		}
	}
	var results []float64
	return job.Job{
		Name: "map",
		Parallel: func(r *job.Run) (*job.Result, error) {
			cc := r.Comm
			var arity []int64
			if err := r.Communicate(func() (err error) { arity, err = bcastInts(cc, items.arity); return err }); err != nil {
				return nil, err
			}
			n := len(arity)
			counts := make([]int, cc.Size()) // arguments per rank
			for rank := range counts {
				s := kernels.Share(n, rank, cc.Size())
				for _, a := range arity[s.Lo:s.Hi] {
					counts[rank] += int(a)
				}
			}
			mine := kernels.Share(n, cc.Rank(), cc.Size())
			args := make([]float64, counts[cc.Rank()])
			if err := r.Communicate(func() error { return cc.Scatterv(items.args, counts, nil, args, 0) }); err != nil {
				return nil, err
			}
			rows := make([][]float64, mine.Len())
			off := 0
			for i := range rows {
				a := int(arity[mine.Lo+i])
				rows[i] = args[off : off+a]
				off += a
			}
			local := make([]float64, mine.Len())
			r.Work(int64(mine.Len()))
			err := r.Compute(func() error {
				return parallelErr(r.Threads, mine.Len(), func(t kernels.Range) error {
					return inChunks(r, t, mapChunk, func(c kernels.Range) error {
						err := kernels.MapRows(local[c.Lo:c.Hi], f, rows[c.Lo:c.Hi])
						if re := (*kernels.RowError)(nil); errors.As(err, &re) {
							return fmt.Errorf("item %d of the input: %w", mine.Lo+c.Lo+re.Row+1, re.Err)
						}
						return err
					})
				})
			})
			if err != nil {
				return nil, err
			}
			if r.Root() {
				results = make([]float64, n)
			}
			if err := r.Communicate(func() error { return cc.Gatherv(local, results, kernels.Counts(n, cc.Size()), nil, 0) }); err != nil {
				return nil, err
			}
			if !r.Root() {
				return nil, nil
			}
			write := func(w io.Writer) error {
				bw := bufio.NewWriter(w)
				var line []byte
				for _, v := range results {
					line = strconv.AppendFloat(line[:0], v, 'g', -1, 64)
					line = append(line, '\n')
					bw.Write(line)
				}
				return bw.Flush()
			}
			res := &job.Result{Work: float64(n), WorkUnit: "items"}
			res.Set("func", c.String("func"))
			res.Set("items", n)
			if out != "" {
				if err := dataio.WriteFileAtomic(out, write); err != nil {
					return nil, fmt.Errorf("--out: %w", err)
				}
				res.Set("out", out)
			} else if err := write(os.Stdout); err != nil {
				return nil, err
			}
			return res, nil
		},
		Verify: func(r *job.Run, res *job.Result) error {
			ref := make([]float64, len(items.arity))
			rows := make([][]float64, len(items.arity))
			off := 0
			for i, a := range items.arity {
				rows[i] = items.args[off : off+int(a)]
				off += int(a)
			}
			if err := r.Serial(func() error { return kernels.MapRows(ref, f, rows) }); err != nil {
				return err
			}
			ok, at := bitsEqual(results, ref)
			res.SetVerified(ok, "", describeMismatch("item", at))
			return nil
		},
	}, nil
}

// readItems parses one item per line: numbers separated by commas or
// white space. Blank lines and # comments are skipped.
func readItems(path string) (*mapItems, error) {
	var r io.Reader = os.Stdin
	name := "standard input"
	if path != "-" {
		f, err := dataio.Open(path)
		if err != nil {
			return nil, usagef("--in: %v", err)
		}
		defer f.Close()
		r, name = f, path
	}
	items := &mapItems{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' })
		if len(fields) == 0 {
			continue
		}
		for _, fld := range fields {
			v, err := strconv.ParseFloat(fld, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, usagef("--in: %s: line %d: %q is not a finite number", name, line, fld)
			}
			items.args = append(items.args, v)
		}
		items.arity = append(items.arity, int64(len(fields)))
	}
	if err := sc.Err(); err != nil {
		return nil, usagef("--in: %s: line %d: %v", name, line+1, err)
	}
	if len(items.arity) == 0 {
		return nil, usagef("--in: %s has no items", name)
	}
	return items, nil
}
