package study

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// SizeFlag is the flag that sets a job's problem size, the one a weak
// scaling study multiplies by the number of workers.
type SizeFlag struct {
	Name    string   // without dashes: "samples"
	Aliases []string // other names of the same flag: "n"
	// Inputs are flags that read the problem from a file, which makes the
	// size flag meaningless: a weak study refuses them.
	Inputs []string
}

// Weak is a weak scaling plan: the size flag, and its value on one worker.
type Weak struct {
	Flag SizeFlag
	Base uint64
}

// NewWeak finds the size flag f's value in a job's arguments (or takes
// def, the job's default, when it is absent) and returns the plan.
func NewWeak(job string, f SizeFlag, args []string, def string) (Weak, error) {
	for _, in := range f.Inputs {
		if _, ok, _ := findFlag(args, []string{in}); ok {
			return Weak{}, fmt.Errorf("weak scaling of %s grows --%s, which --%s overrides: leave the input file out", job, f.Name, in)
		}
	}
	val, ok, err := findFlag(args, f.names())
	if err != nil {
		return Weak{}, err
	}
	if !ok {
		val = def
	}
	n, err := parseSize(val)
	if err != nil {
		return Weak{}, fmt.Errorf("--%s: %v", f.Name, err)
	}
	return Weak{Flag: f, Base: n}, nil
}

// Args returns args with the size flag set to Base × factor (any value
// given for it removed), and that size.
func (w Weak) Args(args []string, factor int) ([]string, uint64) {
	size := w.Base * uint64(factor)
	out := removeFlag(args, w.Flag.names())
	return append(out, "--"+w.Flag.Name, strconv.FormatUint(size, 10)), size
}

func (f SizeFlag) names() []string { return append([]string{f.Name}, f.Aliases...) }

// flagName returns the name of a -name or --name argument (without any
// =value) and whether arg is a flag at all.
func flagName(arg string) (name, value string, hasValue, ok bool) {
	if len(arg) < 2 || arg[0] != '-' || arg == "--" {
		return "", "", false, false
	}
	s := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	if s == "" || s[0] == '-' {
		return "", "", false, false
	}
	if i := strings.IndexByte(s, '='); i >= 0 {
		return s[:i], s[i+1:], true, true
	}
	return s, "", false, true
}

// findFlag returns the value of the last of names in args (Go's flag
// syntax: -name v, --name v, -name=v, --name=v).
func findFlag(args []string, names []string) (val string, found bool, err error) {
	for i := 0; i < len(args); i++ {
		name, v, hasValue, ok := flagName(args[i])
		if !ok || !contains(names, name) {
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return "", false, fmt.Errorf("flag %s needs a value", args[i])
			}
			i++
			v = args[i]
		}
		val, found = v, true
	}
	return val, found, nil
}

// removeFlag returns args without any of names and their values.
func removeFlag(args []string, names []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		name, _, hasValue, ok := flagName(args[i])
		if ok && contains(names, name) {
			if !hasValue {
				i++
			}
			continue
		}
		out = append(out, args[i])
	}
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// parseSize reads a positive whole number written as the jobs accept it:
// 1000000, 1_000_000, 1e6.
func parseSize(s string) (uint64, error) {
	t := strings.ReplaceAll(strings.TrimSpace(s), "_", "")
	if n, err := strconv.ParseUint(t, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || !(f >= 1) || f != math.Trunc(f) || f > 1<<62 {
		return 0, fmt.Errorf("%q is not a positive whole number", s)
	}
	return uint64(f), nil
}

// SplitFlags takes the flags of a command that runs a job (spmd scale,
// spmd compare) out of the arguments after JOB, into set, and returns the
// rest, the job's. ours maps each such flag to whether it is a bool; the
// flags are read as package flag reads them (-name, --name, --name=value).
// After "--" everything is the job's.
func SplitFlags(args []string, ours map[string]bool, set map[string]string) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(rest, args[i+1:]...), nil
		}
		name, value, hasValue, ok := flagName(a)
		isBool, mine := ours[name]
		if !ok || !mine {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if isBool {
				value = "true"
			} else {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("--%s needs a value", name)
				}
				i++
				value = args[i]
			}
		}
		set[name] = value
	}
	return rest, nil
}
