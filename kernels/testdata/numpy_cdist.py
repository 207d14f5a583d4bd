# Generates numpy_cdist.txt, the distances of the notebook's double loop
#   res[i, j] = np.sqrt(np.sum((ys[j] - xs[i])**2))
# that cdist_numpy_test.go checks CdistNaive against bit for bit.
# Run: /usr/bin/python3 numpy_cdist.py > numpy_cdist.txt   (NumPy 1.24, Debian 12)
import numpy as np

rng = np.random.default_rng(20261124)
# p around NumPy's pairwise boundaries: 8 accumulators, blocks of 128, halves.
dims = [1, 2, 7, 8, 9, 15, 16, 17, 100, 127, 128, 129, 255, 256, 257]
print("# numpy", np.__version__)
for p in dims:
    m, n = 2, 3
    # Coordinates of wide magnitudes around an offset, so the summation
    # order shows in the last bits.
    xs = 1e3 + rng.standard_normal((m, p)) * 10.0 ** rng.integers(-3, 4, (m, p))
    ys = 1e3 + rng.standard_normal((n, p)) * 10.0 ** rng.integers(-3, 4, (n, p))
    res = np.empty((m, n))
    for i in range(m):
        for j in range(n):
            res[i, j] = np.sqrt(np.sum((ys[j] - xs[i]) ** 2))
    print("case", m, n, p)
    print("x", " ".join(float(v).hex() for v in xs.ravel()))
    print("y", " ".join(float(v).hex() for v in ys.ravel()))
    print("z", " ".join(float(v).hex() for v in res.ravel()))
