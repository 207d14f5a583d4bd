// Package job is the runtime every spmd job shares, and yours: it starts a
// rank under any launcher, times the parallel section between barriers,
// attributes each rank's time to computing, communicating and waiting,
// shows progress, runs a serial reference when asked to verify, prints one
// report at the root (a table for people, one JSON object for scripts) and
// turns any failure into a prompt, clean end of the whole job with the
// right exit code.
//
// # Your own program
//
// Declare your flags with package flag, then hand Main your job:
//
//	func main() {
//		data := flag.String("data", "data.csv", "a CSV file with a header row")
//		job.Main(job.Job{Name: "median", Parallel: func(r *job.Run) (*job.Result, error) {
//			x, err := dataio.LoadColumn(*data, "value")
//			...
//			meds, err := par.MapRange(r.Comm, 10000, resampleMedian(x), par.Progress(r))
//			if err != nil || !r.Root() {
//				return nil, err
//			}
//			res := &job.Result{}
//			res.Set("median", ...)
//			return res, nil
//		}})
//	}
//
// The program then takes the standard flags besides its own (-threads,
// -verify, -json, -quiet, -cpuprofile, -progress-every and the start-up
// ones: Settings.Flags) and runs alone, under `spmd run -np 4`, `srun`,
// `mpirun` or `mpiexec` alike. Launch is the same life without the flag
// parsing, for programs that have their own command line (the spmd binary
// is one).
//
// # A job's duties
//
// A job's Parallel receives a *Run and follows the SPMD duties in order:
//
//  1. take its share: package par does it for you (Map, MapRange,
//     MapReduce, ForEach with par.Progress(r)), or take it yourself with
//     kernels.Share(n, r.Comm.Rank(), r.Comm.Size());
//  2. compute it inside r.Compute, using r.Threads goroutines, counting
//     done work with r.Work and r.Advance for the progress line;
//  3. combine at the root inside r.Communicate (Reduce, Gatherv, ...);
//  4. at the root, return the Result: named values, in order (Set), a
//     Table for results made of rows, and the amount of Work done, from
//     which the report derives a rate.
//
// Setup, if given, runs before the timed section (reading input,
// allocating); Finish, at the root after it, writes output files; Verify,
// with -verify, computes the serial reference inside r.Serial and says
// whether it agrees (res.SetVerified), and Reference names what that
// reference is, since it is usually a plain loop rather than the job's
// fast kernel on one core.
//
// # Time
//
// The report gives two times, because users compare both. The end-to-end
// time is the user's clock: from the start of the launcher (or of the
// root's process) until the results are written; it is split into
// start-up (launch and wire-up), setup (building the job: input,
// allocation), the parallel section and finish (gathering, writing). The
// parallel section is the time between the barriers around Parallel, on
// its slowest rank, which per-rank compute, communicate and wait times
// account for; the wait is the closing barrier's, the cost of load
// imbalance. Rates (WorkUnit_per_second) are per second of the parallel
// section. docs/OUTPUT.md describes the JSON report (Schema).
//
// # Failure
//
// A job that returns an error or panics on any rank ends the whole job:
// that rank prints the error once and aborts the world, every other rank
// stops promptly (even one that is computing without talking to anyone),
// and every process exits with the same code: ExitFailure, ExitUsage for a
// UsageError (printed by the root only), ExitMismatch when -verify finds a
// difference, or the code given to Abort. Output files written with
// package dataio are removed when the process is stopped by a signal.
package job
