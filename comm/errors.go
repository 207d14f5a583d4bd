package comm

import (
	"errors"
	"fmt"
)

var (
	// ErrClosed is returned by calls on a communicator after Close.
	ErrClosed = errors.New("comm: communicator closed")
	// ErrTimeout is wrapped by errors of calls that passed Config.Timeout.
	ErrTimeout = errors.New("comm: timed out")
	// ErrTruncate: the incoming message is longer than the receive buffer.
	ErrTruncate = errors.New("comm: message truncated: receive buffer too small")
	// ErrType: the incoming message's datatype differs from the receive buffer's.
	ErrType = errors.New("comm: datatype mismatch")
	// ErrPeerLost is wrapped by errors caused by a peer that can no longer be reached.
	ErrPeerLost = errors.New("comm: peer lost")
)

// RankError is the error of an operation that failed because of one peer.
// Its message names the peer and the operation, e.g.
// "comm: Allreduce: rank 3: peer lost: connection reset by peer".
type RankError struct {
	Rank int    // the peer's rank in the world
	Op   string // the operation, e.g. "Recv" or "Allreduce"
	Err  error
}

func (e *RankError) Error() string {
	return fmt.Sprintf("comm: %s: rank %d: %v", e.Op, e.Rank, e.Err)
}

func (e *RankError) Unwrap() error { return e.Err }

// AbortError reports that a rank called Abort. Every pending and later call
// on every rank returns an error wrapping it; a program should exit with
// Code.
type AbortError struct {
	Rank int // the world rank that aborted
	Code int
}

func (e *AbortError) Error() string {
	return fmt.Sprintf("comm: rank %d aborted the job with code %d", e.Rank, e.Code)
}

// ExitCode returns the exit code a process should end with after err: the
// abort code when err wraps an *AbortError, 1 for any other error, 0 for nil.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var ae *AbortError
	if errors.As(err, &ae) {
		if ae.Code == 0 {
			return 1
		}
		return ae.Code
	}
	return 1
}

// ErrPeerClosed is the reason a transport gives for a peer that closed its
// communicator normally. Receives from that peer fail with it, but unlike
// other losses it does not break the rest of the job.
var ErrPeerClosed = errors.New("comm: peer closed its communicator")
