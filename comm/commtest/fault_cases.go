package commtest

import (
	"errors"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

func init() {
	// Abort reaches every rank: their blocked calls return an error
	// wrapping *AbortError with the code, so each process can exit with it.
	add("AbortReachesEveryRank", func(t *testing.T, nw NewWorld) {
		Spmd(t, nw, 4, func(c *comm.Comm) error {
			if c.Rank() == 2 {
				return c.Abort(7)
			}
			_, err := c.Recv(make([]float64, 1), 2, 0) // rank 2 never sends
			if err == nil && c.Rank() != 2 {
				// Not from 2: wait in a collective instead.
				err = c.Barrier()
			}
			var ae *comm.AbortError
			if !errors.As(err, &ae) || ae.Rank != 2 || ae.Code != 7 || comm.ExitCode(err) != 7 {
				return errorf("got %v, want an AbortError from rank 2 with code 7", err)
			}
			// Later calls fail too.
			if err := c.Barrier(); err == nil {
				return errorf("Barrier after abort succeeded")
			}
			return nil
		})
	})

	// A rank that closes normally fails receives waiting for it (naming it)
	// without breaking the others.
	add("PeerClosedFailsWaitingReceive", func(t *testing.T, nw NewWorld) {
		Spmd(t, nw, 3, func(c *comm.Comm) error {
			switch c.Rank() {
			case 1:
				return c.Close()
			case 0:
				_, err := c.Recv(make([]int64, 1), 1, 0)
				var re *comm.RankError
				if !errors.As(err, &re) || re.Rank != 1 {
					return errorf("got %v, want a RankError naming rank 1", err)
				}
				// Rank 2 is still reachable.
				return c.Send([]int64{5}, 2, 0)
			default:
				got := []int64{0}
				if _, err := c.Recv(got, 0, 0); err != nil || got[0] != 5 {
					return errorf("got %v (%v)", got, err)
				}
				return nil
			}
		})
	})
}
