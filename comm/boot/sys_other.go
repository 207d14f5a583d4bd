//go:build !linux

package boot

import (
	"fmt"
	"io/fs"
	"os"
)

// launcherProcess is the parent process; there is no /proc to look
// further up or to tell a reused pid.
func launcherProcess() (pid int, start string) { return os.Getppid(), "" }

// checkPrivateDir checks that fi, the result of Lstat(path), is a
// directory (not a symlink) that nobody else can use.
func checkPrivateDir(path string, fi fs.FileInfo) error {
	if fi.Mode()&fs.ModeSymlink != 0 || !fi.IsDir() {
		return fmt.Errorf("boot: %s is not a directory", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("boot: %s has mode %04o, want 0700", path, perm)
	}
	return nil
}
