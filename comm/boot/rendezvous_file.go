package boot

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// File rendezvous polling: fast at first (ranks start together), then at
// most every maxPoll, which keeps a shared filesystem's metadata server
// calm with many ranks.
var (
	minPoll = 10 * time.Millisecond
	maxPoll = 500 * time.Millisecond
)

// maxRendezvousFile bounds what is read of one rank's file.
const maxRendezvousFile = 1024

// exchangeFile is Exchange through a directory (file:DIR).
//
// Rank r writes DIR/<job>.<r> ("spmd-rendezvous 1", then "rank size
// addr", then the hex HMAC of both) by writing a temporary file and
// renaming it, so a reader sees all of it or nothing. It polls until every
// rank's file is there and valid. To clean up without removing a file
// another rank has not read yet, each rank then writes DIR/<job>.<r>.ok
// and waits until, for every rank k, either DIR/<job>.<k>.ok exists or
// DIR/<job>.<k> is gone; then it removes its two files. (A rank removes
// its address file only after seeing every rank's acknowledgement, so a
// missing address file proves that every rank has read all of them.) If
// ctx ends during that wait the table is still returned, and the files
// are left behind.
func exchangeFile(ctx context.Context, dir string, rank, size int, myAddr string, secret []byte, job string) ([]string, error) {
	if job == "" {
		return nil, fmt.Errorf("rendezvous: file:%s needs a job id to name its files: set SPMD_JOB", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("rendezvous: %v", err)
	}
	base := fileBaseName(job)
	path := func(r int) string { return filepath.Join(dir, base+"."+strconv.Itoa(r)) }
	ackPath := func(r int) string { return path(r) + ".ok" }
	start := time.Now()

	if err := writeFileAtomic(path(rank), encodeRendezvousFile(secret, job, rank, size, myAddr)); err != nil {
		return nil, fmt.Errorf("rendezvous: %v", err)
	}
	addrs := make([]string, size)
	bad := map[int]error{} // files present but not valid (yet)
	missing := size
	for delay := minPoll; ; delay = min(2*delay, maxPoll) {
		for r := range addrs {
			if addrs[r] != "" {
				continue
			}
			a, err := readRendezvousFile(path(r), secret, job, r, size)
			switch {
			case err == nil:
				addrs[r] = a
				delete(bad, r)
				missing--
			case !errors.Is(err, fs.ErrNotExist):
				bad[r] = err
			}
		}
		if missing == 0 {
			break
		}
		if !sleepCtx(ctx, delay) {
			os.Remove(path(rank))
			return nil, fileTimeoutError(dir, addrs, bad, time.Since(start))
		}
	}

	// Everyone's address is known; clean up (see above).
	if err := writeFileAtomic(ackPath(rank), []byte("ok\n")); err != nil {
		return addrs, nil // the files stay; the job can go on
	}
	waiting := make([]bool, size)
	left := size
	for i := range waiting {
		waiting[i] = true
	}
	for delay := minPoll; left > 0; delay = min(2*delay, maxPoll) {
		for k := range waiting {
			if !waiting[k] {
				continue
			}
			if exists(ackPath(k)) || !exists(path(k)) {
				waiting[k] = false
				left--
			}
		}
		if left > 0 && !sleepCtx(ctx, delay) {
			return addrs, nil
		}
	}
	os.Remove(path(rank))
	os.Remove(ackPath(rank))
	return addrs, nil
}

// fileBaseName makes a job id safe as a file name.
func fileBaseName(job string) string {
	b := []byte(job)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '@') {
			b[i] = '_'
		}
	}
	if b[0] == '.' {
		b[0] = '_'
	}
	return string(b)
}

const fileMagic = "spmd-rendezvous 1"

func encodeRendezvousFile(secret []byte, job string, rank, size int, addr string) []byte {
	line := fmt.Sprintf("%d %d %s", rank, size, addr)
	mac := macOf(secret, labelFile, []byte(job), []byte(line))
	return []byte(fileMagic + "\n" + line + "\n" + hex.EncodeToString(mac) + "\n")
}

// readRendezvousFile reads rank's file and returns its address. A missing
// file gives an error wrapping fs.ErrNotExist.
func readRendezvousFile(path string, secret []byte, job string, rank, size int) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxRendezvousFile+1))
	f.Close()
	if err != nil {
		return "", err
	}
	if len(data) > maxRendezvousFile {
		return "", fmt.Errorf("%s: longer than %d bytes", path, maxRendezvousFile)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 3 || lines[0] != fileMagic {
		return "", fmt.Errorf("%s: not a rendezvous file", path)
	}
	mac, err := hex.DecodeString(lines[2])
	if err != nil || !hmac.Equal(mac, macOf(secret, labelFile, []byte(job), []byte(lines[1]))) {
		return "", fmt.Errorf("%s: authentication failed (written with another secret or for another job)", path)
	}
	f1, rest, _ := strings.Cut(lines[1], " ")
	f2, addr, _ := strings.Cut(rest, " ")
	if f1 != strconv.Itoa(rank) {
		return "", fmt.Errorf("%s: says rank %s", path, f1)
	}
	if f2 != strconv.Itoa(size) {
		return "", fmt.Errorf("%s: says %s ranks, this job has %d", path, f2, size)
	}
	if addr == "" || len(addr) > MaxAddrLen {
		return "", fmt.Errorf("%s: bad address %q", path, addr)
	}
	return addr, nil
}

// writeFileAtomic writes data to path with mode 0600 through a temporary
// file in the same directory and a rename.
func writeFileAtomic(path string, data []byte) error {
	var rnd [8]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// sleepCtx sleeps for d and reports whether ctx is still live.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func fileTimeoutError(dir string, addrs []string, bad map[int]error, after time.Duration) error {
	st := statusMsg{size: len(addrs)}
	for r, a := range addrs {
		if a == "" {
			st.missing++
			if len(st.ranks) < maxMissingListed {
				st.ranks = append(st.ranks, r)
			}
		}
	}
	msg := fmt.Sprintf("rendezvous: %v in file:%s after %v", st, dir, after.Round(100*time.Millisecond))
	for _, r := range st.ranks {
		if err, ok := bad[r]; ok {
			msg += "; " + err.Error()
			break
		}
	}
	return errors.New(msg)
}
