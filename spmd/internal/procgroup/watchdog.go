package procgroup

import (
	"bufio"
	"io"
	"os"
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

// If the watchdog itself dies (killed by a user or the OOM killer), the
// launcher starts another at once and hands it the groups still running,
// written to its stdin before it runs: from the moment the new watchdog
// exists it knows every group, so killing the watchdog and then the
// launcher leaves no orphan either.

// maxWatchdogRestarts bounds how often a dying watchdog is replaced, so a
// watchdog that cannot run (its binary gone) is not restarted forever.
const maxWatchdogRestarts = 100

// Watchdog is the parent's end of the pipe (spmd run's launcher, or a farm
// rank); a nil *Watchdog does nothing.
type Watchdog struct {
	argv []string

	mu       sync.Mutex
	cmd      *exec.Cmd
	w        *os.File
	groups   map[int]bool // started and not yet cleaned up
	stopping bool
	restarts int
	exited   chan struct{} // closed when the current watchdog has been reaped
}

// StartWatchdog starts argv as the job's watchdog. It is best effort: a
// job whose watchdog could not start runs without one.
func StartWatchdog(argv []string) *Watchdog {
	if len(argv) == 0 {
		return nil
	}
	wd := &Watchdog{argv: argv, groups: map[int]bool{}}
	wd.mu.Lock()
	defer wd.mu.Unlock()
	if wd.spawn() != nil {
		return nil
	}
	return wd
}

// spawn starts a watchdog process that already has every group in
// wd.groups on its stdin, and a goroutine that replaces it if it dies
// before stop. wd.mu is held.
func (wd *Watchdog) spawn() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	var list []byte
	for pgid := range wd.groups {
		list = append(list, "+"+strconv.Itoa(pgid)+"\n"...)
	}
	if len(list) <= watchdogPreload {
		w.Write(list) // into the pipe's buffer, before the watchdog runs
		list = nil
	}
	cmd := exec.Command(wd.argv[0], wd.argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // and no death signal
	cmd.Stdin = r
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return err
	}
	if list != nil {
		w.Write(list) // a huge job: the watchdog reads as we write
	}
	exited := make(chan struct{})
	wd.cmd, wd.w, wd.exited = cmd, w, exited
	go wd.watch(cmd, exited)
	return nil
}

// watchdogPreload is what is written into a new watchdog's stdin before
// it starts: well within a pipe's buffer (64 KiB on Linux, at least 4 KiB
// by POSIX), so the write cannot block.
const watchdogPreload = 4 << 10

// watch reaps the watchdog cmd and, unless the launcher is stopping it,
// replaces it.
func (wd *Watchdog) watch(cmd *exec.Cmd, exited chan struct{}) {
	cmd.Wait()
	close(exited)
	wd.mu.Lock()
	defer wd.mu.Unlock()
	if wd.stopping || wd.cmd != cmd {
		return
	}
	wd.w.Close()
	wd.cmd, wd.w = nil, nil
	if wd.restarts < maxWatchdogRestarts {
		wd.restarts++
		wd.spawn()
	}
}

func (wd *Watchdog) sendLocked(line string) {
	if wd.w != nil {
		io.WriteString(wd.w, line+"\n")
	}
}

func (wd *Watchdog) Started(pgid int) {
	if wd == nil {
		return
	}
	wd.mu.Lock()
	defer wd.mu.Unlock()
	wd.groups[pgid] = true
	wd.sendLocked("+" + strconv.Itoa(pgid))
}

func (wd *Watchdog) Cleaned(pgid int) {
	if wd == nil {
		return
	}
	wd.mu.Lock()
	defer wd.mu.Unlock()
	delete(wd.groups, pgid)
	wd.sendLocked("-" + strconv.Itoa(pgid))
}

// Stop tells the watchdog the parent ends normally, and reaps it.
func (wd *Watchdog) Stop() {
	if wd == nil {
		return
	}
	wd.mu.Lock()
	wd.stopping = true
	wd.sendLocked("done")
	exited := wd.exited
	if wd.w != nil {
		wd.w.Close()
		wd.w = nil
	}
	wd.mu.Unlock()
	if exited != nil {
		<-exited
	}
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
