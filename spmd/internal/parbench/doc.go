// Package parbench measures package par: how close each schedule comes to
// the best possible makespan on items of heavy-tailed cost, and what a
// Map costs per item when the items cost nothing. spmd bench schedule and
// spmd bench mapcost run it under any launcher; scripts/bench.sh runs them
// beside joblib and multiprocessing.Pool and writes docs/BENCHMARKS.md.
package parbench
