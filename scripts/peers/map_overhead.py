#!/usr/bin/python3
"""Per-item cost of a parallel map of trivial items (x + 1), for the peers
spmd's par.Map is compared with in docs/BENCHMARKS.md: joblib.Parallel
(Debian's python3-joblib, default loky backend, automatic batching) and
multiprocessing.Pool.map (default chunksize), on WORKERS processes.

    scripts/peers/map_overhead.py ITEMS WORKERS REPEAT

prints CSV: tool,workers,items,seconds,us_per_item (the median of REPEAT
runs, each timed around the whole map call, results returned in order).
"""
import multiprocessing
import statistics
import sys
import time

from joblib import Parallel, delayed


def inc(x):
    return x + 1


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        assert out[-1] == len(out)
    return statistics.median(times)


def main():
    items, workers, repeat = int(float(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
    xs = range(items)
    print("tool,workers,items,seconds,us_per_item")
    with Parallel(n_jobs=workers) as par:  # the workers stay up between runs
        par(delayed(inc)(x) for x in range(1000))  # warm-up: start the pool
        t = timed(lambda: par(delayed(inc)(x) for x in xs), repeat)
    print(f"joblib.Parallel,{workers},{items},{t:.4f},{t / items * 1e6:.4f}")
    with multiprocessing.Pool(workers) as pool:
        pool.map(inc, range(1000))
        t = timed(lambda: pool.map(inc, xs), repeat)
    print(f"multiprocessing.Pool.map,{workers},{items},{t:.4f},{t / items * 1e6:.4f}")


if __name__ == "__main__":
    main()
