//go:build linux && (amd64 || arm64)

package comm

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

// createShared makes the root's window: an anonymous memory file
// (memfd_create, so nothing is left in /dev/shm if the job dies), sized
// and mapped, with a random value in its header. The others open it as
// /proc/PID/fd/FD, which Linux allows a process of the same user, as it
// would allow reading its memory.
func createShared(size int64, offer *sharedOffer) (mem []byte, fd int, err error) {
	name := [...]byte{'s', 'p', 'm', 'd', 0}
	r, _, errno := syscall.Syscall(sysMemfdCreate, uintptr(unsafe.Pointer(&name[0])), mfdCloexec, 0)
	if errno != 0 {
		return nil, -1, fmt.Errorf("memfd_create: %w", errno)
	}
	fd = int(r)
	if err := syscall.Ftruncate(fd, size); err != nil {
		syscall.Close(fd)
		return nil, -1, fmt.Errorf("sizing %d bytes of shared memory: %w", size, err)
	}
	if mem, err = syscall.Mmap(fd, 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED); err != nil {
		syscall.Close(fd)
		return nil, -1, fmt.Errorf("mapping %d bytes of shared memory: %w", size, err)
	}
	if _, err := rand.Read(offer.Nonce[:]); err != nil {
		syscall.Munmap(mem)
		syscall.Close(fd)
		return nil, -1, err
	}
	copy(mem, offer.Nonce[:])
	offer.Pid, offer.Fd, offer.Size = os.Getpid(), fd, size
	return mem, fd, nil
}

// attachShared maps the root's window, and checks that it is the root's.
func attachShared(o sharedOffer) ([]byte, error) {
	path := fmt.Sprintf("/proc/%d/fd/%d", o.Pid, o.Fd)
	fd, err := syscall.Open(path, syscall.O_RDWR|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening the root's memory as %s: %w", path, err)
	}
	defer syscall.Close(fd) // the mapping keeps the memory
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if st.Size != o.Size {
		return nil, fmt.Errorf("%s is %d bytes, not the root's %d: another process's file", path, st.Size, o.Size)
	}
	mem, err := syscall.Mmap(fd, 0, int(o.Size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", path, err)
	}
	if !bytes.Equal(mem[:len(o.Nonce)], o.Nonce[:]) {
		syscall.Munmap(mem)
		return nil, fmt.Errorf("%s is not the root's memory (another machine or process)", path)
	}
	return mem, nil
}

func closeShared(fd int) { syscall.Close(fd) }

func unmapShared(mem []byte) error {
	if mem == nil {
		return nil
	}
	return syscall.Munmap(mem)
}

const mfdCloexec = 1
