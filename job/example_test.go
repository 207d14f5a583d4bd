package job_test

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/par"
)

// A job of your own, executed on three in-process ranks as Main would run
// it on three processes: the root's report, here as JSON, holds the
// result, the end-to-end time, the parallel section and each rank's share
// of it.
func ExampleExecute() {
	squares := job.Job{
		Name: "squares",
		Parallel: func(r *job.Run) (*job.Result, error) {
			sq, err := par.MapRange(r.Comm, 10, func(i int) (int, error) { return i * i, nil }, par.Progress(r))
			return job.Values("sum", sum(sq), "last", last(sq)), err
		},
	}
	var out bytes.Buffer
	comm.RunMem(3, func(c *comm.Comm) error {
		o := job.Options{JSON: true, Quiet: true}
		if c.Rank() == 0 {
			o.Out = &out
		} else {
			o.Out = &bytes.Buffer{}
		}
		return job.Execute(c, squares, o)
	})
	var rep struct {
		Schema  string         `json:"schema"`
		Ranks   int            `json:"ranks"`
		Result  map[string]any `json:"result"`
		PerRank []job.Times    `json:"per_rank"`
	}
	json.Unmarshal(out.Bytes(), &rep)
	fmt.Println(rep.Schema, rep.Ranks, "ranks:", rep.Result["sum"], rep.Result["last"], len(rep.PerRank), "per-rank times")
	// Output: spmd.report/2 3 ranks: 285 81 3 per-rank times
}

func sum(xs []int) (s int) {
	for _, x := range xs {
		s += x
	}
	return s
}

func last(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	return xs[len(xs)-1]
}

// Values is the quickest Result: named values, in order.
func ExampleValues() {
	res := job.Values("estimate", 3.14159, "samples", 1000000)
	fmt.Println(res.Keys, res.Get("samples"))
	// Output: [estimate samples] 1000000
}

// A Table is a result made of rows: printed as a table, and in --json an
// array of objects with numbers as numbers.
func ExampleTable() {
	t := job.Table{Columns: []string{"beta", "final_size"}}
	t.Add(0.2, 18.5)
	t.Add(0.4, 412.0)
	b, _ := json.Marshal(t)
	fmt.Println(string(b))
	// Output: [{"beta":0.2,"final_size":18.5},{"beta":0.4,"final_size":412}]
}
