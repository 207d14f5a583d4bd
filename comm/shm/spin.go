package shm

import (
	"sort"
	"sync"
	"time"
)

// Spinning before blocking pays when the awaited message comes sooner
// than a sleep and a wake-up take: then the spin saved the wake-up, and
// otherwise it cost at most as much again as blocking at once would have.
// Spinning exactly as long as a block and a wake-up cost is the classic
// rule that is never worse than twice the best choice made in hindsight
// (Karlin, Li, Manasse and Owicki, "Empirical studies of competitive
// spinning", SOSP 1991). So the spin is calibrated: the cost of a
// goroutine sleeping in the poller on an eventfd and being woken by
// another's write, measured once per process, bounded below so a fast
// machine still catches a peer that answers in a few microseconds and
// above so a loaded one at calibration time does not spin for long.
const (
	minSpin = 5 * time.Microsecond
	maxSpin = 100 * time.Microsecond
)

var calibration struct {
	once sync.Once
	spin time.Duration
}

// calibratedSpin returns the spin of Config.Spin 0, measuring it on the
// first call.
func calibratedSpin() time.Duration {
	calibration.once.Do(func() {
		calibration.spin = min(max(measureWake(), minSpin), maxSpin)
	})
	return calibration.spin
}

// measureWake returns the median time from one goroutine's write to an
// eventfd to another's wake-up from reading it through the poller (half a
// round trip between two of them), or minSpin where there are no eventfds.
func measureWake() time.Duration {
	a, _, err := newBell()
	if err != nil {
		return minSpin
	}
	defer a.Close()
	b, _, err := newBell()
	if err != nil {
		return minSpin
	}
	defer b.Close()
	const rounds = 41
	go func() {
		var buf [8]byte
		for range rounds + 3 {
			if _, err := a.Read(buf[:]); err != nil {
				return
			}
			b.Write(one[:])
		}
	}()
	var buf [8]byte
	samples := make([]time.Duration, 0, rounds)
	for i := range rounds + 3 {
		t0 := time.Now()
		a.Write(one[:])
		if _, err := b.Read(buf[:]); err != nil {
			return minSpin
		}
		if i >= 3 { // the first rounds start the poller's threads
			samples = append(samples, time.Since(t0)/2)
		}
	}
	sort.Slice(samples, func(i, j int) bool { return samples[i] < samples[j] })
	return samples[len(samples)/2]
}

// one is an eventfd increment of 1, little-endian.
var one = [8]byte{1}
