package cpuid

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// Online returns the number of CPUs online in this machine, whatever this
// process's affinity allows (runtime.NumCPU counts only those): how many
// ranks of one machine can run at once. It reads Linux's
// /sys/devices/system/cpu/online ("0-3,6"); elsewhere it is NumCPU.
func Online() int {
	online.once.Do(func() {
		online.n = runtime.NumCPU()
		b, err := os.ReadFile("/sys/devices/system/cpu/online")
		if err != nil {
			return
		}
		n := 0
		for _, r := range strings.Split(strings.TrimSpace(string(b)), ",") {
			lo, hi, found := strings.Cut(r, "-")
			a, err1 := strconv.Atoi(lo)
			z, err2 := a, error(nil)
			if found {
				z, err2 = strconv.Atoi(hi)
			}
			if err1 != nil || err2 != nil || z < a {
				return
			}
			n += z - a + 1
		}
		if n > 0 {
			online.n = n
		}
	})
	return online.n
}

var online struct {
	once sync.Once
	n    int
}
