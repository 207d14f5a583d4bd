package tcp

import (
	"errors"
	"fmt"

	"github.com/spmd-go/spmd/comm"
)

var (
	// ErrClosed is returned by Send after Close or Abort, and is the
	// reason given to Lost for every peer when this side closes.
	ErrClosed = errors.New("tcp: transport closed")
	// ErrAborted is the reason given to Lost for every peer when this
	// side calls Abort.
	ErrAborted = errors.New("tcp: transport aborted by this rank")
	// ErrPeerClosed is the reason given to Lost when the peer closed its
	// transport normally (it sent goaway). Receives still pending from it
	// cannot complete, but the peer did not fail.
	// It wraps comm.ErrPeerClosed, which tells the core not to treat the
	// departure as a failure of the job.
	ErrPeerClosed = fmt.Errorf("tcp: peer closed the connection normally (goaway): %w", comm.ErrPeerClosed)
	// ErrPeerSilent is wrapped by the error given to Lost when nothing
	// arrived from the peer for Config.DeadAfter: the peer is stopped,
	// hung or unreachable.
	ErrPeerSilent = errors.New("tcp: peer silent")
	// ErrProtocol is wrapped by errors about malformed frames; the message
	// says what was wrong.
	ErrProtocol = errors.New("tcp: protocol error")
	// ErrHandshake is wrapped by errors of a failed handshake.
	ErrHandshake = errors.New("tcp: handshake failed")
)
