package job

import "fmt"

// Result is what a job reports at the root.
type Result struct {
	// Summary holds the job's answer as named values, in the order given
	// by Keys (e.g. estimate, abs_error, samples). Values are numbers,
	// strings, booleans, or slices and maps of them: they appear in the
	// table as printed and in --json as JSON values.
	Summary map[string]any
	Keys    []string

	// Verified is nil unless the job was run with --verify; then it says
	// whether the parallel result equals the serial reference, within
	// Tolerance (empty: exact equality, which the split guarantees).
	Verified  *bool
	Tolerance string
	// Detail explains a verification, e.g. "max relative error 3e-16".
	Detail string
	// Work is the amount of work done, in WorkUnit (samples, rows,
	// gflop...); the report adds WorkUnit_per_second, the work divided by
	// the parallel section's time.
	Work     float64
	WorkUnit string
}

// Set records a named summary value, keeping the order of first setting.
func (r *Result) Set(key string, v any) {
	if r.Summary == nil {
		r.Summary = make(map[string]any)
	}
	if _, ok := r.Summary[key]; !ok {
		r.Keys = append(r.Keys, key)
	}
	r.Summary[key] = v
}

// Get returns a summary value, or nil.
func (r *Result) Get(key string) any { return r.Summary[key] }

// SetVerified records the outcome of a verification.
func (r *Result) SetVerified(ok bool, tolerance, detail string) {
	r.Verified = &ok
	r.Tolerance = tolerance
	r.Detail = detail
}

// Values returns a Result holding the named values, in order: Values("mad",
// 0.8, "n", 1000) is a Result with mad = 0.8 and n = 1000. It panics if a
// key is not a string or a value is missing.
func Values(kv ...any) *Result {
	if len(kv)%2 != 0 {
		panic("job: Values needs a value for every key")
	}
	r := &Result{}
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			panic(fmt.Sprintf("job: Values: key %v is not a string", kv[i]))
		}
		r.Set(k, kv[i+1])
	}
	return r
}
