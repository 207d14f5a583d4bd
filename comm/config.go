package comm

import (
	"fmt"
	"time"
)

// Config holds the settings of a communicator. The zero value is valid:
// no per-call timeout, so liveness is left to the transport (the TCP
// transport declares a silent peer lost after its DeadAfter), and the loss
// of any peer breaks the world (LossBreaksWorld).
type Config struct {
	// Timeout bounds each wait of a blocking call (Recv, Request.Wait,
	// and every wait inside a collective). Zero means no bound. When it
	// fires the call returns a *RankError wrapping ErrTimeout naming the
	// peer it was waiting for.
	Timeout time.Duration

	// OnFailure, if set, is called once, on its own goroutine, when the
	// world breaks: a peer is lost (under LossBreaksWorld) or a rank
	// aborts. A program that may be computing for a long time without
	// communicating can use it to stop at once instead of at its next
	// call (the spmd job runtime exits).
	OnFailure func(err error)

	// Loss says what losing one peer does to the rest of the world; see
	// LossPolicy. Every rank of a world should use the same policy.
	Loss LossPolicy

	// OnPeerLost, if set, is called once for every peer this rank can no
	// longer reach, on its own goroutine, with the world rank of the peer
	// and why (an error wrapping ErrPeerClosed when it closed normally).
	// It is called under either policy; Comm.Lost gives the same answer
	// on demand.
	OnPeerLost func(rank int, err error)
}

// A LossPolicy says what the loss of one peer (its process died, its link
// broke, it fell silent past the transport's liveness limit) does to the
// calls of the ranks that remain.
type LossPolicy int

const (
	// LossBreaksWorld, the default, ends the whole job on any loss: every
	// pending and later call on every communicator of this process fails
	// naming the lost rank, and this rank tells the others, so that no
	// part of the job waits forever for a rank that is gone.
	LossBreaksWorld LossPolicy = iota

	// LossIsolated confines a loss to the calls that involve the lost
	// peer: receives from it (posted or later) and sends to it fail with
	// a *RankError wrapping ErrPeerLost; receives from AnySource keep
	// waiting for the ranks that remain; messages that arrived from the
	// peer before the loss can still be received; nothing is sent to the
	// other ranks. The program learns who is gone from Config.OnPeerLost
	// or Comm.Lost. It is for programs whose ranks do not depend on each
	// other, such as a root handing out independent tasks to workers
	// (spmd farm): the root re-queues a lost worker's tasks and goes on.
	// A collective with a lost member is not safe under this policy (the
	// ranks that did not wait on the lost peer itself may wait forever
	// for those that did); after a loss use point-to-point calls among
	// the ranks that remain, or set Timeout. An Abort still ends the
	// whole job.
	LossIsolated
)

func (p LossPolicy) String() string {
	switch p {
	case LossBreaksWorld:
		return "LossBreaksWorld"
	case LossIsolated:
		return "LossIsolated"
	}
	return fmt.Sprintf("LossPolicy(%d)", int(p))
}

func (c Config) validate() error {
	if c.Timeout < 0 {
		return fmt.Errorf("comm: Config.Timeout is negative (%v)", c.Timeout)
	}
	if c.Loss != LossBreaksWorld && c.Loss != LossIsolated {
		return fmt.Errorf("comm: Config.Loss is %v, not LossBreaksWorld or LossIsolated", c.Loss)
	}
	return nil
}
