package tcp

import (
	"fmt"
	"math"
	"time"
)

// Config holds the settings of one rank's transport. Every rank of a job
// must use the same Secret, Job and MaxMessage; the durations may differ.
type Config struct {
	// Secret is the per-job secret both sides of every connection prove
	// they know. Required, at least 16 bytes. It is never sent.
	Secret []byte
	// Job is the job id, bound into the handshake so that a connection
	// from another job fails even if it shares the secret. May be "".
	Job string
	// ConnectTimeout bounds the whole wire-up in Connect (default 60s).
	ConnectTimeout time.Duration
	// HandshakeTimeout bounds the handshake of one incoming connection
	// (default 5s), so a slow-loris stranger cannot hold a wire-up
	// goroutine for long. A dialer waits for its peer as long as the
	// wire-up lasts (docs/PROTOCOL.md).
	HandshakeTimeout time.Duration
	// Heartbeat is the idle interval after which a ping is sent (default
	// 1s, or DeadAfter/4 if that is shorter; in Connect, longer for a
	// world of more than 65 ranks, see pingsPerSecond).
	Heartbeat time.Duration
	// DeadAfter is the silence after which a peer is declared lost
	// (default 15s). It is also the deadline of every write.
	DeadAfter time.Duration
	// MaxMessage is the largest payload accepted, in bytes (default 1<<31).
	// A larger length in a frame header is a protocol error, detected
	// before anything is allocated.
	MaxMessage uint64
	// SingleCopy is the smallest message, in bytes, that goes to a peer
	// on the same machine by single copy: the receiver reads the payload
	// straight from the sender's memory (Linux process_vm_readv, as Open
	// MPI's CMA does) instead of through the socket, which copies it
	// twice. 0 means DefaultSingleCopy; a negative value turns it off.
	// Each copy costs a round trip (the receiver's answer), so small
	// messages are faster through the socket: the default is where single
	// copy started to win in a ping-pong between two processes here
	// (512 KiB: even; 1 MiB: 1.3x; 16 MiB: 1.6x).
	// It is used only where a probe at wire-up shows it works (same
	// machine, same user, no ptrace restriction), else sockets carry all.
	SingleCopy int
}

// Defaults of the zero fields of Config.
const (
	DefaultConnectTimeout   = 60 * time.Second
	DefaultHandshakeTimeout = 5 * time.Second
	DefaultHeartbeat        = time.Second
	DefaultDeadAfter        = 15 * time.Second
	DefaultMaxMessage       = 1 << 31
	DefaultSingleCopy       = 1 << 20
	// MinSecret is the shortest accepted Config.Secret, in bytes.
	MinSecret = 16
)

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.HandshakeTimeout == 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.DeadAfter == 0 {
		c.DeadAfter = DefaultDeadAfter
	}
	if c.Heartbeat == 0 {
		// A short DeadAfter gets a heartbeat that fits in it, 4 times over.
		c.Heartbeat = min(DefaultHeartbeat, c.DeadAfter/4)
	}
	if c.MaxMessage == 0 {
		c.MaxMessage = DefaultMaxMessage
	}
	if c.SingleCopy == 0 {
		c.SingleCopy = DefaultSingleCopy
	}
	return c
}

// pingsPerSecond bounds the pings one idle rank sends, when Heartbeat is
// left to its default: every link of an idle world carries a ping per
// Heartbeat, n(n-1) of them for n ranks, and at 256 ranks on one machine
// a 1s heartbeat kept the cores busy with pings alone (a third of the CPU
// time of a start-up). So a world of more than pingsPerSecond+1 ranks
// pings every (n-1)/pingsPerSecond seconds, still at most DeadAfter/4.
const pingsPerSecond = 64

// withSize is WithDefaults for a world of size ranks: the default
// heartbeat grows with the world (see pingsPerSecond).
func (c Config) withSize(size int) Config {
	if c.Heartbeat == 0 && size-1 > pingsPerSecond {
		dead := c.DeadAfter
		if dead == 0 {
			dead = DefaultDeadAfter
		}
		c.Heartbeat = min(time.Duration(size-1)*time.Second/pingsPerSecond, dead/4)
	}
	return c.WithDefaults()
}

// validate reports the first setting that cannot work. It expects c to
// have its defaults filled.
func (c Config) validate() error {
	switch {
	case len(c.Secret) < MinSecret:
		return fmt.Errorf("tcp: Config.Secret must be at least %d bytes, got %d", MinSecret, len(c.Secret))
	case c.ConnectTimeout < 0, c.HandshakeTimeout < 0, c.Heartbeat < 0, c.DeadAfter < 0:
		return fmt.Errorf("tcp: Config durations must not be negative")
	case c.Heartbeat >= c.DeadAfter:
		return fmt.Errorf("tcp: Config.Heartbeat (%v) must be shorter than Config.DeadAfter (%v)", c.Heartbeat, c.DeadAfter)
	case c.MaxMessage > math.MaxInt:
		return fmt.Errorf("tcp: Config.MaxMessage %d does not fit in an int", c.MaxMessage)
	}
	return nil
}
