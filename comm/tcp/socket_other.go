//go:build !unix

package tcp

import "net"

// writeNow writes nothing where the socket cannot be written directly;
// the caller's deadline-bound write does all of it.
func writeNow(c *net.TCPConn, b []byte) int { return 0 }

// pendingInput cannot look into the socket here: it reports nothing.
func pendingInput(c *net.TCPConn) bool { return false }
