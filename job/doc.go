// Package job is the runtime every spmd job shares: it times the parallel
// section between barriers, attributes each rank's time to computing,
// communicating and waiting, runs the serial reference when asked to
// verify, and prints one report at the root — a table for people, or one
// JSON object for scripts.
//
// A job's body receives a *Run and follows the SPMD duties in order:
//
//  1. take its share (kernels.Share with r.Comm.Rank() and Size()),
//  2. compute it inside r.Compute, using r.Threads goroutines,
//  3. combine at the root inside r.Communicate (Reduce, Gatherv, ...),
//  4. at the root, fill in the Result; with r.Verify, compute the serial
//     reference inside r.Serial and say whether it agrees.
//
// Between the barriers that bracket the body, time outside Compute and
// Communicate is counted as other; the closing barrier's wait is the
// rank's waiting time, the cost of load imbalance.
package job
