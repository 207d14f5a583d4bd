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
