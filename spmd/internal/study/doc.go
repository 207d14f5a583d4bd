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
//     round the points in turn; with Weak set, the job's size flag (its
//     registry entry's Size: pi --samples, cdist --m, bootstrap --reps,
//     fit --datasets) is multiplied by the point's workers.
//   - ScaleResult holds the runs and one Summary per point (median, min,
//     max, speedup and efficiency against the smallest point), and for a
//     strong study FitAmdahl's estimate of the serial fraction when it can
//     be trusted. WriteCSV writes it as scale.csv; Charts and SaveCharts
//     draw time, speedup and efficiency (package plot); FitSummary is the
//     line the text summary prints about the fit.
//
// # Oversubscription
//
// A point with more workers than Capacity (the cores, or a hostfile's
// slots) is marked oversubscribed: its time measures the shortage of cores
// rather than the job, so the Amdahl fit never uses it, and the charts
// draw such points hollow in a shaded band.
//
// # When the Amdahl fit is shown
//
// Two parameters fit any two worker counts exactly, so a fit on few
// points says nothing about the job. The fit is kept only when it rests on
// at least MinFitWorkerCounts (4) different worker counts within the
// cores and its curve passes within MaxFitMiss (5 %, root mean square of
// the relative misses, Amdahl.Miss) of their medians. Otherwise Fit is
// nil, FitSummary prints a warning that says which test failed, and every
// chart says the same in its legend. On a 2-core machine there are only
// two worker counts within the cores, so no fit is ever shown there.
package study
