package kernels

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Axis is one named parameter of a sweep and the values it takes.
type Axis struct {
	Name   string
	Values []float64
}

// maxAxisValues bounds one axis, so a typo such as 0:1:1e-9 fails fast
// instead of allocating gigabytes.
const maxAxisValues = 1_000_000

// ParseValues parses a value list as a scientist writes it:
//
//	0.3               one value
//	0.1,0.2,0.5       a list
//	0.1:0.5:0.05      start:stop:step, stop included: 0.1, 0.15, ..., 0.5
//	1:5               start:stop of whole numbers: step 1
//	0.1:0.3:0.1,0.5   items of a list may be ranges
//
// A range contains start + i*step for i = 0, 1, ... while it does not pass
// stop by more than 1e-9 steps, so 0.1:0.5:0.05 ends at 0.5 although
// (0.5-0.1)/0.05 is 7.999999999999999 in floating point. Each value is
// rounded to the decimal places written in start and step (0.1+2*0.05 gives
// 0.2, not 0.20000000000000004); the last is snapped to stop when within
// the tolerance. Values keep the written order; duplicates are kept.
//
// Errors name the offending item: an empty item, a non-number, NaN or
// infinity, a step <= 0, stop < start, a range of fractions without a step
// (0.1:0.5, which a step of 1 would turn into the single value 0.1), or
// more than 1,000,000 values.
func ParseValues(spec string) ([]float64, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, fmt.Errorf("kernels: empty value list")
	}
	var out []float64
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		vals, err := parseItem(item)
		if err != nil {
			return nil, err
		}
		out = append(out, vals...)
		if len(out) > maxAxisValues {
			return nil, fmt.Errorf("kernels: value list %q has more than %d values", spec, maxAxisValues)
		}
	}
	return out, nil
}

func parseItem(item string) ([]float64, error) {
	if item == "" {
		return nil, fmt.Errorf("kernels: empty item in value list")
	}
	parts := strings.Split(item, ":")
	if len(parts) > 3 {
		return nil, fmt.Errorf("kernels: %q: want start:stop:step", item)
	}
	nums := make([]float64, len(parts))
	for i, s := range parts {
		s = strings.TrimSpace(s)
		parts[i] = s
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("kernels: %q: %q is not a number", item, s)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("kernels: %q: %q is not a finite number", item, s)
		}
		nums[i] = v
	}
	if len(nums) == 1 {
		return nums, nil
	}
	start, stop, step := nums[0], nums[1], 1.0
	stepText := "1"
	if len(nums) == 3 {
		step, stepText = nums[2], parts[2]
	} else if start != math.Trunc(start) || stop != math.Trunc(stop) {
		// 1:10 counts as seq does; 0.1:0.5 with the same step of 1 would
		// silently be the single value 0.1.
		return nil, fmt.Errorf("kernels: %q: a range of fractions needs a step, start:stop:step (e.g. %s:%s:0.05)", item, parts[0], parts[1])
	}
	if !(step > 0) {
		return nil, fmt.Errorf("kernels: %q: step %v must be > 0", item, step)
	}
	if stop < start {
		return nil, fmt.Errorf("kernels: %q: stop %v is below start %v", item, stop, start)
	}
	const tol = 1e-9 // in steps
	span := (stop - start) / step
	if span > maxAxisValues {
		return nil, fmt.Errorf("kernels: %q has more than %d values", item, maxAxisValues)
	}
	n := int(math.Floor(span+tol)) + 1
	dec, roundOK := decimals(parts[0])
	if d, ok := decimals(stepText); ok && d > dec {
		dec = d
	} else if !ok {
		roundOK = false
	}
	vals := make([]float64, n)
	for i := range vals {
		v := start + float64(i)*step
		if roundOK {
			v = roundDecimals(v, dec)
		}
		vals[i] = v
	}
	// Only the last value can pass stop, and then by at most tol steps
	// (plus rounding): it is stop. Near the largest float64 it may even
	// have overflowed to +Inf (0:1.7976931348623157e308:5.992310449541053e307).
	if last := vals[n-1]; last > stop || math.Abs(last-stop) <= tol*step {
		vals[n-1] = stop
	}
	return vals, nil
}

// decimals returns the number of digits after the decimal point in a
// plain decimal literal, and false for exponent or hex notation.
func decimals(s string) (int, bool) {
	if strings.ContainsAny(s, "eEpPxX") {
		return 0, false
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1, true
	}
	return 0, true
}

// roundDecimals rounds v to d decimal places through its decimal text, so
// the result is the float64 nearest the rounded decimal.
func roundDecimals(v float64, d int) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', d, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// ParseAxis parses "name=values" (values as in ParseValues).
func ParseAxis(s string) (Axis, error) {
	name, spec, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return Axis{}, fmt.Errorf("kernels: axis %q: want name=values", s)
	}
	vals, err := ParseValues(spec)
	if err != nil {
		return Axis{}, fmt.Errorf("axis %s: %w", name, err)
	}
	return Axis{Name: name, Values: vals}, nil
}

// Grid is the cartesian product of its axes in a fixed order: point i
// enumerates the axes like nested loops with the first axis outermost and
// the last innermost (itertools.product, row-major order). A grid with no
// axes has one point, the empty one.
type Grid []Axis

// Len returns the number of points: the product of the axis lengths.
func (g Grid) Len() int {
	n := 1
	for _, a := range g {
		n *= len(a.Values)
	}
	return n
}

// Point writes point i's coordinates, one per axis in axis order, into
// dst and returns it (dst is grown when short). It panics if i is outside
// [0, Len()).
func (g Grid) Point(dst []float64, i int) []float64 {
	if i < 0 || i >= g.Len() {
		panic(fmt.Sprintf("kernels: grid point %d outside [0,%d)", i, g.Len()))
	}
	if cap(dst) < len(g) {
		dst = make([]float64, len(g))
	}
	dst = dst[:len(g)]
	for k := len(g) - 1; k >= 0; k-- {
		n := len(g[k].Values)
		dst[k] = g[k].Values[i%n]
		i /= n
	}
	return dst
}

// Names returns the axis names in order.
func (g Grid) Names() []string {
	names := make([]string, len(g))
	for k, a := range g {
		names[k] = a.Name
	}
	return names
}

// SIRAxes are the axis names of an SIR sweep, in grid order.
var SIRAxes = []string{"beta", "gamma", "N", "I0"}

// SIRGrid parses the four value lists of an SIR sweep (see ParseValues)
// into a Grid with axes beta, gamma, N, I0 in that order, and checks that
// every point is a valid setting: rates >= 0, N and I0 whole numbers with
// 1 <= N <= 2^27 and 0 <= I0 <= N. The error names the axis and value.
func SIRGrid(beta, gamma, n, i0 string) (Grid, []SIRParams, error) {
	specs := []string{beta, gamma, n, i0}
	g := make(Grid, len(specs))
	for k, spec := range specs {
		vals, err := ParseValues(spec)
		if err != nil {
			return nil, nil, fmt.Errorf("SIR %s: %w", SIRAxes[k], err)
		}
		if k >= 2 {
			for _, v := range vals {
				if v != math.Trunc(v) || v < 0 || v > sirMaxN {
					return nil, nil, fmt.Errorf("kernels: SIR %s: %v is not a whole number in [0,%d]", SIRAxes[k], v, sirMaxN)
				}
			}
		}
		g[k] = Axis{Name: SIRAxes[k], Values: vals}
	}
	if g.Len() > maxAxisValues {
		return nil, nil, fmt.Errorf("kernels: SIR sweep has %d settings, more than %d", g.Len(), maxAxisValues)
	}
	settings := make([]SIRParams, g.Len())
	pt := make([]float64, len(g))
	for i := range settings {
		pt = g.Point(pt, i)
		p := SIRParams{Beta: pt[0], Gamma: pt[1], N: int(pt[2]), I0: int(pt[3])}
		if err := p.Validate(); err != nil {
			return nil, nil, fmt.Errorf("setting %d: %w", i, err)
		}
		settings[i] = p
	}
	return g, settings, nil
}

// SweepCost estimates the work of one replicate of setting p, in events
// (each costs about the same), for balancing settings across ranks with
// ShareByCost. With R0 = Beta/Gamma:
//
//	R0 <= 1: a subcritical branching process; I0 chains infect about
//	         I0/(1-R0) people in all (capped at N), two events each;
//	R0 > 1:  with probability 1-(1/R0)^I0 a major outbreak infects the
//	         fraction z of N solving z = 1 - exp(-R0 z), two events each;
//	         otherwise the minor-outbreak cost above, with R0 replaced by 1/R0.
//
// One event is added for the replicate's fixed cost. It is an estimate
// for balancing only; the simulation does not use it.
func SweepCost(p SIRParams) float64 {
	n, i0 := float64(p.N), float64(p.I0)
	if p.I0 == 0 {
		return 1
	}
	if p.Gamma == 0 {
		if p.Beta == 0 {
			return 1
		}
		return 1 + n - i0 // everyone gets infected, nobody recovers
	}
	r0 := p.Beta / p.Gamma
	minor := func(r float64) float64 { return 2 * math.Min(n, i0/(1-r)) }
	if r0 <= 1 {
		if r0 > 1-1e-9 {
			return 1 + 2*n
		}
		return 1 + minor(r0)
	}
	z := finalSizeFraction(r0)
	pMajor := 1 - math.Pow(1/r0, i0)
	return 1 + pMajor*2*math.Max(z*n, i0) + (1-pMajor)*minor(1/r0)
}

// finalSizeFraction solves z = 1 - exp(-r0 z) for the positive root
// (r0 > 1) by Newton's method from z = 1.
func finalSizeFraction(r0 float64) float64 {
	z := 1.0
	for k := 0; k < 100; k++ {
		f := z - 1 + math.Exp(-r0*z)
		df := 1 - r0*math.Exp(-r0*z)
		next := z - f/df
		if math.Abs(next-z) < 1e-12 {
			return next
		}
		z = next
	}
	return z
}
