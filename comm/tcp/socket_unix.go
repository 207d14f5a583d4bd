//go:build unix

package tcp

import (
	"net"
	"syscall"
)

// writeNow writes as much of b to c as the socket takes without waiting,
// whatever c's write deadline, and returns how much that was. The net
// package refuses to write at all once a deadline has passed, even into
// a socket with room; on a loaded machine a goroutine can run a second
// after the deadline it set, and a goodbye lost that way makes a peer
// take a normal exit for a failure.
func writeNow(c *net.TCPConn, b []byte) int {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	rc.Control(func(fd uintptr) {
		for n < len(b) {
			m, err := syscall.Write(int(fd), b[n:])
			if err == syscall.EINTR {
				continue
			}
			if err != nil || m <= 0 {
				return // EAGAIN: the socket is full; the caller waits
			}
			n += m
		}
	})
	return n
}

// pendingInput reports whether c has input waiting in the kernel (or its
// end: a read would not block), looking without taking it and whatever
// c's read deadline. A reader whose deadline passed while its process was
// not running uses it to tell a silent peer from one it was too late to
// hear.
func pendingInput(c *net.TCPConn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	pending := false
	rc.Control(func(fd uintptr) {
		var b [1]byte
		for {
			n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
			if err == syscall.EINTR {
				continue
			}
			pending = err == nil && n >= 0 // a byte, or the end of the stream
			return
		}
	})
	return pending
}
