package launch

import (
	"github.com/spmd-go/spmd/spmd/internal/procgroup"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// pgroup is a started child that leads its own process group.
type pgroup struct {
	cmd  *exec.Cmd
	wd   *procgroup.Watchdog // told about the group; may be nil
	mu   sync.Mutex
	done bool // the leader exited: the group id is no longer ours
}

// newPgroup wraps cmd, just started with sysProcAttr, and tells wd.
func newPgroup(cmd *exec.Cmd, wd *procgroup.Watchdog) *pgroup {
	wd.Started(cmd.Process.Pid)
	return &pgroup{cmd: cmd, wd: wd}
}

// signal sends sig to the whole group, unless the leader has exited.
func (g *pgroup) signal(sig syscall.Signal) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.done {
		syscall.Kill(-g.cmd.Process.Pid, sig)
	}
}

// wait waits for the leader to exit, kills what is left of its group (a
// group does not outlive its leader: no orphans), and reaps the leader.
func (g *pgroup) wait() *os.ProcessState {
	procgroup.WaitLeader(g.cmd, func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		syscall.Kill(-g.cmd.Process.Pid, syscall.SIGKILL)
		g.done = true
		g.wd.Cleaned(g.cmd.Process.Pid)
	})
	return g.cmd.ProcessState
}

// drainTimeout bounds how long a finished rank's output may stay open:
// a process that left the rank's group (setsid) may hold its pipes
// forever, and the launcher must still exit.
const drainTimeout = 2 * time.Second

// drain waits for the forwarding goroutines wg, closing the read ends in
// rs (which makes the goroutines return) if they take longer than
// drainTimeout.
func drain(wg *sync.WaitGroup, rs ...*os.File) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drainTimeout):
		for _, r := range rs {
			r.Close()
		}
		<-done
	}
	for _, r := range rs {
		r.Close()
	}
}
