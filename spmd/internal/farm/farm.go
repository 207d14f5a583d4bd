package farm

import (
	"fmt"
	"runtime"

	"github.com/spmd-go/spmd/comm"
)

// Run runs the farm on world: rank 0 reads the task list and hands out
// tasks, and every rank (rank 0 too) runs up to its Params.Slots of them
// at a time. It returns at the root the summary, also printed to
// Params.Stderr, and nil only when every task succeeded; otherwise an
// error: a *UsageError before any task ran (bad input, exit code 2),
// ErrTasksFailed when some task failed, an *InterruptedError after a
// signal. At the other ranks it returns nil when the root ended the farm
// normally, a *StoppedError when the root stopped it, and an error
// wrapping comm.ErrPeerLost when the root was lost.
//
// To survive the loss of a worker, world must have been made with
// comm.LossIsolated (boot.Options.Loss); under the default policy the
// loss of any rank ends the farm with an error, as it ends any job.
func Run(world *comm.Comm, p Params) (*Summary, error) {
	p.fill()
	if world.Rank() == 0 {
		return runRoot(world, &p)
	}
	return nil, runWorker(world, &p)
}

// StoppedError is a worker's result when the root stopped the farm early;
// the worker should exit with Code and say nothing (the root has).
type StoppedError struct{ Code int }

func (e *StoppedError) Error() string {
	return fmt.Sprintf("farm: stopped by the root (exit code %d)", e.Code)
}

// slotsOf is the number of tasks a rank runs at once.
func slotsOf(p *Params) int {
	if p.Slots > 0 {
		return p.Slots
	}
	return runtime.NumCPU()
}
