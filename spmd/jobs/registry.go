package jobs

import (
	"fmt"
	"sort"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/job"
	"github.com/urfave/cli/v2"
)

// Spec is one job of the spmd binary: its name, its help, and how to make
// its parameters. Everything that asks "is this a job?" (spmd JOB, spmd
// run, scale, compare, the help) reads the registry and nothing else.
type Spec struct {
	Name        string
	Usage       string // one line, for the list of jobs
	Description string // --help: what it computes, how it splits, examples

	// New returns the job's parameters with their defaults.
	New func() Params

	// Size is the flag a weak scaling study multiplies by the number of
	// workers; nil when the job has none, and then NoWeak says why.
	Size   *SizeFlag
	NoWeak string

	// ResultsOnStdout, if set, says whether the job prints its results on
	// standard output (map without --out); its report then goes to
	// standard error.
	ResultsOnStdout func(p Params) bool
}

// Params are a job's parameters: a struct with one field per flag.
// Tests and programs build them directly (&Pi{Samples: 1e6, Seed: 1}).
type Params interface {
	// Flags declares the job's flags, bound to the fields of the
	// parameters, with their current values as defaults.
	Flags() []cli.Flag
	// Check finds what is wrong with the parameters without touching any
	// file or rank, so spmd run can refuse a bad command line before it
	// starts anything. Its errors are job.UsageErrors.
	Check() error
	// Job builds the job on this rank of world: reads input at the root,
	// agrees on shapes, allocates. Errors about the input are
	// job.UsageErrors.
	Job(world *comm.Comm) (job.Job, error)
}

// SizeFlag names the flag that sets a job's problem size.
type SizeFlag struct {
	Name    string   // without dashes: "samples"
	Aliases []string // other names of the same flag: "n"
	// Inputs are flags that read the problem from a file, which makes the
	// size flag meaningless: a weak study refuses them.
	Inputs []string
}

var registry = map[string]Spec{}

// register adds a job; each job's file calls it from init.
func register(s Spec) {
	if _, dup := registry[s.Name]; dup {
		panic(fmt.Sprintf("jobs: %q registered twice", s.Name))
	}
	if s.New == nil || s.Name == "" {
		panic(fmt.Sprintf("jobs: %q: a Spec needs a Name and New", s.Name))
	}
	registry[s.Name] = s
}

// All returns every job, by name.
func All() []Spec {
	out := make([]Spec, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Lookup returns the job called name.
func Lookup(name string) (Spec, bool) {
	s, ok := registry[name]
	return s, ok
}

// Names lists the jobs' names, sorted.
func Names() []string {
	var out []string
	for _, s := range All() {
		out = append(out, s.Name)
	}
	return out
}
