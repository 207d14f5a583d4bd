package boot

import (
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// hydraProxy is the command name of MPICH's per-node launcher process,
// the parent of every rank on its node.
const hydraProxy = "hydra_pmi_proxy"

// launcherProcess identifies the process that started this rank: the
// nearest ancestor named hydra_pmi_proxy (a rank run through a wrapper
// script is its grandchild), else the parent. start is its start time
// since boot in clock ticks (from /proc), which with the pid identifies it
// even after the pid is reused.
func launcherProcess() (pid int, start string) {
	pid = os.Getppid()
	for p, depth := pid, 0; p > 1 && depth < 16; depth++ {
		comm, ppid, st, ok := procStat(p)
		if !ok {
			break
		}
		if comm == hydraProxy {
			return p, st
		}
		p = ppid
	}
	_, _, start, _ = procStat(pid)
	return pid, start
}

// procStat reads a process's command name, parent and start time from
// /proc/PID/stat.
func procStat(pid int) (comm string, ppid int, start string, ok bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "", 0, "", false
	}
	s := string(data)
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses.
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return "", 0, "", false
	}
	f := strings.Fields(s[end+1:])
	// After comm: state(3) ppid(4) ... starttime(22), counted from 1.
	if len(f) < 20 {
		return "", 0, "", false
	}
	ppid, err = strconv.Atoi(f[1])
	if err != nil {
		return "", 0, "", false
	}
	return s[open+1 : end], ppid, f[19], true
}

// checkPrivateDir checks that fi, the result of Lstat(path), is a
// directory (not a symlink) owned by this user that nobody else can use.
func checkPrivateDir(path string, fi fs.FileInfo) error {
	if fi.Mode()&fs.ModeSymlink != 0 || !fi.IsDir() {
		return fmt.Errorf("boot: %s is not a directory", path)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("boot: %s belongs to uid %d, not this user (%d)", path, st.Uid, os.Getuid())
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("boot: %s has mode %04o, want 0700", path, perm)
	}
	return nil
}
