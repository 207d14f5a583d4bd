package jobs

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/par"
	"github.com/urfave/cli/v2"
)

func init() {
	register(Spec{
		Name:  "fit",
		Usage: "fit the same linear model (OLS) on many datasets",
		Description: "Ordinary least squares with an intercept, y = b0 + b1 x1 + ... + bp xp, on each\n" +
			"of K datasets: read from one CSV whose --group column says which dataset a row\n" +
			"belongs to (labels such as site_G or 17; the --y column is the response, every\n" +
			"other column a predictor), or generated (--datasets --rows --predictors). The\n" +
			"fits are a par.MapRange over the datasets; the root gathers the coefficients,\n" +
			"in dataset order (labels sorted, numerically when all are numbers, as pandas'\n" +
			"groupby does), and writes them with --out as CSV. A dataset that cannot be fitted\n" +
			"(too few rows, collinear predictors) is reported by its label, with empty\n" +
			"coefficients in --out; the others are fitted all the same. --verify refits every\n" +
			"dataset through the normal equations and compares within a relative 1e-10.\n\n" +
			"  spmd run -np 2 fit --datasets 10000 --rows 200 --predictors 3 --verify\n" +
			"  spmd run -np 4 fit --data groups.csv --group site --y yield --out coef.csv",
		New: func() Params {
			return &Fit{Group: "group", Datasets: 1000, Rows: 200, Predictors: 3, Noise: 0.5, Seed: 1}
		},
		Size: &SizeFlag{Name: "datasets", Inputs: []string{"data"}},
	})
}

// Fit is the many-regressions job.
type Fit struct {
	Data  string // a CSV with a header; "" generates Datasets datasets
	Group string // the group column of Data
	Y     string // the response column of Data ("" the last)

	Datasets, Rows, Predictors int // generated data
	Noise                      float64
	Seed                       uint64

	Out string // coefficients, one CSV row per dataset
}

// fitRelTol is the agreement --verify demands between QR and the normal
// equations; on well-conditioned data both are accurate far below it.
const fitRelTol = 1e-10

func (f *Fit) Flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "data", Value: f.Data, Destination: &f.Data, Usage: "CSV `FILE` with a header row, a group column and numeric columns"},
		&cli.StringFlag{Name: "group", Value: f.Group, Destination: &f.Group, Usage: "name of the group column in --data (labels: names or whole numbers)"},
		&cli.StringFlag{Name: "y", Value: f.Y, Destination: &f.Y, Usage: "name of the response column in --data (default: the last column)"},
		&cli.IntFlag{Name: "datasets", Value: f.Datasets, Destination: &f.Datasets, Usage: "generated datasets"},
		&cli.IntFlag{Name: "rows", Value: f.Rows, Destination: &f.Rows, Usage: "rows per generated dataset"},
		&cli.IntFlag{Name: "predictors", Value: f.Predictors, Destination: &f.Predictors, Usage: "predictors per generated dataset"},
		&cli.Float64Flag{Name: "noise", Value: f.Noise, Destination: &f.Noise, Usage: "noise standard deviation of generated data"},
		&cli.Uint64Flag{Name: "seed", Value: f.Seed, Destination: &f.Seed, Usage: "random seed for generated data"},
		&cli.StringFlag{Name: "out", Value: f.Out, Destination: &f.Out, Usage: "write the coefficients to `FILE` (CSV: group, intercept, one column per predictor)"},
	}
}

func (f *Fit) Check() error {
	if f.Data != "" {
		if f.Group == "" {
			return job.Usagef("--group: name the group column of --data")
		}
		return nil
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"datasets", f.Datasets}, {"rows", f.Rows}, {"predictors", f.Predictors}} {
		if err := positive(c.name, c.v); err != nil {
			return err
		}
	}
	if f.Rows < f.Predictors+1 {
		return job.Usagef("--rows %d: a dataset needs at least %d rows for %d predictors and an intercept", f.Rows, f.Predictors+1, f.Predictors)
	}
	if !(f.Noise >= 0) || math.IsInf(f.Noise, 0) {
		return job.Usagef("--noise: %v is not a finite value >= 0", f.Noise)
	}
	return nil
}

// fitData is the problem: datasets by label, their rows end to end.
type fitData struct {
	groups  []string  // dataset labels, in order
	offsets []int64   // dataset k is rows offsets[k]..offsets[k+1]
	x, y    []float64 // rows of predictors (row-major) and responses
	p       int
	names   []string // predictor names
}

func (f *Fit) Job(world *comm.Comm) (job.Job, error) {
	if err := f.Check(); err != nil {
		return job.Job{}, err
	}
	if err := checkOut(world, f.Out); err != nil {
		return job.Job{}, err
	}
	d := &fitData{} // filled at the root, then broadcast
	var synth *kernels.Synthetic
	if f.Data == "" {
		p := f.Predictors
		synth = &kernels.Synthetic{N: f.Rows, P: p, Coef: kernels.TrueCoef(p), Noise: f.Noise, Seed: f.Seed}
		d = &fitData{p: p}
		for j := 0; j < p; j++ {
			d.names = append(d.names, fmt.Sprintf("x%d", j+1))
		}
		for k := 0; k < f.Datasets; k++ {
			d.groups = append(d.groups, strconv.Itoa(k))
		}
	} else if world.Rank() == 0 {
		var err error
		if d, err = readGroups(f.Data, f.Group, f.Y); err != nil {
			return job.Job{}, err
		}
	}
	var (
		coef   [][]float64 // root: by dataset; nil where the fit failed
		failed par.Errors  // root: the datasets that could not be fitted
	)
	out := f.Out
	return job.Job{
		Name: "fit",
		Parallel: func(r *job.Run) (*job.Result, error) {
			if synth == nil {
				if err := r.Communicate(func() error { return d.bcast(r.Comm) }); err != nil {
					return nil, err
				}
			}
			fitOne := func(k int) ([]float64, error) {
				b := make([]float64, d.p+1)
				if synth != nil {
					return b, kernels.FitDatasets(b, *synth, kernels.Range{Lo: k, Hi: k + 1})
				}
				lo, hi := int(d.offsets[k]), int(d.offsets[k+1])
				return b, kernels.OLS(b, d.x[lo*d.p:hi*d.p], d.y[lo:hi], hi-lo, d.p, true)
			}
			err := r.Compute(func() (err error) {
				coef, err = par.MapRange(r.Comm, len(d.groups), fitOne, par.KeepGoing, par.Threads(r.Threads), par.Progress(r))
				return err
			})
			if !errors.As(err, &failed) && err != nil {
				return nil, err
			}
			if !r.Root() {
				return nil, nil
			}
			for _, e := range failed {
				coef[e.Index] = nil
			}
			return fitResult(coef, failed, d, synth), nil
		},
		Finish: func(r *job.Run, res *job.Result) error {
			for _, e := range failed {
				fmt.Fprintf(os.Stderr, "spmd fit: dataset %s not fitted: %v\n", d.groups[e.Index], e.Err)
			}
			if out == "" {
				return nil
			}
			header := append([]string{"group", "intercept"}, d.names...)
			if err := dataio.WriteFileAtomic(out, func(w io.Writer) error { return writeGroupCSV(w, header, d.groups, coef) }); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			res.Set("out", out)
			return nil
		},
		Verify: func(r *job.Run, res *job.Result) error {
			q := d.p + 1
			var got, want []float64
			err := r.Serial(func() error {
				ref := make([]float64, q)
				for k, b := range coef {
					if b == nil {
						continue // not fitted, and reported
					}
					if synth != nil {
						if err := kernels.FitDatasetsSerial(ref, *synth, kernels.Range{Lo: k, Hi: k + 1}); err != nil {
							return err
						}
					} else {
						lo, hi := int(d.offsets[k]), int(d.offsets[k+1])
						if err := kernels.OLSNormal(ref, d.x[lo*d.p:hi*d.p], d.y[lo:hi], hi-lo, d.p, true); err != nil {
							return fmt.Errorf("dataset %s: %w", d.groups[k], err)
						}
					}
					got, want = append(got, b...), append(want, ref...)
				}
				return nil
			})
			if err != nil {
				return err
			}
			worst := maxRelErr(got, want)
			res.SetVerified(worst <= fitRelTol, fmt.Sprintf("relative error %g", fitRelTol), fmt.Sprintf("max relative difference QR vs normal equations %.3g", worst))
			return nil
		},
		Reference: "every dataset refitted through the normal equations (Cholesky), one by one",
	}, nil
}

func fitResult(coef [][]float64, failed par.Errors, d *fitData, synth *kernels.Synthetic) *job.Result {
	q := d.p + 1
	res := &job.Result{Work: float64(len(coef)), WorkUnit: "datasets"}
	res.Set("datasets", len(coef))
	res.Set("predictors", d.p)
	res.Set("fitted", len(coef)-len(failed))
	mean := make([]float64, q)
	n := 0
	for _, b := range coef {
		if b != nil {
			n++
			for j := range mean {
				mean[j] += b[j]
			}
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	res.Set("mean_coefficients", mean)
	if synth != nil {
		res.Set("true_coefficients", synth.Coef)
	}
	if len(failed) > 0 {
		t := job.Table{Columns: []string{"group", "reason"}}
		for _, e := range failed {
			t.Add(d.groups[e.Index], e.Err.Error())
		}
		res.Set("not_fitted", t)
	}
	return res
}

// bcast gives every rank the root's datasets.
func (d *fitData) bcast(c *comm.Comm) error {
	var err error
	if c.Rank() != 0 {
		*d = fitData{}
	}
	shape := []int64{int64(len(d.groups)), int64(d.p)}
	if err = c.Bcast(shape, 0); err != nil {
		return err
	}
	if c.Rank() != 0 {
		d.p = int(shape[1])
		d.offsets = make([]int64, shape[0]+1)
	}
	if err = c.Bcast(d.offsets, 0); err != nil {
		return err
	}
	if d.x, err = bcastFloats(c, d.x); err != nil {
		return err
	}
	if d.y, err = bcastFloats(c, d.y); err != nil {
		return err
	}
	if c.Rank() != 0 {
		d.groups = make([]string, shape[0]) // labels live at the root
	}
	return nil
}

func writeGroupCSV(w io.Writer, header, groups []string, coef [][]float64) error {
	line := make([]byte, 0, 256)
	for i, h := range header {
		if i > 0 {
			line = append(line, ',')
		}
		line = appendCSVField(line, h)
	}
	line = append(line, '\n')
	if _, err := w.Write(line); err != nil {
		return err
	}
	for i, g := range groups {
		line = appendCSVField(line[:0], g)
		for j := 0; j < len(header)-1; j++ {
			line = append(line, ',')
			if coef[i] != nil {
				line = strconv.AppendFloat(line, coef[i][j], 'g', -1, 64)
			}
		}
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

// appendCSVField quotes a field when CSV needs it.
func appendCSVField(b []byte, s string) []byte {
	for _, c := range s {
		if c == ',' || c == '"' || c == '\n' || c == '\r' {
			b = append(b, '"')
			for _, c := range s {
				if c == '"' {
					b = append(b, '"')
				}
				b = append(b, string(c)...)
			}
			return append(b, '"')
		}
	}
	return append(b, s...)
}

// readGroups reads a CSV with a header and groups its rows by the group
// column: labels as text, datasets in sorted label order (numerically when
// every label is a number).
func readGroups(path, groupCol, yCol string) (*fitData, error) {
	tab, err := dataio.LoadTable(path, dataio.CSVOptions{Header: dataio.HeaderYes})
	if err != nil {
		return nil, job.Usagef("--data: %v", err)
	}
	header := tab.Header()
	gi, err := tab.Column(groupCol)
	if err != nil {
		return nil, job.Usagef("--group: %s has no column %q (columns: %v)", path, groupCol, header)
	}
	yi := tab.Cols() - 1
	if yCol != "" {
		if yi, err = tab.Column(yCol); err != nil {
			return nil, job.Usagef("--y: %s has no column %q (columns: %v)", path, yCol, header)
		}
	}
	if gi == yi {
		return nil, job.Usagef("--y: the response cannot be the group column %q", groupCol)
	}
	if tab.Rows() == 0 {
		return nil, job.Usagef("--data: %s has no rows", path)
	}
	labels, _ := tab.StringsAt(gi)
	numeric, err := groupsNumeric(labels, groupCol)
	if err != nil {
		return nil, job.Usagef("--group: %s: %v", path, err)
	}
	d := &fitData{}
	var pred []int
	for i := 0; i < tab.Cols(); i++ {
		if i != gi && i != yi {
			pred = append(pred, i)
			d.names = append(d.names, header[i])
		}
	}
	d.p = len(pred)
	cols := make([][]float64, tab.Cols())
	for _, i := range append(pred, yi) {
		if cols[i], err = tab.FloatsAt(i); err != nil {
			return nil, job.Usagef("--data: %v", err)
		}
		if err := dataio.CheckFinite(cols[i], []int{len(cols[i])}); err != nil {
			return nil, job.Usagef("--data: %s: column %q: %v", path, header[i], err)
		}
	}
	order := make([]int, tab.Rows())
	for i := range order {
		order[i] = i
	}
	less := func(a, b string) bool { return a < b }
	if numeric {
		less = func(a, b string) bool {
			x, _ := strconv.ParseFloat(a, 64)
			y, _ := strconv.ParseFloat(b, 64)
			return x < y
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return less(labels[order[a]], labels[order[b]]) })
	for n, i := range order {
		if n == 0 || labels[i] != labels[order[n-1]] {
			d.groups = append(d.groups, labels[i])
			d.offsets = append(d.offsets, int64(n))
		}
		for _, j := range pred {
			d.x = append(d.x, cols[j][i])
		}
		d.y = append(d.y, cols[yi][i])
	}
	d.offsets = append(d.offsets, int64(len(order)))
	return d, nil
}

// groupsNumeric says whether every label is a number (then datasets sort
// numerically), and refuses a column of fractions: a measurement taken for
// the group column would silently make a one-row dataset of every row.
func groupsNumeric(labels []string, name string) (bool, error) {
	for _, l := range labels {
		v, err := strconv.ParseFloat(l, 64)
		if err != nil {
			return false, nil
		}
		if v != math.Trunc(v) {
			return false, fmt.Errorf("column %q holds the fraction %s: group labels are names or whole numbers (is it a measurement? name the group column with --group)", name, l)
		}
	}
	return true, nil
}
