package commtest

import (
	"errors"
	"sync"
	"testing"
	"time"

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

// NewFaultyWorld makes the world communicators of n ranks, all with
// config cfg, in which rank victim can die the way a process dies: kill
// cuts it off from every other rank at once, without a goodbye (for a
// rank in a real process, SIGKILL). The victim takes part in the wire-up
// and then stays silent until killed; cs[victim] is nil (it may live in
// another process). The function closes the others and cleans up the
// victim at the end of the test.
type NewFaultyWorld func(t *testing.T, n int, cfg comm.Config, victim int) (cs []*comm.Comm, kill func())

// RunFaults runs the cases about losing a rank: what each LossPolicy
// promises the ranks that remain.
func RunFaults(t *testing.T, nw NewFaultyWorld) {
	for _, c := range faultCases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, nw) })
	}
}

type faultCase struct {
	name string
	fn   func(t *testing.T, nw NewFaultyWorld)
}

var faultCases []faultCase

func addFault(name string, fn func(t *testing.T, nw NewFaultyWorld)) {
	faultCases = append(faultCases, faultCase{name, fn})
}

// lossWitness counts Config.OnPeerLost calls by lost rank.
type lossWitness struct {
	mu    sync.Mutex
	calls map[int]int
	errs  []error
}

func (w *lossWitness) record(rank int, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.calls == nil {
		w.calls = map[int]int{}
	}
	w.calls[rank]++
	w.errs = append(w.errs, err)
}

func (w *lossWitness) count(rank int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.calls[rank]
}

// eventually fails t unless cond holds within Timeout.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", Timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitRequest waits for r at most Timeout.
func waitRequest(t *testing.T, what string, r *comm.Request) (comm.Status, error) {
	t.Helper()
	type res struct {
		st  comm.Status
		err error
	}
	ch := make(chan res, 1)
	go func() { st, err := r.Wait(); ch <- res{st, err} }()
	select {
	case x := <-ch:
		return x.st, x.err
	case <-time.After(Timeout):
		t.Fatalf("%s: still waiting after %v", what, Timeout)
		return comm.Status{}, nil
	}
}

// isLossOf reports whether err is a *RankError naming rank and wrapping
// ErrPeerLost.
func isLossOf(err error, rank int) bool {
	var re *comm.RankError
	return errors.As(err, &re) && re.Rank == rank && errors.Is(err, comm.ErrPeerLost)
}

func init() {
	// LossIsolated: losing rank 3 fails the receive posted for it and any
	// later call on it, on every survivor; a receive from AnySource keeps
	// waiting and completes from a survivor; every survivor is told once
	// through OnPeerLost and Lost; the survivors go on talking.
	addFault("IsolatedLossFailsOnlyCallsOnThePeer", func(t *testing.T, nw NewFaultyWorld) {
		const n, victim = 4, 3
		var w lossWitness
		cs, kill := nw(t, n, comm.Config{Loss: comm.LossIsolated, OnPeerLost: w.record}, victim)
		anyBuf := make([]int64, 1)
		pendingAny := cs[0].Irecv(anyBuf, comm.AnySource, 5)
		pendingVictim := cs[1].Irecv(make([]int64, 1), victim, 0)
		kill()

		if _, err := waitRequest(t, "rank 1's receive from the killed rank", pendingVictim); !isLossOf(err, victim) {
			t.Fatalf("rank 1's receive from rank %d: got %v, want a RankError naming it, wrapping ErrPeerLost", victim, err)
		}
		eventually(t, "every survivor told once of the loss", func() bool { return w.count(victim) == n-1 })
		for r := 0; r < n-1; r++ {
			if got := cs[r].Lost(); len(got) != 1 || got[0] != victim {
				t.Errorf("rank %d: Lost() = %v, want [%d]", r, got, victim)
			}
		}
		if done, _, err := pendingAny.Test(); done {
			t.Fatalf("rank 0's receive from AnySource ended with the loss (%v); it must keep waiting", err)
		}
		// Calls that involve the lost rank fail at once...
		if err := cs[0].Send([]int64{1}, victim, 0); !isLossOf(err, victim) {
			t.Errorf("rank 0: Send to the lost rank: got %v", err)
		}
		if _, err := cs[2].Recv(make([]int64, 1), victim, 0); !isLossOf(err, victim) {
			t.Errorf("rank 2: Recv from the lost rank: got %v", err)
		}
		// ...and the survivors still talk: the pending AnySource receive
		// completes from rank 2, then a ring among the three.
		if err := cs[2].Send([]int64{42}, 0, 5); err != nil {
			t.Fatal(err)
		}
		st, err := waitRequest(t, "rank 0's receive from AnySource", pendingAny)
		if err != nil || st.Source != 2 || anyBuf[0] != 42 {
			t.Fatalf("rank 0's receive from AnySource: %v from %d (%v), want 42 from 2", anyBuf[0], st.Source, err)
		}
		Spmd(t, func(*testing.T, int) []*comm.Comm { return cs[:n-1] }, n-1, func(c *comm.Comm) error {
			next, prev := (c.Rank()+1)%(n-1), (c.Rank()+n-2)%(n-1)
			got := []int64{-1}
			if _, err := c.Sendrecv([]int64{int64(c.Rank())}, next, 9, got, prev, 9); err != nil {
				return err
			}
			if got[0] != int64(prev) {
				return errorf("ring: got %d from rank %d", got[0], prev)
			}
			return nil
		})
		if got := w.count(victim); got != n-1 {
			t.Errorf("OnPeerLost called %d times for rank %d, want once per survivor (%d)", got, victim, n-1)
		}
	})

	// LossBreaksWorld, the default, is unchanged: the loss of one rank
	// fails every survivor's pending receive, AnySource included, and
	// every later call, even between survivors.
	addFault("DefaultLossBreaksWorld", func(t *testing.T, nw NewFaultyWorld) {
		const n, victim = 3, 2
		var w lossWitness
		cs, kill := nw(t, n, comm.Config{OnPeerLost: w.record}, victim)
		pending := cs[0].Irecv(make([]int64, 1), comm.AnySource, 5)
		kill()
		if _, err := waitRequest(t, "rank 0's receive from AnySource", pending); !isLossOf(err, victim) {
			t.Fatalf("rank 0's receive from AnySource: got %v, want a RankError naming rank %d, wrapping ErrPeerLost", err, victim)
		}
		eventually(t, "rank 1 learns of the loss", func() bool { return len(cs[1].Lost()) > 0 })
		if err := cs[1].Send([]int64{1}, 0, 0); err == nil {
			t.Errorf("rank 1: Send to a live rank after the world broke succeeded")
		}
	})

	// An Abort ends the whole job even under LossIsolated: a survivor
	// waiting on AnySource gets the abort and its code.
	addFault("IsolatedAbortStillEndsTheJob", func(t *testing.T, nw NewFaultyWorld) {
		const n, victim = 3, 2
		cs, _ := nw(t, n, comm.Config{Loss: comm.LossIsolated}, victim)
		pending := cs[0].Irecv(make([]int64, 1), comm.AnySource, 5)
		cs[1].Abort(7)
		_, err := waitRequest(t, "rank 0's receive from AnySource", pending)
		var ae *comm.AbortError
		if !errors.As(err, &ae) || ae.Rank != 1 || comm.ExitCode(err) != 7 {
			t.Fatalf("rank 0: got %v, want an AbortError from rank 1 with code 7", err)
		}
	})
}
