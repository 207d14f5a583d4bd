package tcp

import "syscall"

// ipBindAddressNoPort is Linux's IP_BIND_ADDRESS_NO_PORT (since 4.2; the
// syscall package defines it only on newer architectures).
const ipBindAddressNoPort = 0x18

// bindAddressNoPort makes a dialing socket that binds its source address
// (see Listener.localIP) leave the choice of source port to connect.
// Without it, bind picks a port that no other socket on that address may
// use, whatever its destination: a job of n ranks on one host needs
// n(n-1)/2 such ports, which at 256 ranks exceeds the whole ephemeral
// range, and long before that the kernel spends most of the wire-up
// searching its bind table (inet_csk_get_port). With it, connect picks a
// port unique only for the destination, as for an unbound socket.
func bindAddressNoPort(_, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, ipBindAddressNoPort, 1)
	})
	if err != nil {
		return err
	}
	if serr == syscall.ENOPROTOOPT {
		return nil // an older kernel: bind as before
	}
	return serr
}
