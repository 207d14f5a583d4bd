package tcp

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
)

// Listener is one rank's listening socket, open from Listen until the
// wire-up in Connect ends.
type Listener struct {
	ln   *net.TCPListener
	ip   net.IP // the bound address; unspecified when listening on all interfaces
	addr string
}

// Listen opens this rank's listening socket on addr, "host:port" with port
// 0 for an ephemeral port. It listens on that host's address only; only a
// host of "" (":0") or an unspecified address listens on every interface.
func Listen(addr string) (*Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1} // liveness is the heartbeat's job
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("tcp: listen on %s: %w", addr, err)
	}
	tl := ln.(*net.TCPListener)
	ta := tl.Addr().(*net.TCPAddr)
	l := &Listener{ln: tl, ip: ta.IP, addr: ta.String()}
	if ta.IP.IsUnspecified() {
		// Peers cannot dial "[::]": offer the machine's name instead.
		if host, err := os.Hostname(); err == nil && host != "" {
			l.addr = net.JoinHostPort(host, strconv.Itoa(ta.Port))
		}
	}
	return l, nil
}

// Addr returns the "host:port" peers should dial: the bound address, or
// the machine's host name when listening on all interfaces.
func (l *Listener) Addr() string { return l.addr }

// Close closes the socket. Connect calls it when the wire-up ends.
func (l *Listener) Close() error { return l.ln.Close() }

// localIP is the address this rank's outgoing connections come from: the
// listening address, so that a peer sees the same host whichever way a
// connection goes (between loopback aliases the kernel would otherwise
// pick 127.0.0.1). nil when listening on all interfaces.
func (l *Listener) localIP() net.IP {
	if l.ip.IsUnspecified() {
		return nil
	}
	return l.ip
}

// isListenAddr reports whether peer names this listener's address.
func (l *Listener) isListenAddr(peer string) bool {
	if peer == l.addr {
		return true
	}
	ta, err := net.ResolveTCPAddr("tcp", peer)
	if err != nil {
		return false
	}
	mine := l.ln.Addr().(*net.TCPAddr)
	if ta.Port != mine.Port {
		return false
	}
	return mine.IP.IsUnspecified() || ta.IP.Equal(mine.IP)
}
