//go:build !linux

package tcp

import "syscall"

// bindAddressNoPort does nothing where IP_BIND_ADDRESS_NO_PORT does not
// exist (see dial_linux.go).
func bindAddressNoPort(_, _ string, _ syscall.RawConn) error { return nil }
