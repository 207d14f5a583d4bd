// Package kernels holds the computations that spmd distributes: pure
// functions of their inputs and of the share of the work they are given,
// with no communication, no I/O and no goroutines (except Parallel).
// A job in package spmd decides each rank's share, calls a kernel on it
// and gathers or reduces the results; the kernel never knows how many
// ranks there are.
//
// # Workloads
//
// The workloads are the embarrassingly parallel patterns of the course
// notebook spmd grew from:
//
//   - Monte Carlo integration: PiHits counts random points inside the
//     quarter circle; the estimate is PiEstimate = 4*hits/total.
//   - Bootstrap statistics: BootstrapReplicates computes a Statistic (mean,
//     median, sample std) on resamples; BootstrapSummary gives the standard
//     error and percentile interval.
//   - One model on many datasets: OLS fits by least squares; Synthetic
//     generates datasets with known coefficients and FitDatasets fits a
//     range of them.
//   - Simulations over many settings: SIRRun simulates a stochastic
//     epidemic; SIRGrid builds the settings from value lists such as
//     "0.1:0.5:0.05" and SIRSweep runs a range of them.
//   - Plain map and starmap: MapFunc looks up a named function of float64
//     arguments (sqrt, sum, pow, collatz, ...) and MapRows applies it.
//   - Pairwise distances: Cdist (see its own documentation).
//
// # Shares
//
// Every kernel takes the part of the work it must do as plain arguments:
// a Range of rows, blocks, replicates, datasets or settings. Share(n, rank,
// size) is the usual split: contiguous, as even as possible, remainder to
// the low ranks (numpy.array_split's rule), so ranks' shares tile [0, n)
// in rank order and gathered results come back in order. Counts and Displs
// give the matching Gatherv arguments. ShareByCost splits by estimated
// cost instead (SweepCost estimates an SIR setting's), for work whose items
// differ in cost. Parallel runs a function over a split of [0, n) on
// goroutines, for threads within one rank.
//
// # Reproducibility: blocks and streams
//
// A seeded run gives the same numbers on 1 rank or 64, with 1 thread or 8,
// with or without a vector unit. That holds because every random number is
// drawn from a stream that belongs to a fixed unit of the work, never to a
// rank or a thread:
//
//	Monte Carlo pi   block b of PiBlockSize samples  Stream(seed, b)
//	bootstrap        replicate r                     Stream(seed, r)
//	synthetic data   dataset k                       Stream(seed, k)
//	SIR sweep        setting k, replicate r          Stream(Key(seed, k), r)
//
// Stream and Key are defined exactly in rng.go (SplitMix64 seeding of
// xoshiro256**); how each kernel consumes its stream is stated in its doc
// comment. These definitions are a contract: changing them changes every
// published result, and the pinned-value tests fail.
//
// Integer results (pi's hit count, bootstrap indices, SIR event counts)
// are identical on every platform. Floating-point results are identical
// for a given GOARCH; the kernels round products explicitly (float64(a*b))
// so that builds which fuse multiply-adds (GOAMD64=v3, arm64) do not
// differ, but math.Log and friends may differ in the last bit between
// architectures.
//
// # Reference and fast versions
//
// Each workload has a plain reference, written to be read (PiHitsSerial,
// BootstrapReplicatesSerial, OLSNormal, SIRRun, CdistNaive), next to the
// fast version that jobs call. The tests compare them: exactly where the
// fast version computes the same operations in the same order (pi, the
// bootstrap, SIR), within a stated tolerance where the algorithm differs
// (QR against the normal equations).
//
// PiHits has three paths. The portable one interleaves several blocks'
// generators so the CPU's execution units overlap them. With
// GOEXPERIMENT=simd on amd64 and a CPU with AVX-512, each 64-bit lane of a
// vector register runs one block's stream. PiPath names the path in use;
// ForcePortable (or SPMD_NOSIMD=1 in the environment) turns the vector
// path off. The in-circle test is integer arithmetic, so all paths give
// the same count bit for bit.
//
// # Misuse and errors
//
// Programmer errors (a dst of the wrong length, a range outside the work,
// an invalid Statistic) panic with a "kernels: ..." message, as the doc
// comments state. Problems with data or user input (a rank-deficient
// design, a malformed value list, a function called with the wrong number
// of arguments) are returned as errors that name what was wrong.
package kernels
