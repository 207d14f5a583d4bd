package dataio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Temporaries being written right now, so a process stopped by a signal
// can remove them (RemoveTemps) instead of leaving them beside the
// output. Only SIGKILL, which runs no code, can leave one behind; it is a
// hidden file (".NAME.tmp-*"), never a partial file under the name asked for.
var inflight struct {
	sync.Mutex
	paths map[string]bool
}

func track(path string) (untrack func()) {
	inflight.Lock()
	if inflight.paths == nil {
		inflight.paths = make(map[string]bool)
	}
	inflight.paths[path] = true
	inflight.Unlock()
	return func() {
		inflight.Lock()
		delete(inflight.paths, path)
		inflight.Unlock()
	}
}

// RemoveTemps removes the temporary files of writes still in progress;
// for a process about to exit on a signal.
func RemoveTemps() {
	inflight.Lock()
	defer inflight.Unlock()
	for p := range inflight.paths {
		os.Remove(p)
	}
}

// WriteFileAtomic creates path with what write produces, as SaveMatrix
// does: through a synced temporary file in the same directory, renamed
// into place; on any error nothing appears under path.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	if err := writeAtomic(path, write); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// CheckWritable reports early, before any work, whether a file could be
// created at path: its directory exists, is a directory, and accepts a new
// file. It leaves nothing behind.
func CheckWritable(path string) error {
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: directory %s does not exist", path, dir)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("%s: %s is not a directory", path, dir)
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".probe-*")
	if err != nil {
		return fmt.Errorf("%s: cannot write in %s: %w", path, dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}
