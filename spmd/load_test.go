package main

// Load: many ranks oversubscribed on a small machine, and one large
// gather, through real processes. Each records the memory high-water
// mark of the ranks (VmHWM from /proc/PID/status, sampled while they
// run) and the wall time; docs/RELIABILITY.md lists the numbers seen.
// Skipped with -short.

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spmd-go/spmd/internal/clustertest"
)

// loadTimeout bounds each run; on a 2-core machine the longest takes
// about 10 seconds.
const loadTimeout = 5 * time.Minute

// hwmSampler follows the memory high-water mark (VmHWM) of every process
// carrying a marker, by rank, until stopped.
type hwmSampler struct {
	marker string
	stop   chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	hwm    map[int]int64 // rank -> kB
}

func startHWM(marker string) *hwmSampler {
	s := &hwmSampler{marker: marker, stop: make(chan struct{}), done: make(chan struct{}), hwm: make(map[int]int64)}
	go func() {
		defer close(s.done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *hwmSampler) sample() {
	for _, pid := range launchProcs(s.marker) {
		dir := "/proc/" + strconv.Itoa(pid)
		env, err := os.ReadFile(dir + "/environ")
		if err != nil {
			continue
		}
		rank := -1
		for _, kv := range strings.Split(string(env), "\x00") {
			if v, ok := strings.CutPrefix(kv, "SPMD_RANK="); ok {
				rank, _ = strconv.Atoi(v)
			}
		}
		if rank < 0 {
			continue
		}
		kb := procStatusKB(dir+"/status", "VmHWM:")
		s.mu.Lock()
		if kb > s.hwm[rank] {
			s.hwm[rank] = kb
		}
		s.mu.Unlock()
	}
}

// result stops sampling and returns the high-water marks by rank.
func (s *hwmSampler) result() map[int]int64 {
	close(s.stop)
	<-s.done
	return s.hwm
}

// procStatusKB reads a "Key:   N kB" line of /proc/PID/status.
func procStatusKB(path, key string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// hwmSummary is "sum X MiB over N ranks, max Y MiB (rank R)".
func hwmSummary(h map[int]int64) (sum, maxKB int64, maxRank int) {
	maxRank = -1
	for r, kb := range h {
		sum += kb
		if kb > maxKB {
			maxKB, maxRank = kb, r
		}
	}
	return sum, maxKB, maxRank
}

func mib(kb int64) float64 { return float64(kb) / 1024 }

// TestLoad64Ranks: 64 ranks on this 2-core machine (32 per core) wire up
// (2016 connections) and complete pi and a series of Allreduces.
func TestLoad64Ranks(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	spmd := clustertest.BuildSpmd(t)
	const n = 64
	for _, tc := range []struct {
		name  string
		args  []string
		check *regexp.Regexp
	}{
		{"pi", []string{"pi", "--samples", "1e9", "--json"}, regexp.MustCompile(`"ranks":\s*64\b`)},
		{"allreduce", []string{"bench", "allreduce", "--sizes", "8,1Ki,1Mi,8Mi", "--iters", "20", "--warmup", "2"}, regexp.MustCompile(`allreduce\s+64\s+8Mi\s`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			marker := launchMarker(t)
			h := startHWM(marker)
			r := clustertest.Run(t, loadTimeout, spmd, append([]string{"run", "-np", strconv.Itoa(n), "--oversubscribe", "-x", marker}, tc.args...)...)
			hwm := h.result()
			if r.Code != 0 || !tc.check.MatchString(r.Stdout) {
				t.Fatalf("%v\nwant output matching %v", r, tc.check)
			}
			sum, mx, mr := hwmSummary(hwm)
			t.Logf("%d ranks, %s: %v wall; VmHWM sum %.0f MiB over %d ranks sampled, max %.1f MiB (rank %d)",
				n, tc.name, r.Duration.Round(time.Millisecond), mib(sum), len(hwm), mib(mx), mr)
			launchNoneLeft(t, marker, 10*time.Second)
		})
	}
}

// TestLoadGatherv1GiB: cdist with Z of 11586 x 11586 float64 (1 GiB) on
// 2 ranks: the root gathers half a GiB from rank 1 into its 1 GiB Z with
// Gatherv. Its peak RSS should stay near the size of Z (its own rows are
// computed in place).
func TestLoadGatherv1GiB(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	spmd := clustertest.BuildSpmd(t)
	const side = 11586 // side^2 * 8 bytes = 1.0000 GiB
	marker := launchMarker(t)
	h := startHWM(marker)
	r := clustertest.Run(t, loadTimeout, spmd, "run", "-np", "2", "-x", marker, "cdist",
		"--m", strconv.Itoa(side), "--n", strconv.Itoa(side), "--p", "1", "--quiet", "--json")
	hwm := h.result()
	if r.Code != 0 {
		t.Fatal(r)
	}
	t.Logf("cdist Z of %.2f GiB gathered on 2 ranks: %v wall; root VmHWM %.0f MiB, rank 1 VmHWM %.0f MiB",
		float64(side*side*8)/(1<<30), r.Duration.Round(time.Millisecond), mib(hwm[0]), mib(hwm[1]))
	// A sanity bound, not a benchmark: Z once, plus slack; a second copy
	// of Z at the root would pass 2 GiB.
	if hwm[0] > 2<<20 {
		t.Errorf("root VmHWM %.0f MiB for a 1 GiB result: is Z copied?", mib(hwm[0]))
	}
	launchNoneLeft(t, marker, 10*time.Second)
}
