package jobs

import (
	"math"
	"strconv"
	"strings"

	"github.com/spmd-go/spmd/job"
	"github.com/urfave/cli/v2"
)

// Count is a positive whole number as a scientist writes it: 1000000,
// 1_000_000, 1e6 or 2.5e8. As a flag (a cli.Generic) it refuses zero,
// negatives, fractions and anything beyond its limit.
type Count uint64

// countFlag declares a Count flag bound to *v, with max its largest value.
func countFlag(name string, aliases []string, v *Count, max uint64, usage string) cli.Flag {
	return &cli.GenericFlag{Name: name, Aliases: aliases, Usage: usage, Value: &countValue{v: v, max: max}}
}

type countValue struct {
	v   *Count
	max uint64
}

func (c *countValue) String() string {
	if c == nil || c.v == nil {
		return ""
	}
	return strconv.FormatUint(uint64(*c.v), 10)
}

func (c *countValue) Set(s string) error {
	n, err := ParseCount(s, c.max)
	if err != nil {
		return err
	}
	*c.v = Count(n)
	return nil
}

// ParseCount reads a positive whole number as Count does, up to max.
func ParseCount(s string, max uint64) (uint64, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	if t == "" {
		return 0, job.Usagef("empty value")
	}
	if n, err := strconv.ParseUint(t, 10, 64); err == nil {
		if n == 0 {
			return 0, job.Usagef("must be at least 1, got 0")
		}
		if n > max {
			return 0, job.Usagef("%s is more than the limit %d", s, max)
		}
		return n, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, job.Usagef("%q is not a number (write e.g. 1000000 or 1e6)", s)
	}
	if f < 1 {
		return 0, job.Usagef("must be at least 1, got %s", s)
	}
	if f != math.Trunc(f) {
		return 0, job.Usagef("%s is not a whole number", s)
	}
	if f > float64(max) {
		return 0, job.Usagef("%s is more than the limit %d", s, max)
	}
	return uint64(f), nil
}

// positive is the check of an int flag that must be at least 1.
func positive(flag string, v int) error {
	if v < 1 {
		return job.Usagef("--%s: must be at least 1, got %d", flag, v)
	}
	return nil
}

// oneOf is the check of a string flag with a fixed set of values.
func oneOf(flag, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return job.Usagef("--%s: %q is not %s", flag, v, orList(allowed))
}

func orList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " or " + xs[len(xs)-1]
}
