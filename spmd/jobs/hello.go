package jobs

import (
	"fmt"
	"os"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/job"
	"github.com/urfave/cli/v2"
)

func init() {
	register(Spec{
		Name:  "hello",
		Usage: "check that every rank starts and can talk to the others (Allreduce-checked)",
		Description: "Every rank contributes its rank to an Allreduce and checks that the sum is\n" +
			"size*(size-1)/2; the root prints one line, then each rank's host.\n\n" +
			"  spmd run -np 4 hello\n  srun -n 6 spmd hello",
		New:    func() Params { return &Hello{} },
		NoWeak: "it has no problem size",
	})
}

// Hello is the smallest job that proves a launch works.
type Hello struct{}

func (*Hello) Flags() []cli.Flag { return nil }
func (*Hello) Check() error      { return nil }

func (*Hello) Job(*comm.Comm) (job.Job, error) {
	var got int64
	return job.Job{
		Name: "hello",
		Parallel: func(r *job.Run) (*job.Result, error) {
			c := r.Comm
			p := c.Size()
			sum := []int64{0}
			if err := r.Communicate(func() error { return c.Allreduce([]int64{int64(c.Rank())}, sum, comm.Sum) }); err != nil {
				return nil, err
			}
			if want := int64(p) * int64(p-1) / 2; sum[0] != want {
				return nil, fmt.Errorf("allreduce of ranks gave %d, want %d", sum[0], want)
			}
			got = sum[0]
			host, _ := os.Hostname()
			hosts, err := comm.GatherValue(c, host, 0)
			if err != nil || !r.Root() {
				return nil, err
			}
			res := &job.Result{}
			res.Set("check", fmt.Sprintf("hello: %d ranks, allreduce ok", p))
			res.Set("ranks", p)
			res.Set("hostnames", hosts) // one per rank, in rank order
			return res, nil
		},
		Verify: func(r *job.Run, res *job.Result) error {
			var want int64
			r.Serial(func() error {
				for i := 0; i < r.Comm.Size(); i++ {
					want += int64(i)
				}
				return nil
			})
			res.SetVerified(got == want, "", fmt.Sprintf("sum of ranks %d", want))
			return nil
		},
		Reference: "the sum of the ranks, counted at the root",
	}, nil
}
