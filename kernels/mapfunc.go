package kernels

import (
	"fmt"
	"math"
	"strings"
)

// Func is a named function of float64 arguments, the unit of work of the
// notebook's Pool.map and Pool.starmap lesson: map calls it with one
// argument per item, starmap with one row of arguments per item. A Func
// checks its arguments and returns an error naming the function and the
// problem (wrong number of arguments, a value outside its domain).
type Func func(args ...float64) (float64, error)

// mapFuncDef is one registry entry.
type mapFuncDef struct {
	name string
	min  int // fewest arguments
	max  int // most arguments; -1 for no limit
	doc  string
	fn   func(args []float64) (float64, error)
}

// mapFuncs is the registry, in the order MapFuncNames lists it.
var mapFuncs = []mapFuncDef{
	{"sqrt", 1, 1, "sqrt(x^2) as in the notebook, i.e. |x| (computed as |x|, so it cannot overflow)",
		func(a []float64) (float64, error) { return math.Abs(a[0]), nil }},
	{"square", 1, 1, "x^2",
		func(a []float64) (float64, error) { return a[0] * a[0], nil }},
	{"sum", 1, -1, "a + b + c + ... (the notebook's starmap f(a, b, c)), left to right",
		func(a []float64) (float64, error) {
			s := 0.0
			for _, v := range a {
				s += v
			}
			return s, nil
		}},
	{"prod", 1, -1, "a * b * c * ..., left to right",
		func(a []float64) (float64, error) {
			p := 1.0
			for _, v := range a {
				p *= v
			}
			return p, nil
		}},
	{"pow", 2, 2, "x^y (math.Pow)",
		func(a []float64) (float64, error) { return math.Pow(a[0], a[1]), nil }},
	{"hypot", 2, 2, "sqrt(x^2 + y^2) without overflow (math.Hypot)",
		func(a []float64) (float64, error) { return math.Hypot(a[0], a[1]), nil }},
	{"collatz", 1, 1, "steps for the Collatz map n -> n/2 or 3n+1 to reach 1 from the integer n >= 1 (cost varies with n)",
		collatzSteps},
	{"isprime", 1, 1, "1 if the integer n is prime, else 0, by trial division (cost grows as sqrt(n))",
		isPrime},
}

// MapFuncNames returns the registered function names, for --help.
func MapFuncNames() []string {
	names := make([]string, len(mapFuncs))
	for i, d := range mapFuncs {
		names[i] = d.name
	}
	return names
}

// MapFuncUsage returns one line per function, "name(args): what it
// computes", for --help.
func MapFuncUsage() []string {
	lines := make([]string, len(mapFuncs))
	for i, d := range mapFuncs {
		lines[i] = fmt.Sprintf("%s(%s): %s", d.name, d.arity(), d.doc)
	}
	return lines
}

func (d mapFuncDef) arity() string {
	switch {
	case d.max < 0:
		return fmt.Sprintf("%d or more args", d.min)
	case d.min == d.max && d.min == 1:
		return "x"
	case d.min == d.max && d.min == 2:
		return "x, y"
	}
	return fmt.Sprintf("%d-%d args", d.min, d.max)
}

// MapFunc returns the function called name, or an error listing the names.
func MapFunc(name string) (Func, error) {
	for _, d := range mapFuncs {
		if d.name == name {
			return d.call, nil
		}
	}
	return nil, fmt.Errorf("kernels: unknown function %q (want one of %s)", name, strings.Join(MapFuncNames(), ", "))
}

// call checks the number of arguments, then evaluates.
func (d mapFuncDef) call(args ...float64) (float64, error) {
	if n := len(args); n < d.min || (d.max >= 0 && n > d.max) {
		want := fmt.Sprintf("%d", d.min)
		switch {
		case d.max < 0:
			want = fmt.Sprintf("at least %d", d.min)
		case d.max != d.min:
			want = fmt.Sprintf("%d to %d", d.min, d.max)
		}
		return 0, fmt.Errorf("kernels: %s takes %s argument%s, got %d", d.name, want, plural(d.min, d.max), n)
	}
	return d.fn(args)
}

func plural(min, max int) string {
	if min == 1 && max == 1 {
		return ""
	}
	return "s"
}

// MapRows applies f to each row of arguments and writes the results to
// dst (starmap; for map, pass one-element rows). It stops at the first
// error and returns it with the row's index. It panics if len(dst) !=
// len(rows).
func MapRows(dst []float64, f Func, rows [][]float64) error {
	if len(dst) != len(rows) {
		panic(fmt.Sprintf("kernels: MapRows with len(dst)=%d for %d rows", len(dst), len(rows)))
	}
	for i, row := range rows {
		v, err := f(row...)
		if err != nil {
			return &RowError{Row: i, Err: err}
		}
		dst[i] = v
	}
	return nil
}

// RowError is MapRows's error: the function failed on rows[Row].
type RowError struct {
	Row int
	Err error
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %v", e.Row, e.Err) }
func (e *RowError) Unwrap() error { return e.Err }

// maxExactInt is 2^53: every integer up to it is a float64.
const maxExactInt = 1 << 53

// wholeNumber returns x as a uint64 if it is an integer in [lo, 2^53],
// else an error naming the function.
func wholeNumber(name string, x float64, lo uint64) (uint64, error) {
	if x != math.Trunc(x) || x < float64(lo) || x > maxExactInt {
		return 0, fmt.Errorf("kernels: %s needs an integer in [%d, 2^53], got %v", name, lo, x)
	}
	return uint64(x), nil
}

// collatzSteps counts the steps n -> n/2 (n even) or 3n+1 (n odd) until 1.
func collatzSteps(a []float64) (float64, error) {
	n, err := wholeNumber("collatz", a[0], 1)
	if err != nil {
		return 0, err
	}
	start := n
	steps := 0
	for n != 1 {
		if n%2 == 0 {
			n /= 2
		} else {
			if n > (math.MaxUint64-1)/3 {
				return 0, fmt.Errorf("kernels: collatz trajectory of %d exceeds 2^64", start)
			}
			n = 3*n + 1
		}
		steps++
	}
	return float64(steps), nil
}

// isPrime tests n by trial division by 2, 3 and then 6k±1 up to sqrt(n).
func isPrime(a []float64) (float64, error) {
	n, err := wholeNumber("isprime", a[0], 0)
	if err != nil {
		return 0, err
	}
	switch {
	case n < 2:
		return 0, nil
	case n < 4:
		return 1, nil
	case n%2 == 0 || n%3 == 0:
		return 0, nil
	}
	for d := uint64(5); d*d <= n; d += 6 {
		if n%d == 0 || n%(d+2) == 0 {
			return 0, nil
		}
	}
	return 1, nil
}
