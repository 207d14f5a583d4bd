//go:build linux && (amd64 || arm64)

package tcp

import (
	"io"
	"syscall"
	"unsafe"
)

// singleCopySupported says whether this build can read another process's
// memory (process_vm_readv exists on Linux since 3.2).
const singleCopySupported = true

// remoteIovec is struct iovec for an address in another process. It holds
// the address as a uintptr, never as a Go pointer: the peer's heap lies
// at the same addresses as ours, and the garbage collector must not take
// a foreign address for one of its own objects.
type remoteIovec struct {
	base uintptr
	len  uint64
}

// readProcess copies len(dst) bytes from address addr of process pid into
// dst, with process_vm_readv: one copy, by the kernel, with no socket in
// between. It needs the permission ptrace would (same user, and no Yama
// restriction beyond what prctl(PR_SET_PTRACER) in the peer allows).
func readProcess(pid int, addr uint64, dst []byte) error {
	for len(dst) > 0 {
		local := syscall.Iovec{Base: &dst[0]}
		local.SetLen(len(dst))
		remote := remoteIovec{base: uintptr(addr), len: uint64(len(dst))}
		n, _, errno := syscall.Syscall6(sysProcessVMReadv, uintptr(pid),
			uintptr(unsafe.Pointer(&local)), 1, uintptr(unsafe.Pointer(&remote)), 1, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return errno
		}
		if n == 0 {
			return io.ErrUnexpectedEOF
		}
		dst = dst[n:]
		addr += uint64(n)
	}
	return nil
}

// allowPeersToRead lets any process of this user read our memory even
// where Yama's ptrace_scope 1 limits ptrace to descendants (Ubuntu's
// default), as Open MPI does for CMA. Errors are ignored: without Yama the
// call is unneeded, and without permission the probe simply fails.
func allowPeersToRead() {
	const prSetPtracer, prSetPtracerAny = 0x59616d61, ^uintptr(0)
	syscall.RawSyscall6(syscall.SYS_PRCTL, prSetPtracer, prSetPtracerAny, 0, 0, 0, 0)
}
