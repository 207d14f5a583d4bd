package launch

import (
	"bufio"
	"io"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
)

// The watchdog covers the one case the launcher cannot: its own sudden
// death. PR_SET_PDEATHSIG kills a rank's leader when the launcher dies,
// but not the leader's children. So the launcher starts one watchdog
// process per job (Config.Watchdog, normally `spmd _watchdog`), in a
// process group of its own, and tells it on a pipe which process groups
// it started and which it has cleaned up:
//
//	+PGID   a group was started
//	-PGID   the group's leader exited and the group was killed
//	done    the launcher is ending normally: exit without killing
//
// If the pipe ends without "done", the launcher died: the watchdog kills
// every group still listed.

// watchdog is the launcher's end of the pipe; a nil *watchdog does nothing.
type watchdog struct {
	mu  sync.Mutex
	cmd *exec.Cmd
	w   io.WriteCloser
}

// startWatchdog starts argv as the job's watchdog. It is best effort: a
// job whose watchdog could not start runs without one.
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

// stop tells the watchdog the launcher ends normally, and reaps it.
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

// RunWatchdog is the hidden `spmd _watchdog` command (see watchdog.go):
// it reads the launcher's list of process groups from in and, if in ends
// without "done", kills them all with SIGKILL. It returns the exit code.
func RunWatchdog(in io.Reader) int {
	// Only the pipe decides when we act; a hangup or Ctrl-C meant for the
	// launcher must not end the watch.
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGPIPE)
	groups := map[int]bool{}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		line := sc.Text()
		if line == "done" {
			return 0
		}
		if len(line) < 2 {
			continue
		}
		pgid, err := strconv.Atoi(line[1:])
		if err != nil || pgid <= 1 {
			continue // never let a bad line turn into kill(-1) or kill(0)
		}
		switch line[0] {
		case '+':
			groups[pgid] = true
		case '-':
			delete(groups, pgid)
		}
	}
	for pgid := range groups {
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
	return 0
}
