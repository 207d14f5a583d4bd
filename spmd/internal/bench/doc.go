// Package bench holds spmd's communication micro-benchmarks, in the style
// of the OSU suite and mpi4py's bench: for each message size, warm-up
// iterations, a barrier, then timed iterations; every figure is reported
// at the root as min / median / max over iterations, where one iteration's
// time is the slowest rank's. A raw-socket baseline measures the same
// ping-pong on a bare TCP connection between the same two ranks, so every
// figure can be read as a ratio to what the machine's network stack allows.
package bench
