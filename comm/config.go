package comm

import (
	"fmt"
	"time"
)

// Config holds the settings of a communicator. The zero value is valid:
// no per-call timeout, so liveness is left to the transport (the TCP
// transport declares a silent peer lost after its DeadAfter).
type Config struct {
	// Timeout bounds each wait of a blocking call (Recv, Request.Wait,
	// and every wait inside a collective). Zero means no bound. When it
	// fires the call returns a *RankError wrapping ErrTimeout naming the
	// peer it was waiting for.
	Timeout time.Duration

	// OnFailure, if set, is called once, on its own goroutine, when the
	// world breaks: a peer is lost or a rank aborts. A program that may be
	// computing for a long time without communicating can use it to stop
	// at once instead of at its next call (the spmd job runtime exits).
	OnFailure func(err error)
}

func (c Config) validate() error {
	if c.Timeout < 0 {
		return fmt.Errorf("comm: Config.Timeout is negative (%v)", c.Timeout)
	}
	return nil
}
