package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseSizes reads a list of message sizes in bytes: "1,8,1Ki,64Mi" or a
// range of powers of two "1:64Mi". Suffixes K/Ki, M/Mi, G/Gi all mean
// powers of 1024.
func ParseSizes(s string) ([]int, error) {
	if lo, hi, ok := strings.Cut(s, ":"); ok {
		a, err := parseSize(lo)
		if err != nil {
			return nil, err
		}
		b, err := parseSize(hi)
		if err != nil {
			return nil, err
		}
		if a < 1 || b < a {
			return nil, fmt.Errorf("sizes: range %q must go up from at least 1", s)
		}
		var out []int
		for v := a; v <= b; v *= 2 {
			out = append(out, v)
		}
		return out, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := parseSize(f)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func parseSize(f string) (int, error) {
	t := strings.TrimSpace(f)
	mult := 1
	for _, suf := range []struct {
		s string
		m int
	}{{"Ki", 1 << 10}, {"Mi", 1 << 20}, {"Gi", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, suf.s) {
			t, mult = strings.TrimSuffix(t, suf.s), suf.m
			break
		}
	}
	v, err := strconv.Atoi(t)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("sizes: %q is not a size in bytes (e.g. 8, 1Ki, 64Mi)", f)
	}
	if v > (1<<31)/mult {
		return 0, fmt.Errorf("sizes: %q is larger than 2 GiB", f)
	}
	return v * mult, nil
}

// FormatSize writes a byte count the way ParseSizes reads it.
func FormatSize(n int) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGi", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMi", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKi", n>>10)
	}
	return strconv.Itoa(n)
}
