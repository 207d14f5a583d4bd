package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"sync"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/job"
	"github.com/urfave/cli/v2"
)

func init() {
	registerJob(jobSpec{
		Name:  "fit",
		Usage: "fit the same linear model (OLS) on many datasets",
		Description: "Ordinary least squares with an intercept, y = b0 + b1 x1 + ... + bp xp, on each\n" +
			"of K datasets: read from one CSV whose --group column says which dataset a row\n" +
			"belongs to (the --y column is the response, every other column a predictor),\n" +
			"or generated (--datasets --rows --predictors). Datasets are split across ranks;\n" +
			"the root gathers the coefficients, in dataset order, and writes them with --out\n" +
			"as CSV. --verify refits every dataset through the normal equations and\n" +
			"compares within a relative 1e-10.\n\n" +
			"  spmd run -np 2 fit --datasets 10000 --rows 200 --predictors 3 --verify\n" +
			"  spmd run -np 4 fit --data groups.csv --group site --y yield --out coef.csv",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "data", Usage: "CSV `FILE` with a header row, a group column and numeric columns"},
			&cli.StringFlag{Name: "group", Value: "group", Usage: "name of the group column in --data"},
			&cli.StringFlag{Name: "y", Usage: "name of the response column in --data (default: the last column)"},
			&cli.IntFlag{Name: "datasets", Value: 1000, Usage: "generated datasets"},
			&cli.IntFlag{Name: "rows", Value: 200, Usage: "rows per generated dataset"},
			&cli.IntFlag{Name: "predictors", Value: 3, Usage: "predictors per generated dataset"},
			&cli.Float64Flag{Name: "noise", Value: 0.5, Usage: "noise standard deviation of generated data"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed for generated data"},
			&cli.StringFlag{Name: "out", Usage: "write the coefficients to `FILE` (CSV: group, intercept, one column per predictor)"},
		},
		Build: buildFit,
	})
}

// fitRelTol is the agreement --verify demands between QR and the normal
// equations; on well-conditioned data both are accurate far below it.
const fitRelTol = 1e-10

// fitData holds grouped datasets at the root, rows sorted by group.
type fitData struct {
	groups   []string  // dataset names, in order
	offsets  []int64   // dataset k is rows offsets[k]..offsets[k+1]
	x, y     []float64 // rows of predictors (row-major) and responses
	p        int
	predName []string
}

func buildFit(c *cli.Context, world *comm.Comm) (job.Job, error) {
	out := c.String("out")
	if err := checkOut(world, out); err != nil {
		return job.Job{}, err
	}
	if c.String("data") == "" {
		return buildFitSynthetic(c, out)
	}
	var d *fitData
	if world.Rank() == 0 {
		var err error
		if d, err = readGroups(c.String("data"), c.String("group"), c.String("y")); err != nil {
			return job.Job{}, err
		}
	}
	var coef []float64
	return job.Job{
		Name: "fit",
		Parallel: func(r *job.Run) (*job.Result, error) {
			var err error
			coef, err = fitGroupsParallel(r, d)
			if err != nil || !r.Root() {
				return nil, err
			}
			return fitResult(r, coef, d.p, d.groups, d.predName, out)
		},
		Verify: func(r *job.Run, res *job.Result) error {
			q := d.p + 1
			ref := make([]float64, len(coef))
			err := r.Serial(func() error {
				for k := range d.groups {
					lo, hi := int(d.offsets[k]), int(d.offsets[k+1])
					if err := kernels.OLSNormal(ref[k*q:(k+1)*q], d.x[lo*d.p:hi*d.p], d.y[lo:hi], hi-lo, d.p, true); err != nil {
						return fmt.Errorf("dataset %q: %w", d.groups[k], err)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			worst := maxRelErr(coef, ref)
			res.SetVerified(worst <= fitRelTol, fmt.Sprintf("relative error %g", fitRelTol), fmt.Sprintf("max relative difference QR vs normal equations %.3g", worst))
			return nil
		},
	}, nil
}

func buildFitSynthetic(c *cli.Context, out string) (job.Job, error) {
	for _, f := range []string{"datasets", "rows", "predictors"} {
		if err := positive(f, c.Int(f)); err != nil {
			return job.Job{}, err
		}
	}
	p := c.Int("predictors")
	if c.Int("rows") < p+1 {
		return job.Job{}, usagef("--rows %d: a dataset needs at least %d rows for %d predictors and an intercept", c.Int("rows"), p+1, p)
	}
	noise := c.Float64("noise")
	if !(noise >= 0) || math.IsInf(noise, 0) {
		return job.Job{}, usagef("--noise: %v is not a finite value >= 0", noise)
	}
	s := kernels.Synthetic{N: c.Int("rows"), P: p, Coef: kernels.TrueCoef(p), Noise: noise, Seed: c.Uint64("seed")}
	k := c.Int("datasets")
	q := p + 1
	var coef []float64
	names := make([]string, p)
	for j := range names {
		names[j] = fmt.Sprintf("x%d", j+1)
	}
	return job.Job{
		Name: "fit",
		Parallel: func(r *job.Run) (*job.Result, error) {
			cc := r.Comm
			mine := kernels.Share(k, cc.Rank(), cc.Size())
			local := make([]float64, mine.Len()*q)
			r.Work(int64(mine.Len()))
			err := r.Compute(func() error {
				return parallelErr(r.Threads, mine.Len(), func(t kernels.Range) error {
					return inChunks(r, t, fitChunk, func(c kernels.Range) error {
						return kernels.FitDatasets(local[c.Lo*q:c.Hi*q], s, kernels.Range{Lo: mine.Lo + c.Lo, Hi: mine.Lo + c.Hi})
					})
				})
			})
			if err != nil {
				return nil, err
			}
			if r.Root() {
				coef = make([]float64, k*q)
			}
			if err := r.Communicate(func() error { return cc.Gatherv(local, coef, scale(kernels.Counts(k, cc.Size()), q), nil, 0) }); err != nil {
				return nil, err
			}
			if !r.Root() {
				return nil, nil
			}
			groups := make([]string, k)
			for i := range groups {
				groups[i] = strconv.Itoa(i)
			}
			res, err := fitResult(r, coef, p, groups, names, out)
			if err == nil {
				res.Set("true_coefficients", s.Coef)
			}
			return res, err
		},
		Verify: func(r *job.Run, res *job.Result) error {
			ref := make([]float64, k*q)
			if err := r.Serial(func() error { return kernels.FitDatasetsSerial(ref, s, kernels.Range{Lo: 0, Hi: k}) }); err != nil {
				return err
			}
			worst := maxRelErr(coef, ref)
			res.SetVerified(worst <= fitRelTol, fmt.Sprintf("relative error %g", fitRelTol), fmt.Sprintf("max relative difference QR vs normal equations %.3g", worst))
			return nil
		},
	}, nil
}

// fitGroupsParallel sends each rank the rows of its datasets (contiguous
// after sorting by group), fits them, and gathers the coefficients.
func fitGroupsParallel(r *job.Run, d *fitData) ([]float64, error) {
	cc := r.Comm
	var shape []int64 // datasets, p, then the K+1 offsets
	if r.Root() {
		shape = append([]int64{int64(len(d.groups)), int64(d.p)}, d.offsets...)
	}
	var err error
	if err = r.Communicate(func() error { shape, err = bcastInts(cc, shape); return err }); err != nil {
		return nil, err
	}
	k, p := int(shape[0]), int(shape[1])
	offsets := shape[2:]
	q := p + 1
	// Rows each rank gets: those of its datasets.
	rows := make([]int, cc.Size())
	for rank := range rows {
		s := kernels.Share(k, rank, cc.Size())
		rows[rank] = int(offsets[s.Hi] - offsets[s.Lo])
	}
	mine := kernels.Share(k, cc.Rank(), cc.Size())
	n := rows[cc.Rank()]
	x, y := make([]float64, n*p), make([]float64, n)
	var allX, allY []float64
	if r.Root() {
		allX, allY = d.x, d.y
	}
	err = r.Communicate(func() error {
		if err := cc.Scatterv(allX, scale(rows, p), nil, x, 0); err != nil {
			return err
		}
		return cc.Scatterv(allY, rows, nil, y, 0)
	})
	if err != nil {
		return nil, err
	}
	base := int(offsets[mine.Lo])
	local := make([]float64, mine.Len()*q)
	r.Work(int64(mine.Len()))
	err = r.Compute(func() error {
		return parallelErr(r.Threads, mine.Len(), func(t kernels.Range) error {
			return inChunks(r, t, fitChunk, func(c kernels.Range) error {
				for i := c.Lo; i < c.Hi; i++ {
					lo, hi := int(offsets[mine.Lo+i])-base, int(offsets[mine.Lo+i+1])-base
					if err := kernels.OLS(local[i*q:(i+1)*q], x[lo*p:hi*p], y[lo:hi], hi-lo, p, true); err != nil {
						return fmt.Errorf("dataset %d: %w", mine.Lo+i, err)
					}
				}
				return nil
			})
		})
	})
	if err != nil {
		return nil, err
	}
	var coef []float64
	if r.Root() {
		coef = make([]float64, k*q)
	}
	err = r.Communicate(func() error { return cc.Gatherv(local, coef, scale(kernels.Counts(k, cc.Size()), q), nil, 0) })
	return coef, err
}

func fitResult(r *job.Run, coef []float64, p int, groups, names []string, out string) (*job.Result, error) {
	q := p + 1
	k := len(groups)
	res := &job.Result{Work: float64(k), WorkUnit: "datasets"}
	res.Set("datasets", k)
	res.Set("predictors", p)
	mean := make([]float64, q)
	for i := 0; i < k; i++ {
		for j := 0; j < q; j++ {
			mean[j] += coef[i*q+j] / float64(k)
		}
	}
	res.Set("mean_coefficients", mean)
	if k > 0 {
		res.Set("first_dataset", fmt.Sprintf("%s: %v", groups[0], coef[:q]))
	}
	if out != "" {
		header := append([]string{"group", "intercept"}, names...)
		err := dataio.WriteFileAtomic(out, func(w io.Writer) error {
			return writeGroupCSV(w, header, groups, coef, q)
		})
		if err != nil {
			return nil, fmt.Errorf("--out: %w", err)
		}
		res.Set("out", out)
	}
	return res, nil
}

func writeGroupCSV(w io.Writer, header, groups []string, v []float64, q int) error {
	line := make([]byte, 0, 256)
	for i, h := range header {
		if i > 0 {
			line = append(line, ',')
		}
		line = append(line, h...)
	}
	line = append(line, '\n')
	if _, err := w.Write(line); err != nil {
		return err
	}
	for i, g := range groups {
		line = append(line[:0], g...)
		for j := 0; j < q; j++ {
			line = append(line, ',')
			line = strconv.AppendFloat(line, v[i*q+j], 'g', -1, 64)
		}
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

// readGroups reads a CSV with a header and groups its rows by the group
// column (numeric group ids; datasets in increasing id order).
func readGroups(path, groupCol, yCol string) (*fitData, error) {
	tab, err := dataio.LoadTable(path, dataio.CSVOptions{Header: dataio.HeaderYes})
	if err != nil {
		return nil, usagef("--data: %v", err)
	}
	m, err := tab.Matrix()
	if err != nil {
		return nil, usagef("--data: %v", err)
	}
	// The table as numbers, in the fields the code below was written for.
	t := struct {
		Header     []string
		Data       []float64
		Rows, Cols int
	}{tab.Header(), m.Data, tab.Rows(), tab.Cols()}
	gi, yi := -1, t.Cols-1
	for i, h := range t.Header {
		if h == groupCol {
			gi = i
		}
		if yCol != "" && h == yCol {
			yi = i
		}
	}
	if gi < 0 {
		return nil, usagef("--group: %s has no column %q (columns: %v)", path, groupCol, t.Header)
	}
	if yCol != "" && t.Header[yi] != yCol {
		return nil, usagef("--y: %s has no column %q (columns: %v)", path, yCol, t.Header)
	}
	if gi == yi {
		return nil, usagef("--y: the response cannot be the group column %q", groupCol)
	}
	if t.Rows == 0 {
		return nil, usagef("--data: %s has no rows", path)
	}
	if err := dataio.CheckFinite(t.Data, []int{t.Rows, t.Cols}); err != nil {
		return nil, usagef("--data: %s: %v", path, err)
	}
	var pred []int
	var names []string
	for i := 0; i < t.Cols; i++ {
		if i != gi && i != yi {
			pred = append(pred, i)
			names = append(names, t.Header[i])
		}
	}
	order := make([]int, t.Rows)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return t.Data[order[a]*t.Cols+gi] < t.Data[order[b]*t.Cols+gi] })
	d := &fitData{p: len(pred), predName: names, x: make([]float64, 0, t.Rows*len(pred)), y: make([]float64, 0, t.Rows)}
	for n, i := range order {
		row := t.Data[i*t.Cols : (i+1)*t.Cols]
		if n == 0 || row[gi] != t.Data[order[n-1]*t.Cols+gi] {
			d.groups = append(d.groups, strconv.FormatFloat(row[gi], 'g', -1, 64))
			d.offsets = append(d.offsets, int64(n))
		}
		for _, j := range pred {
			d.x = append(d.x, row[j])
		}
		d.y = append(d.y, row[yi])
	}
	d.offsets = append(d.offsets, int64(t.Rows))
	for k := range d.groups {
		if rows := d.offsets[k+1] - d.offsets[k]; rows < int64(d.p+1) {
			return nil, usagef("--data: group %s has %d rows, fewer than the %d coefficients to fit", d.groups[k], rows, d.p+1)
		}
	}
	return d, nil
}

func bcastInts(c *comm.Comm, v []int64) ([]int64, error) {
	n := []int64{int64(len(v))}
	if err := c.Bcast(n, 0); err != nil {
		return nil, err
	}
	if c.Rank() != 0 {
		v = make([]int64, n[0])
	}
	return v, c.Bcast(v, 0)
}

// fitChunk is how many datasets a thread fits between progress counts.
const fitChunk = 16

// parallelErr is kernels.Parallel for work that can fail: it returns the
// error of the lowest failing range, so the message does not depend on
// goroutine timing.
func parallelErr(threads, n int, fn func(r kernels.Range) error) error {
	var mu sync.Mutex
	var first error
	firstAt := n
	kernels.Parallel(threads, n, func(r kernels.Range) {
		if err := fn(r); err != nil {
			mu.Lock()
			if r.Lo < firstAt {
				first, firstAt = err, r.Lo
			}
			mu.Unlock()
		}
	})
	return first
}
