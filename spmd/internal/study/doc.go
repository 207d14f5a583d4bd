// Package study runs a job at several configurations of ranks and threads
// through the launcher and collects what each run reported: the machinery
// behind spmd compare (the notebook's serial / goroutines / ranks table)
// and spmd scale (scaling curves). Each point is a fresh `spmd run` whose
// JSON report is parsed, repeated to see the noise, summarised by its
// median.
package study
