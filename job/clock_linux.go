package job

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// processStart reads this process's age from /proc: field 22 of
// /proc/self/stat is its start in clock ticks after boot, and
// /proc/uptime the time since boot now, to the hundredth of a second.
// Ticks are 100 a second on every Linux that Go supports (USER_HZ). (The
// boot time in /proc/stat is whole seconds: too coarse.)
func processStart() (time.Time, bool) {
	now := time.Now()
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return time.Time{}, false
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return time.Time{}, false
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3
	if len(f) < 20 {
		return time.Time{}, false
	}
	ticks, err := strconv.ParseInt(f[19], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	up, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return time.Time{}, false
	}
	fields := strings.Fields(string(up))
	if len(fields) == 0 {
		return time.Time{}, false
	}
	uptime, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return time.Time{}, false
	}
	age := time.Duration((uptime - float64(ticks)/100) * float64(time.Second))
	if age < 0 {
		age = 0
	}
	return now.Add(-age), true
}
