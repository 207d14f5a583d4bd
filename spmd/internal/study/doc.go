// Package study runs a job at several configurations of ranks and threads
// through the launcher and collects what each run reported: the machinery
// behind spmd compare (the notebook's serial / goroutines / ranks table)
// and spmd scale (scaling curves). Each point is a fresh `spmd run` whose
// JSON report is parsed, repeated to see the noise, summarised by its
// median.
//
// # Pieces
//
//   - Runner.Measure runs one job at one Point (ranks × threads) through
//     `spmd run`, adding --oversubscribe beyond Runner.Cores.
//   - Scale runs a whole study: every point Repeat times, the repeats going
//     round the points in turn; with Weak set, the job's size flag
//     (WeakSizeFlag: pi --samples, cdist --m, bootstrap --reps, fit
//     --datasets) is multiplied by the point's workers.
//   - ScaleResult holds the runs and one Summary per point (median, min,
//     max, speedup and efficiency against the smallest point), and for a
//     strong study FitAmdahl's estimate of the serial fraction. WriteCSV
//     writes it as scale.csv; Charts and SaveCharts draw time, speedup and
//     efficiency (package plot).
//
// # Oversubscription
//
// A point with more workers than Capacity (the cores, or a hostfile's
// slots) is marked oversubscribed: its time measures the shortage of cores
// rather than the job, so the Amdahl fit leaves such points out whenever
// two or more other worker counts remain, and the charts draw them hollow
// in a shaded band.
package study
