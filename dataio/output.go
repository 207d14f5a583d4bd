package dataio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// CheckOutput reports, before any work is done, whether SaveMatrix could
// write path: its extension names a format SaveMatrix writes (.npy, .csv,
// .tsv or .txt), and CheckWritable finds that the file can be created. A
// program calls it while reading its options, so that "--out z.nyp" fails
// at once instead of after the computation whose result it was to hold.
func CheckOutput(path string) error {
	if !knownFormat(strings.ToLower(filepath.Ext(path))) {
		return formatError(path)
	}
	return CheckWritable(path)
}

// CheckWritable reports, before any work is done, whether a file could be
// created at path by WriteFileAtomic: its directory exists and accepts a
// new file, and path is not a directory, nor a device, pipe or socket
// (which WriteFileAtomic would replace with a plain file, not write to). It
// leaves nothing behind. It does not look at the extension; CheckOutput
// does, for SaveMatrix.
func CheckWritable(path string) error {
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: directory %s does not exist", path, dir)
	}
	if err != nil {
		return pathError(path, err)
	}
	if !info.IsDir() {
		return fmt.Errorf("%s: %s is not a directory", path, dir)
	}
	if err := replaceable(path); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".probe-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("%s: cannot write in %s: %w", path, dir, err)
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// replaceable returns an error if something other than a regular file has
// the name path: renaming a new file over /dev/null, run as root, would
// replace the device itself.
func replaceable(path string) error {
	info, err := os.Stat(path)
	if err != nil || info.Mode().IsRegular() {
		return nil
	}
	if info.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	return fmt.Errorf("%s exists and is not a regular file: an output must be a file", path)
}

// WriteFileAtomic creates or replaces the file at path with what write
// produces, as SaveMatrix does: write writes to a temporary file in the
// same directory (".NAME.tmp-*", mode 0644), which is synced and renamed
// to path. A reader of path sees the old file or the whole new one, never
// part of one; on any error the temporary is removed and path is left as
// it was. Errors start with the path.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	if err := writeAtomic(path, write); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeAtomic is WriteFileAtomic without the path in its errors.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if info, statErr := os.Stat(dir); statErr != nil {
		if errors.Is(statErr, fs.ErrNotExist) {
			return fmt.Errorf("dataio: directory %s does not exist", dir)
		}
		return statErr
	} else if !info.IsDir() {
		return fmt.Errorf("dataio: %s is not a directory", dir)
	}
	if info, statErr := os.Stat(path); statErr == nil && !info.Mode().IsRegular() {
		return errors.New("dataio: exists and is not a regular file")
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer track(tmp.Name())()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; a saved result is as readable as
	// any file the user creates.
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Sync the directory so the rename itself survives a crash; not every
	// file system supports it, and the data is already safe, so a failure
	// here is not reported.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

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

// RemoveTemps removes the temporary files of WriteFileAtomic calls still
// in progress; for a process about to exit on a signal.
func RemoveTemps() {
	inflight.Lock()
	defer inflight.Unlock()
	for p := range inflight.paths {
		os.Remove(p)
	}
}
