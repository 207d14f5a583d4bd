// Command joblib is joblib's Parallel(n_jobs=-1)(delayed(f)(x) for x in xs)
// in Go, over ranks and cores: f of every item, the results in input order
// at the root.
//
//	go build -o squares ./examples/joblib
//	spmd run -np 4 -- ./squares
package main

import (
	"fmt"

	"github.com/spmd-go/spmd/job"
	"github.com/spmd-go/spmd/par"
)

func main() {
	job.Main(job.Job{Name: "squares", Parallel: func(r *job.Run) (*job.Result, error) {
		squares, err := par.Map(r.Comm, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, func(x int) (int, error) { return x * x, nil })
		if r.Root() {
			fmt.Println(squares)
		}
		return job.Values("squares", squares), err
	}})
}
