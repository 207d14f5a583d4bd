// Package faultproxy is a user-space TCP proxy for fault tests: it sits
// between a client and a target on loopback and, on command, delays,
// stalls, drops, corrupts or cuts the byte streams it forwards.
//
// The kernels these tests run on have no tc netem, and a test must never
// touch a real network, so faults are made here, in the test's own
// process, between two loopback addresses.
//
// # Use
//
//	p, err := faultproxy.New("127.0.0.1:0", targetAddr) // loopback only
//	defer p.Close()
//	// give the client p.Addr() instead of targetAddr, then:
//	p.Stall(faultproxy.Both)             // stop forwarding, keep the connection
//	p.Resume(faultproxy.Both)
//	p.Delay(faultproxy.Up, 50*time.Millisecond)
//	p.CorruptByte(faultproxy.Down, 1000) // flip byte 1000 of each target→client stream
//	p.DropAfter(faultproxy.Up, 4096)     // forward 4096 bytes, then discard silently
//	p.CutAfter(faultproxy.Up, 1<<20)     // close both sides after 1 MiB client→target
//	p.Cut()                              // close every connection now
//
// Up is the client→target direction (what the client writes), Down the
// target→client one. Offsets count the bytes of one connection in one
// direction from its first byte; every fault applies to every connection,
// present and future, so a test of one link sees one connection and one
// stream per direction. Forwarded tells how far a stream has got, so a
// fault can be aimed at a point from "now": p.CorruptByte(Up,
// p.Forwarded(Up)+30).
//
// # Semantics
//
// Each direction of each connection has a reader and a writer goroutine
// joined by a small bounded queue, so a stalled or delayed direction
// pushes back on its sender through TCP flow control, as a slow network
// would, instead of buffering without limit. Stall stops the writer; bytes
// stay queued (and then in the sender's socket buffers) until Resume.
// Delay holds each chunk until d after it was read: latency, not a
// throughput limit. DropAfter keeps reading and discards: the sender sees
// no error, the receiver sees silence. A cut closes both sockets of the
// connection (the peers see EOF, or a reset if they write); a half-close
// by one side is passed on as a half-close.
//
// # Loopback only
//
// New refuses a listen or target address that is not a literal loopback
// IP (127.0.0.0/8 or ::1): a fault test must not reach beyond the machine,
// by mistake or otherwise. Host names, even "localhost", are refused:
// what they resolve to is not the test's to decide.
package faultproxy
