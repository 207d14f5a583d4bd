package farm

import (
	"io"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
)

// A watchdog covers the case a rank cannot: its own sudden death. The
// kernel kills a task's first process when its rank dies (PR_SET_PDEATHSIG),
// but not the task's children. So each rank may start a watchdog process
// (Params.Watchdog, normally `spmd _watchdog`, the same program spmd run
// uses) in a process group of its own, and tell it on a pipe which task
// groups are running: "+PGID" when one starts, "-PGID" when it is gone,
// "done" when the rank ends normally. If the pipe ends without "done",
// the rank died, and the watchdog kills every group still listed.
type watchdog struct {
	mu  sync.Mutex
	cmd *exec.Cmd
	w   io.WriteCloser
}

// startWatchdog starts argv; nil argv, or a watchdog that cannot start,
// gives a nil *watchdog, which does nothing.
func startWatchdog(argv []string) *watchdog {
	if len(argv) == 0 {
		return nil
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // and no death signal
	w, err := cmd.StdinPipe()
	if err != nil {
		return nil
	}
	if err := cmd.Start(); err != nil {
		return nil
	}
	return &watchdog{cmd: cmd, w: w}
}

func (wd *watchdog) send(line string) {
	if wd == nil {
		return
	}
	wd.mu.Lock()
	defer wd.mu.Unlock()
	io.WriteString(wd.w, line+"\n")
}

func (wd *watchdog) started(pgid int) { wd.send("+" + strconv.Itoa(pgid)) }
func (wd *watchdog) cleaned(pgid int) { wd.send("-" + strconv.Itoa(pgid)) }

// stop tells the watchdog the rank ends normally, and reaps it.
func (wd *watchdog) stop() {
	if wd == nil {
		return
	}
	wd.send("done")
	wd.mu.Lock()
	wd.w.Close()
	wd.mu.Unlock()
	wd.cmd.Wait()
}
