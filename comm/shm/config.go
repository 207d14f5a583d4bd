package shm

import (
	"errors"
	"fmt"
	"time"
)

// errUnsupported is why a rank of another system shares no memory.
var errUnsupported = errors.New("shared memory needs Linux on amd64 or arm64")

// Config holds the settings of one rank's shared-memory layer. The zero
// value is ready to use.
type Config struct {
	// Off keeps every pair of ranks on the base transport, as
	// SPMD_SHM=off asks. The rank still answers its peers' offers (with a
	// no), so ranks with different settings agree pair by pair.
	Off bool

	// Machine names the machine this rank runs on; ranks share memory
	// only with ranks that name the same one. "" means this machine as
	// the kernel sees it (host name, boot id, pid namespace). Tests set
	// it to pretend that ranks of one machine are on several.
	Machine string

	// RingLen is the length in bytes of each ring's records, a power of
	// two of at least 64 KiB. 0 means 1 MiB for worlds of up to 16 ranks,
	// less for larger ones (16 MiB per rank in all, at least 64 KiB a
	// ring): pages are touched only by the pairs that talk.
	RingLen int

	// Spin is how long a waiting call polls the rings before it blocks.
	// 0 means adaptive: it starts as long as blocking and being woken
	// costs on this machine (measured once per process) and follows how
	// long waits turn out to be (see spin.go). A negative value never
	// polls: every wait blocks at once.
	Spin time.Duration

	// MaxMessage is the largest payload accepted, in bytes (default
	// 1<<31, as comm/tcp's).
	MaxMessage uint64
}

// DefaultMaxMessage is the default Config.MaxMessage.
const DefaultMaxMessage = 1 << 31

// withDefaults fills the zero fields of c for a world of size ranks.
func (c Config) withDefaults(size int) Config {
	if c.RingLen == 0 {
		c.RingLen = minRingLen
		for c.RingLen < 1<<20 && c.RingLen*2*size <= 16<<20 {
			c.RingLen *= 2
		}
	}
	if c.MaxMessage == 0 {
		c.MaxMessage = DefaultMaxMessage
	}
	return c
}

func (c Config) validate() error {
	if c.RingLen < minRingLen || c.RingLen > maxRingLen || c.RingLen&(c.RingLen-1) != 0 {
		return fmt.Errorf("shm: Config.RingLen %d is not a power of two from %d to %d", c.RingLen, minRingLen, maxRingLen)
	}
	return nil
}
