package boot

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxHostlist bounds how many names ExpandHostlist and ParseTasksPerNode
// produce. The count is checked before anything is allocated, so a short
// hostile string such as "n[0-999999999]" fails at once instead of
// exhausting memory. Slurm's largest clusters have well under a million
// nodes.
const MaxHostlist = 1 << 20

// maxDigits bounds the digits of one number in a range, so that parsing
// never overflows (10^18 < 2^63).
const maxDigits = 18

// ExpandHostlist expands a Slurm hostlist expression into host names, in
// order:
//
//	n[1-3]           n1 n2 n3
//	node[01-03,07]   node01 node02 node03 node07   (zero padding is kept)
//	a[1-2]b          a1b a2b
//	n[1-2],m[3-4]    n1 n2 m3 m4                   (commas outside brackets separate)
//	x[1-2]y[3-4]     x1y3 x1y4 x2y3 x2y4           (the leftmost group varies slowest)
//	login            login
//
// A number is padded to the width of the range's lower bound, as Slurm
// does. The errors name the problem: an unbalanced or nested bracket, an
// empty name, a range that is reversed or not numeric, or an expansion of
// more than MaxHostlist names.
func ExpandHostlist(s string) ([]string, error) {
	items, err := splitHostlist(s)
	if err != nil {
		return nil, err
	}
	// Parse everything and count first: allocate only what is bounded.
	parsed := make([]hostPattern, len(items))
	total := 0
	for i, it := range items {
		p, err := parseHostPattern(it)
		if err != nil {
			return nil, fmt.Errorf("hostlist %q: %v", s, err)
		}
		if total += p.count; total > MaxHostlist {
			return nil, fmt.Errorf("hostlist %q expands to more than %d names", s, MaxHostlist)
		}
		parsed[i] = p
	}
	names := make([]string, 0, total)
	for _, p := range parsed {
		names = p.expand(names)
	}
	return names, nil
}

// splitHostlist splits s at the commas outside brackets and checks the
// brackets balance.
func splitHostlist(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("hostlist: empty")
	}
	var items []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			if depth > 0 {
				return nil, fmt.Errorf("hostlist %q: nested '[' at offset %d", s, i)
			}
			depth++
		case ']':
			if depth == 0 {
				return nil, fmt.Errorf("hostlist %q: unbalanced ']' at offset %d", s, i)
			}
			depth--
		case ',':
			if depth == 0 {
				items = append(items, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("hostlist %q: unbalanced '[' (no closing ']')", s)
	}
	items = append(items, s[start:])
	for i, it := range items {
		it = strings.TrimSpace(it)
		if it == "" {
			return nil, fmt.Errorf("hostlist %q: empty name (name %d)", s, i+1)
		}
		items[i] = it
	}
	return items, nil
}

// hostPattern is one name of a hostlist: literal parts between bracket
// groups. parts has one more element than groups.
type hostPattern struct {
	parts  []string
	groups [][]numRange
	count  int // names it expands to, at most MaxHostlist
}

type numRange struct {
	lo, hi uint64
	width  int
}

func (r numRange) count() uint64 { return r.hi - r.lo + 1 }

func parseHostPattern(s string) (hostPattern, error) {
	var p hostPattern
	count := uint64(1)
	for {
		open := strings.IndexByte(s, '[')
		if open < 0 {
			p.parts = append(p.parts, s)
			break
		}
		end := strings.IndexByte(s[open:], ']') + open // balanced: checked by splitHostlist
		p.parts = append(p.parts, s[:open])
		g, n, err := parseRanges(s[open+1 : end])
		if err != nil {
			return p, err
		}
		p.groups = append(p.groups, g)
		count *= n // both at most MaxHostlist: no overflow in 64 bits
		if count > MaxHostlist {
			return p, fmt.Errorf("expands to more than %d names", MaxHostlist)
		}
		s = s[end+1:]
	}
	p.count = int(count)
	return p, nil
}

// parseRanges parses the inside of one bracket group, "01-03,07", and
// returns its ranges and how many numbers they hold.
func parseRanges(s string) ([]numRange, uint64, error) {
	var rs []numRange
	var n uint64
	for _, el := range strings.Split(s, ",") {
		loS, hiS, isRange := strings.Cut(el, "-")
		if !isRange {
			hiS = loS
		}
		lo, err := parseRangeNumber(loS, s)
		if err != nil {
			return nil, 0, err
		}
		hi, err := parseRangeNumber(hiS, s)
		if err != nil {
			return nil, 0, err
		}
		if hi < lo {
			return nil, 0, fmt.Errorf("reversed range %s in [%s]", el, s)
		}
		r := numRange{lo: lo, hi: hi, width: len(loS)}
		if r.count() > MaxHostlist {
			return nil, 0, fmt.Errorf("range %s in [%s] expands to more than %d names", el, s, MaxHostlist)
		}
		if n += r.count(); n > MaxHostlist {
			return nil, 0, fmt.Errorf("[%s] expands to more than %d names", s, MaxHostlist)
		}
		rs = append(rs, r)
	}
	return rs, n, nil
}

func parseRangeNumber(d, group string) (uint64, error) {
	if d == "" {
		return 0, fmt.Errorf("empty number in [%s]", group)
	}
	if len(d) > maxDigits {
		return 0, fmt.Errorf("number %s in [%s] has more than %d digits", d, group, maxDigits)
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, fmt.Errorf("%q in [%s] is not a number or range", d, group)
		}
	}
	v, _ := strconv.ParseUint(d, 10, 64) // at most 18 digits: cannot fail
	return v, nil
}

// expand appends p's names to dst, the leftmost group varying slowest.
func (p hostPattern) expand(dst []string) []string {
	var buf []byte
	var rec func(g int)
	rec = func(g int) {
		buf = append(buf, p.parts[g]...)
		if g == len(p.groups) {
			dst = append(dst, string(buf))
			return
		}
		mark := len(buf)
		for _, r := range p.groups[g] {
			for v := r.lo; ; v++ {
				buf = appendPadded(buf[:mark], v, r.width)
				rec(g + 1)
				if v == r.hi {
					break
				}
			}
		}
		buf = buf[:mark]
	}
	rec(0)
	return dst
}

func appendPadded(dst []byte, v uint64, width int) []byte {
	var tmp [20]byte
	d := strconv.AppendUint(tmp[:0], v, 10)
	for i := len(d); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, d...)
}

// ParseTasksPerNode parses Slurm's tasks-per-node syntax
// (SLURM_STEP_TASKS_PER_NODE): comma-separated counts, each optionally
// repeated with "(xN)":
//
//	2(x3),1   [2 2 2 1]
//	3,1       [3 1]
//
// Counts must be positive and at most MaxHostlist, and the expansion at
// most MaxHostlist long.
func ParseTasksPerNode(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("tasks per node: empty")
	}
	type item struct{ tasks, reps int }
	var items []item
	total := 0
	for _, el := range strings.Split(s, ",") {
		el = strings.TrimSpace(el)
		taskS, repS := el, "1"
		if i := strings.IndexByte(el, '('); i >= 0 {
			if !strings.HasSuffix(el, ")") || !strings.HasPrefix(el[i:], "(x") {
				return nil, fmt.Errorf("tasks per node %q: %q is not N or N(xM)", s, el)
			}
			taskS, repS = el[:i], el[i+2:len(el)-1]
		}
		tasks, err := positiveInt(taskS)
		if err != nil || tasks > MaxHostlist {
			return nil, fmt.Errorf("tasks per node %q: task count %q is not a positive integer", s, taskS)
		}
		reps, err := positiveInt(repS)
		if err != nil {
			return nil, fmt.Errorf("tasks per node %q: repeat count %q is not a positive integer", s, repS)
		}
		if reps > MaxHostlist || total+reps > MaxHostlist {
			return nil, fmt.Errorf("tasks per node %q: more than %d nodes", s, MaxHostlist)
		}
		total += reps
		items = append(items, item{tasks, reps})
	}
	out := make([]int, 0, total)
	for _, it := range items {
		for range it.reps {
			out = append(out, it.tasks)
		}
	}
	return out, nil
}

// positiveInt parses a decimal integer >= 1 made of digits only (no sign,
// no spaces), bounded by maxDigits.
func positiveInt(s string) (int, error) {
	v, err := nonNegativeInt(s)
	if err == nil && v == 0 {
		err = fmt.Errorf("%q is zero", s)
	}
	return v, err
}

// nonNegativeInt parses a decimal integer >= 0 made of digits only.
func nonNegativeInt(s string) (int, error) {
	if s == "" || len(s) > maxDigits {
		return 0, fmt.Errorf("%q is not a non-negative integer", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not a non-negative integer", s)
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, err
	}
	return v, nil
}
