package jobs

import (
	"errors"
	"fmt"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/dataio"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/kernels"
	"github.com/urfave/cli/v2"
)

func init() {
	register(Spec{
		Name:  "cdist",
		Usage: "pairwise Euclidean distances between the rows of X (m x p) and Y (n x p), like scipy's cdist",
		Description: "The root reads X and Y (.npy, CSV or TSV; 2-D, as scipy's cdist requires) or\n" +
			"generates them (--m --n --p --seed), scatters the rows of X, broadcasts Y; each\n" +
			"rank computes its rows of Z (m x n) with --threads goroutines; the root gathers\n" +
			"Z and writes it with --out. A row's distances never depend on which rows are\n" +
			"computed with it, so the gathered Z equals a one-rank run exactly. --verify\n" +
			"compares with the naive double loop (the notebook's baseline) and reports the\n" +
			"max relative error.\n\n" +
			"When every rank runs on one machine, Z is a shared window (comm.AllocShared,\n" +
			"MPI-3's MPI_Win_allocate_shared): each rank writes its rows straight into the\n" +
			"root's Z and a barrier completes the gather, so nothing is copied. Otherwise\n" +
			"(or with --gather messages) rows travel to the root as they are finished.\n\n" +
			"  spmd run -np 2 cdist --m 4000 --n 4000 --p 100 --verify\n" +
			"  spmd run -np 4 cdist --x X.npy --y Y.npy --out Z.npy",
		New:  func() Params { return &Cdist{M: 1000, N: 1000, P: 100, Seed: 1, Method: "fast", Gather: "auto"} },
		Size: &SizeFlag{Name: "m", Inputs: []string{"x", "y"}},
	})
}

// Cdist is the pairwise distance job.
type Cdist struct {
	X, Y    string // input files; "" generates them
	M, N, P int    // shape of generated X (M x P) and Y (N x P)
	Seed    uint64
	Method  string // fast or naive
	Out     string // Z as .npy or CSV
	Gather  string // auto, shared or messages
}

func (d *Cdist) Flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "x", Value: d.X, Destination: &d.X, Usage: "X as a `FILE` (.npy, .csv, .tsv or .txt): rows are points"},
		&cli.StringFlag{Name: "y", Value: d.Y, Destination: &d.Y, Usage: "Y as a `FILE`; default: X itself (distances within X)"},
		&cli.IntFlag{Name: "m", Value: d.M, Destination: &d.M, Usage: "rows of generated X"},
		&cli.IntFlag{Name: "n", Value: d.N, Destination: &d.N, Usage: "rows of generated Y"},
		&cli.IntFlag{Name: "p", Value: d.P, Destination: &d.P, Usage: "columns (dimensions) of generated X and Y"},
		&cli.Uint64Flag{Name: "seed", Value: d.Seed, Destination: &d.Seed, Usage: "random seed for generated data"},
		&cli.StringFlag{Name: "method", Value: d.Method, Destination: &d.Method, Usage: "fast (blocked, vectorised, accurate) or naive (the notebook's double loop, each distance bit-identical to its np.sqrt(np.sum((y-x)**2)))"},
		&cli.StringFlag{Name: "out", Value: d.Out, Destination: &d.Out, Usage: "write Z to `FILE` (.npy, .csv or .tsv) at the root, atomically"},
		&cli.StringFlag{Name: "gather", Value: d.Gather, Destination: &d.Gather, Usage: "how Z reaches the root, a `MODE`: shared (ranks on one machine write their rows into one shared window of Z: nothing is copied), " +
			"messages (each rank sends its rows as it finishes them), or auto (shared when every rank can map it, else messages)"},
	}
}

func (d *Cdist) Check() error {
	if err := oneOf("method", d.Method, "fast", "naive"); err != nil {
		return err
	}
	if err := oneOf("gather", d.Gather, "auto", "shared", "messages"); err != nil {
		return err
	}
	if d.X == "" {
		if d.Y != "" {
			return job.Usagef("--y given without --x")
		}
		for _, f := range []struct {
			name string
			v    int
		}{{"m", d.M}, {"n", d.N}, {"p", d.P}} {
			if err := positive(f.name, f.v); err != nil {
				return err
			}
		}
		if float64(d.M)*float64(d.N) > 1<<31 || float64(d.M+d.N)*float64(d.P) > 1<<31 {
			return job.Usagef("--m %d --n %d --p %d: the result or inputs would exceed 2^31 elements", d.M, d.N, d.P)
		}
	}
	return nil
}

func (d *Cdist) Job(world *comm.Comm) (job.Job, error) {
	if err := d.Check(); err != nil {
		return job.Job{}, err
	}
	kernel := kernels.Cdist
	if d.Method == "naive" {
		kernel = kernels.CdistNaive
	}
	if err := checkMatrixOut(world, d.Out); err != nil {
		return job.Job{}, err
	}
	pr := &cdistProblem{}
	if world.Rank() == 0 {
		if err := d.load(pr); err != nil {
			return job.Job{}, err
		}
	}
	if err := pr.allocate(world, d.Gather); err != nil {
		return job.Job{}, err
	}
	out := d.Out
	return job.Job{
		Name: "cdist",
		Parallel: func(r *job.Run) (*job.Result, error) {
			return cdistParallel(r, pr, kernel)
		},
		Finish: func(r *job.Run, res *job.Result) error {
			return cdistFinish(res, pr, out)
		},
		Verify: func(r *job.Run, res *job.Result) error {
			ref := make([]float64, pr.m*pr.n)
			prefault(ref)
			r.Serial(func() error { kernels.CdistNaive(ref, pr.x, pr.y, pr.m, pr.n, pr.p); return nil })
			worst := maxRelErr(pr.z, ref)
			res.Set("max_rel_error_vs_naive", worst)
			res.SetVerified(worst <= cdistRelTol, fmt.Sprintf("relative error %g", cdistRelTol), fmt.Sprintf("max relative error %.3g", worst))
			return nil
		},
		Reference: "the naive double loop on one core",
		Close: func() {
			if pr.windows != nil {
				pr.windows.free()
			}
		},
	}, nil
}

// load reads or generates X and Y at the root and checks them.
func (d *Cdist) load(pr *cdistProblem) error {
	if d.X == "" {
		pr.m, pr.n, pr.p = d.M, d.N, d.P
		pr.x = generate(pr.m*pr.p, d.Seed, 0)
		pr.y = generate(pr.n*pr.p, d.Seed, 1)
		return nil
	}
	x, err := loadMatrix("x", d.X)
	if err != nil {
		return err
	}
	y := x
	if d.Y != "" {
		if y, err = loadMatrix("y", d.Y); err != nil {
			return err
		}
	}
	if x.Cols() != y.Cols() {
		return job.Usagef("X has %d columns but Y has %d: points must have the same dimension", x.Cols(), y.Cols())
	}
	pr.x, pr.y, pr.m, pr.n, pr.p = x.Data, y.Data, x.Rows(), y.Rows(), x.Cols()
	return nil
}

// cdistRelTol is the agreement --verify demands between the fast and the
// naive method: both sum the same p squares, in different orders, so they
// differ by a few ulps of the sum (about p*eps relative at worst).
const cdistRelTol = 1e-12

type cdistProblem struct {
	x, y    []float64 // root: all of X; every rank: all of Y
	m, n, p int
	z       []float64     // root: the whole result
	xs, zs  []float64     // this rank's rows of X and Z
	windows *cdistWindows // X, Y and Z, when the ranks share them
	gather  string        // how Z reached the root, for the report
}

// loadMatrix reads a 2-D input. A 1-D array is refused, as SciPy's cdist
// refuses it: m points of one dimension and one point of m dimensions
// read the same, and guessing would silently compute the wrong distances.
func loadMatrix(flag, path string) (*dataio.Array, error) {
	a, err := dataio.LoadMatrix(path)
	if err != nil {
		return nil, job.Usagef("--%s: %v", flag, err)
	}
	if len(a.Shape) != 2 {
		return nil, job.Usagef("--%s: %s is %d-D (shape %v): cdist needs a 2-D array of points, one per row (reshape a vector to (m, 1) or (1, p))", flag, path, len(a.Shape), a.Shape)
	}
	if a.Rows() == 0 || a.Cols() == 0 {
		return nil, job.Usagef("--%s: %s is empty (%d x %d)", flag, path, a.Rows(), a.Cols())
	}
	if err := dataio.CheckFinite(a.Data, a.Shape); err != nil {
		return nil, job.Usagef("--%s: %s: %v", flag, path, err)
	}
	return a, nil
}

// allocate agrees on the shape (a broadcast from the root) and makes
// every buffer before the timed section, touching each page once. Z is a
// window shared by all ranks when gather allows it and they can map it.
func (pr *cdistProblem) allocate(c *comm.Comm, gather string) error {
	dims := []int64{int64(pr.m), int64(pr.n), int64(pr.p)}
	if err := c.Bcast(dims, 0); err != nil {
		return err
	}
	pr.m, pr.n, pr.p = int(dims[0]), int(dims[1]), int(dims[2])
	mine := kernels.Share(pr.m, c.Rank(), c.Size())
	pr.gather = "messages"
	if c.Size() == 1 {
		pr.gather = "none (one rank)"
	} else if gather != "messages" {
		w, err := shareCdist(c, pr, mine)
		switch {
		case err == nil:
			pr.windows, pr.gather = w, "shared window"
			return nil
		case gather == "auto" && errors.Is(err, comm.ErrNotShared):
			pr.gather = fmt.Sprintf("messages (%v)", err)
		case errors.Is(err, comm.ErrNotShared):
			return job.Usagef("--gather shared: %v", err)
		default:
			return err
		}
	}
	pr.xs = make([]float64, mine.Len()*pr.p)
	if c.Rank() != 0 {
		pr.y = make([]float64, pr.n*pr.p)
	}
	if c.Rank() == 0 {
		pr.z = make([]float64, pr.m*pr.n)
		prefault(pr.z)
		pr.zs = pr.z[:mine.Len()*pr.n] // the root's rows land in place
	} else {
		pr.zs = make([]float64, mine.Len()*pr.n)
		prefault(pr.zs)
	}
	return nil
}

func cdistParallel(r *job.Run, pr *cdistProblem, kernel func(dst, x, y []float64, m, n, p int)) (*job.Result, error) {
	c := r.Comm
	m, n, p := pr.m, pr.n, pr.p
	rows := kernels.Counts(m, c.Size())
	mine := kernels.Share(m, c.Rank(), c.Size())
	x, y, z := pr.xs, pr.y, pr.zs
	shared := pr.windows != nil
	err := r.Communicate(func() error {
		if shared {
			return pr.windows.distribute(c, pr)
		}
		if err := c.Scatterv(pr.x, scale(rows, p), nil, x, 0); err != nil {
			return err
		}
		return c.Bcast(y, 0)
	})
	if err != nil {
		return nil, err
	}
	r.Work(int64(mine.Len()))
	// Without a shared window, rows of Z travel to the root piece by piece
	// as they are finished, so the gather (the whole m x n result)
	// overlaps the computation instead of following it. The root learns
	// every rank's thread count first: it decides how that rank cuts its
	// rows into pieces.
	threads := make([]int64, c.Size())
	if !shared {
		if err := r.Communicate(func() error { return c.Gather([]int64{int64(r.Threads)}, threads, 0) }); err != nil {
			return nil, err
		}
	}
	block := kernels.CdistBlockRows(p)
	var reqs []*comm.Request
	if r.Root() && !shared {
		for src := 1; src < c.Size(); src++ {
			share := kernels.Share(m, src, c.Size())
			for tag, pc := range cdistPieces(share.Len(), int(threads[src]), block) {
				lo, hi := share.Lo+pc.Lo, share.Lo+pc.Hi
				reqs = append(reqs, c.Irecv(pr.z[lo*n:hi*n], src, tag))
			}
		}
	}
	pieces := cdistPieces(mine.Len(), r.Threads, block)
	sends := make([]*comm.Request, len(pieces))
	r.Compute(func() error {
		kernels.Parallel(r.Threads, mine.Len(), func(t kernels.Range) {
			// A thread's pieces are the consecutive ones inside its rows.
			// A row's distances do not depend on the rows computed with it.
			for i, pc := range pieces {
				if pc.Lo < t.Lo || pc.Hi > t.Hi {
					continue
				}
				kernel(z[pc.Lo*n:pc.Hi*n], x[pc.Lo*p:pc.Hi*p], y, pc.Len(), n, p)
				r.Advance(int64(pc.Len()))
				if !r.Root() && !shared {
					sends[i] = c.Isend(z[pc.Lo*n:pc.Hi*n], 0, i)
				}
			}
		})
		return nil
	})
	err = r.Communicate(func() error {
		if shared {
			return pr.windows.gather(c)
		}
		return comm.WaitAll(append(reqs, sends...)...)
	})
	if err != nil {
		return nil, err
	}
	if !r.Root() {
		return nil, nil
	}
	// The work is counted in flops (3 per coordinate: subtract, square,
	// add), so the report's gflop_per_second is a rate.
	res := &job.Result{Work: 3 * float64(m) * float64(n) * float64(p) / 1e9, WorkUnit: "gflop"}
	res.Set("distances", m*n)
	res.Set("shape", fmt.Sprintf("%d x %d (p = %d)", m, n, p))
	res.Set("method", c2s(kernel))
	res.Set("gather", pr.gather)
	return res, nil
}

// cdistFinish summarises and writes the gathered Z at the root, outside
// the timed section: a pass over m·n values is not part of the split work.
func cdistFinish(res *job.Result, pr *cdistProblem, out string) error {
	res.Set("checksum", checksum(pr.z))
	if out == "" {
		return nil
	}
	if err := dataio.SaveMatrix(out, &dataio.Array{Data: pr.z, Shape: []int{pr.m, pr.n}}); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	res.Set("out", out)
	return nil
}

// cdistPieces cuts a share of rows into the pieces that are sent to the
// root as they are finished: evenly among the threads first (as
// kernels.Parallel does), then each thread's rows into pieces of at most
// block rows, in order. Sender and root compute the same pieces from the
// share's length and the sender's threads; a piece's index is its tag.
func cdistPieces(rows, threads, block int) []kernels.Range {
	if rows == 0 {
		return nil
	}
	threads = min(max(threads, 1), rows)
	var out []kernels.Range
	for t := range threads {
		own := kernels.Share(rows, t, threads)
		for lo := own.Lo; lo < own.Hi; lo += block {
			out = append(out, kernels.Range{Lo: lo, Hi: min(lo+block, own.Hi)})
		}
	}
	return out
}

func c2s(k func(dst, x, y []float64, m, n, p int)) string {
	if fmt.Sprintf("%p", k) == fmt.Sprintf("%p", kernels.CdistNaive) {
		return "naive"
	}
	return "fast (" + kernels.CdistPath() + ")"
}

func scale(v []int, k int) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = x * k
	}
	return out
}

// checksum is the plain sum of Z, a quick fingerprint to compare runs.
func checksum(z []float64) float64 {
	var s float64
	for _, v := range z {
		s += v
	}
	return s
}
