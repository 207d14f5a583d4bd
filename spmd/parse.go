package main

import (
	"math"
	"strconv"
	"strings"
)

// parseCount reads a positive whole number as a scientist writes it:
// 1000000, 1_000_000, 1e6 or 2.5e8. It refuses zero, negatives,
// fractions and numbers beyond max, naming the flag.
func parseCount(flag, s string, max uint64) (uint64, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	if t == "" {
		return 0, usagef("--%s: empty value", flag)
	}
	if n, err := strconv.ParseUint(t, 10, 64); err == nil {
		if n == 0 {
			return 0, usagef("--%s: must be at least 1, got 0", flag)
		}
		if n > max {
			return 0, usagef("--%s: %s is more than the limit %d", flag, s, max)
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, usagef("--%s: %q is not a number (write e.g. 1000000 or 1e6)", flag, s)
	}
	if f < 1 {
		return 0, usagef("--%s: must be at least 1, got %s", flag, s)
	}
	if f != math.Trunc(f) {
		return 0, usagef("--%s: %s is not a whole number", flag, s)
	}
	if f > float64(max) {
		return 0, usagef("--%s: %s is more than the limit %d", flag, s, max)
	}
	return uint64(f), nil
}
