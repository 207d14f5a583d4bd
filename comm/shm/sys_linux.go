//go:build linux && (amd64 || arm64)

package shm

import (
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// supported says whether this build can share memory between processes.
const supported = true

// Linux system calls this Go release's syscall package does not name on
// every architecture (pidfd_open and pidfd_getfd have one number on all).
const (
	sysPidfdOpen  = 434
	sysPidfdGetfd = 438
	mfdCloexec    = 1
	efdCloexec    = syscall.O_CLOEXEC
	efdNonblock   = syscall.O_NONBLOCK
)

// createSegment makes this rank's segment: an anonymous memory file
// (memfd_create: nothing left behind in /dev/shm if the job dies) of size
// bytes, mapped whole. The peers open it as /proc/PID/fd/FD, which Linux
// allows only to processes that may also read this one's memory: the same
// user (or root), as for AllocShared's windows.
func createSegment(size int64) (fd int, mem []byte, err error) {
	name := [...]byte{'s', 'p', 'm', 'd', '-', 's', 'h', 'm', 0}
	r, _, errno := syscall.Syscall(sysMemfdCreate, uintptr(unsafe.Pointer(&name[0])), mfdCloexec, 0)
	if errno != 0 {
		return -1, nil, fmt.Errorf("memfd_create: %w", errno)
	}
	fd = int(r)
	if err := syscall.Ftruncate(fd, size); err != nil {
		syscall.Close(fd)
		return -1, nil, fmt.Errorf("sizing a %d-byte segment: %w", size, err)
	}
	mem, err = syscall.Mmap(fd, 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		syscall.Close(fd)
		return -1, nil, fmt.Errorf("mapping a %d-byte segment: %w", size, err)
	}
	return fd, mem, nil
}

// openSegment opens a peer's segment through /proc and checks its size.
func openSegment(pid, fd int, size int64) (int, error) {
	path := fmt.Sprintf("/proc/%d/fd/%d", pid, fd)
	f, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("opening the peer's segment as %s: %w", path, err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(f, &st); err != nil {
		syscall.Close(f)
		return -1, fmt.Errorf("%s: %w", path, err)
	}
	if st.Size != size {
		syscall.Close(f)
		return -1, fmt.Errorf("%s is %d bytes, not the %d of the peer's segment: another process's file", path, st.Size, size)
	}
	return f, nil
}

// mapRange maps length bytes of fd from off (a multiple of the page size).
func mapRange(fd int, off int64, length int) ([]byte, error) {
	return syscall.Mmap(fd, off, length, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
}

func unmap(b []byte) {
	if b != nil {
		syscall.Munmap(b)
	}
}

// newBell makes this rank's doorbell: an eventfd the drainer goroutine
// reads through Go's poller (so it sleeps like any goroutine waiting for
// a socket), and peers write to wake it.
func newBell() (*os.File, int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, efdCloexec|efdNonblock, 0)
	if errno != 0 {
		return nil, -1, fmt.Errorf("eventfd: %w", errno)
	}
	return os.NewFile(r, "spmd-shm-bell"), int(r), nil
}

// peerBell gets a copy of a peer's doorbell (pidfd_getfd, Linux 5.6),
// which needs the same permission as reading the peer's memory.
func peerBell(pid, fd int) (int, error) {
	pidfd, _, errno := syscall.Syscall(sysPidfdOpen, uintptr(pid), 0, 0)
	if errno != 0 {
		return -1, fmt.Errorf("pidfd_open(%d): %w", pid, errno)
	}
	defer syscall.Close(int(pidfd))
	r, _, errno := syscall.Syscall(sysPidfdGetfd, pidfd, uintptr(fd), 0)
	if errno != 0 {
		return -1, fmt.Errorf("pidfd_getfd(pid %d, fd %d): %w", pid, fd, errno)
	}
	return int(r), nil
}

// ring adds one to the eventfd fd, waking whoever reads it.
func ring(fd int) {
	one := uint64(1)
	for {
		_, _, errno := syscall.Syscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&one)), 8)
		if errno != syscall.EINTR {
			return // EAGAIN: the counter is full, the reader has plenty to wake for
		}
	}
}

func closeFd(fd int) {
	if fd >= 0 {
		syscall.Close(fd)
	}
}

// yield gives this thread's core to another runnable thread, if any: on
// an oversubscribed machine the peer being waited for may be the one.
func yield() { syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0) }
