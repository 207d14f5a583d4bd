/*
 * mpibench: the peer of `spmd bench` in C over MPI, so scripts/bench.sh can
 * measure Open MPI (or any MPI) in the same run and the same way as spmd:
 * for each size, warm-up iterations, a barrier, then timed iterations; an
 * iteration's time is the slowest rank's (a MAX reduction afterwards,
 * outside the timing), and pingpong reports half a round trip between
 * ranks 0 and 1. The root prints CSV with spmd bench's header, so the same
 * tools read both.
 *
 *   mpicc -O2 -o mpibench mpibench.c
 *   mpirun -np 2 ./mpibench pingpong 8,1Mi,16Mi
 *   mpirun -np 4 ./mpibench allreduce 8,8Mi      (sizes in bytes of float64)
 *   mpirun -np 4 ./mpibench barrier
 *
 * Options after the sizes: iters=N (default 200), warmup=N (default 10),
 * budget=BYTES (default 512Mi: at most this many bytes moved per size, so
 * large sizes run fewer iterations, at least 5), as spmd bench's flags, and
 * transport=NAME, written in the CSV's transport column (default "mpi"),
 * so runs over the MPI's shared memory and over its TCP can be told apart.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long parse_size(const char *s) {
	char *end;
	double v = strtod(s, &end);
	if (end == s) return -1;
	if (strcmp(end, "Ki") == 0) v *= 1024;
	else if (strcmp(end, "Mi") == 0) v *= 1024 * 1024;
	else if (strcmp(end, "Gi") == 0) v *= 1024.0 * 1024 * 1024;
	else if (*end != 0) return -1;
	return (long)v;
}

static int cmp(const void *a, const void *b) {
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int iters_for(long bytes, int iters, long budget) {
	if (budget > 0 && bytes > 0 && (long)iters * bytes > budget) {
		long n = budget / bytes;
		return n < 5 ? 5 : (int)n;
	}
	return iters;
}

/* report prints one CSV row at the root from every rank's times. */
static const char *transport = "mpi";

static void report(const char *bench, int rank, int p, long bytes, double *t, int n) {
	double *slow = malloc(sizeof(double) * n);
	MPI_Reduce(t, slow, n, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
	if (rank == 0) {
		qsort(slow, n, sizeof(double), cmp);
		double med = n % 2 ? slow[n / 2] : (slow[n / 2 - 1] + slow[n / 2]) / 2;
		double mbps = med > 0 && bytes > 0 ? bytes / med / 1e6 : 0;
		printf("%s,%d,%ld,%d,%g,%g,%g,%g,0,0,0,%s\n", bench, p, bytes, n, slow[0] * 1e6, med * 1e6, slow[n - 1] * 1e6, mbps, transport);
		fflush(stdout);
	}
	free(slow);
}

int main(int argc, char **argv) {
	MPI_Init(&argc, &argv);
	int rank, p;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &p);
	if (argc < 2) {
		if (rank == 0) fprintf(stderr, "usage: mpibench pingpong|allreduce|barrier [SIZES] [iters=N] [warmup=N] [budget=B]\n");
		MPI_Abort(MPI_COMM_WORLD, 2);
	}
	const char *bench = argv[1];
	char sizes[4096] = "8";
	int iters = 200, warmup = 10;
	long budget = 512L << 20;
	for (int i = 2; i < argc; i++) {
		if (strncmp(argv[i], "iters=", 6) == 0) iters = atoi(argv[i] + 6);
		else if (strncmp(argv[i], "warmup=", 7) == 0) warmup = atoi(argv[i] + 7);
		else if (strncmp(argv[i], "budget=", 7) == 0) budget = parse_size(argv[i] + 7);
		else if (strncmp(argv[i], "transport=", 10) == 0) transport = argv[i] + 10;
		else snprintf(sizes, sizeof sizes, "%s", argv[i]);
	}
	if (iters < 1 || warmup < 0 || budget < 0) {
		if (rank == 0) fprintf(stderr, "mpibench: bad iters, warmup or budget\n");
		MPI_Abort(MPI_COMM_WORLD, 2);
	}
	if (rank == 0) printf("bench,ranks,bytes,iters,min_us,median_us,max_us,mb_per_s,raw_median_us,raw_mb_per_s,ratio_to_raw,transport\n");

	if (strcmp(bench, "barrier") == 0) {
		double *t = malloc(sizeof(double) * iters);
		for (int i = 0; i < warmup; i++) MPI_Barrier(MPI_COMM_WORLD);
		for (int i = 0; i < iters; i++) {
			MPI_Barrier(MPI_COMM_WORLD);
			double t0 = MPI_Wtime();
			MPI_Barrier(MPI_COMM_WORLD);
			t[i] = MPI_Wtime() - t0;
		}
		report("barrier", rank, p, 0, t, iters);
		free(t);
		MPI_Finalize();
		return 0;
	}
	for (char *tok = strtok(sizes, ","); tok; tok = strtok(NULL, ",")) {
		long size = parse_size(tok);
		if (size < 0) {
			if (rank == 0) fprintf(stderr, "mpibench: bad size %s\n", tok);
			MPI_Abort(MPI_COMM_WORLD, 2);
		}
		if (strcmp(bench, "pingpong") == 0) {
			int n = iters_for(size, iters, budget);
			char *buf = malloc(size > 0 ? size : 1);
			memset(buf, 1, size);
			double *t = calloc(n, sizeof(double));
			MPI_Barrier(MPI_COMM_WORLD);
			for (int i = -warmup; i < n; i++) {
				double t0 = MPI_Wtime();
				if (rank == 0) {
					MPI_Send(buf, size, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
					MPI_Recv(buf, size, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
					if (i >= 0) t[i] = (MPI_Wtime() - t0) / 2;
				} else if (rank == 1) {
					MPI_Recv(buf, size, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
					MPI_Send(buf, size, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
				}
			}
			report("pingpong", rank, 2, size, t, n);
			free(buf);
			free(t);
		} else if (strcmp(bench, "allreduce") == 0) {
			long count = size / 8 > 0 ? size / 8 : 1;
			int n = iters_for(count * 8 * p, iters, budget);
			double *f = malloc(sizeof(double) * count), *g = malloc(sizeof(double) * count);
			for (long i = 0; i < count; i++) f[i] = (double)(i % 1000) / 7;
			double *t = calloc(n, sizeof(double));
			for (int i = 0; i < warmup; i++) MPI_Allreduce(f, g, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
			for (int i = 0; i < n; i++) {
				MPI_Barrier(MPI_COMM_WORLD);
				double t0 = MPI_Wtime();
				MPI_Allreduce(f, g, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
				t[i] = MPI_Wtime() - t0;
			}
			report("allreduce", rank, p, count * 8, t, n);
			free(f);
			free(g);
			free(t);
		} else {
			if (rank == 0) fprintf(stderr, "mpibench: unknown benchmark %s (pingpong, allreduce, barrier)\n", bench);
			MPI_Abort(MPI_COMM_WORLD, 2);
		}
	}
	MPI_Finalize();
	return 0;
}
