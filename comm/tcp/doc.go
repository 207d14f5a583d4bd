// Package tcp is the TCP transport of package comm: it carries frames
// between the ranks of one job over one TCP connection per pair of ranks.
//
// # Wire-up
//
// Every rank listens on its own host and port (Listen), learns every other
// rank's address from its launcher, and calls Connect. The higher rank of
// each pair dials the lower one; the lower one accepts. Both sides then run
// an HMAC-SHA256 challenge–response over a per-job secret (Config.Secret)
// before a connection counts: the secret never crosses the wire, fresh
// nonces from both sides defeat replay, and the job id, protocol version,
// world size and both ranks are bound into every proof. A connection that
// fails the handshake is closed and logged at debug level; it never
// disturbs the wire-up. Connect returns once all size-1 links are up, or
// fails after Config.ConnectTimeout naming the ranks still missing, and
// closes the listener either way, so no stranger can connect afterwards.
//
//	l, err := tcp.Listen("127.0.0.2:0")    // this rank's host, any port
//	// ... publish l.Addr(), learn peers[i] for every rank i ...
//	t, err := tcp.Connect(ctx, l, rank, peers, tcp.Config{Secret: secret, Job: jobID})
//	// t implements comm.Transport
//
// Dial does both steps for launchers that fix every address up front.
//
// # Frames
//
// After the handshake each connection carries frames: a fixed 28-byte
// big-endian header, sealed by a CRC-32C checksum, followed by the
// payload's raw bytes. Data frames carry
// messages; ping frames keep an idle link alive; goaway says goodbye on
// Close; abort carries the code of Transport.Abort. docs/PROTOCOL.md is
// the reference for the layout and the handshake.
//
// # Goroutines and liveness
//
// Each connection has exactly one reader goroutine (started by Start), which
// makes every Handler call for that peer: Claim, then Deliver, per data
// frame, and finally Lost, exactly once. Each connection also has a
// heartbeat goroutine that sends a ping after Config.Heartbeat without
// traffic, so a rank that computes for minutes stays alive to its peers. A
// peer from which nothing arrives for Config.DeadAfter is declared lost;
// the same bound applies to every write, so a stuck peer turns into an
// error instead of a hang. Send writes on the caller's goroutine, header
// and payload in one writev, without copying the payload.
//
// # Failure
//
// The first error on a connection wins: it is recorded, the connection is
// closed, and the reader goroutine reports it with Lost. The error says
// why: an *comm.AbortError when the peer aborted, ErrPeerClosed when it
// said goodbye, ErrPeerSilent after DeadAfter of silence, ErrProtocol for
// a malformed frame, or the I/O error. Nothing read from the network makes
// the package panic.
//
// Close and Abort end the transport. Each reader still calls Lost once
// (with ErrClosed or ErrAborted) before Close or Abort returns, and no
// Handler method is called after they return. Because Close and Abort wait
// for the readers, call them without holding a lock that the Handler needs.
package tcp
