# Generates numpy_stats.txt, the NumPy results that bootstrap_numpy_test.go
# checks StatMean, StatMedian, StatStd and Percentile against bit for bit.
# Run: /usr/bin/python3 numpy_stats.py > numpy_stats.txt   (NumPy 1.24, Debian 12)
import numpy as np

rng = np.random.default_rng(20240601)
sizes = [1, 2, 3, 7, 8, 9, 15, 16, 17, 100, 127, 128, 129, 255, 256, 257, 1000, 4099]
qs = [0, 2.5, 5, 25, 50, 75, 95, 97.5, 100, 33.3]
print("# numpy", np.__version__)
for n in sizes:
    # Wide magnitudes around an offset, so the summation order shows.
    x = 1e6 + rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4, n)
    print("case", n)
    print("data", " ".join(float(v).hex() for v in x))
    print("mean", float(np.mean(x)).hex())
    print("median", float(np.median(x)).hex())
    print("std", float(np.std(x, ddof=1)).hex() if n > 1 else "nan")
    print("sum", float(np.sum(x)).hex())
    for q in qs:
        print("pct", repr(q), float(np.percentile(x, q)).hex())
