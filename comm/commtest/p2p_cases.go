package commtest

import (
	"errors"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

func fill(r, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(r*1_000_003 + i)
	}
	return x
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func init() {
	add("SendRecvRing", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			p, r := c.Size(), c.Rank()
			if err := c.Send(fill(r, 10), (r+1)%p, 7); err != nil {
				return err
			}
			got := make([]float64, 10)
			st, err := c.Recv(got, (r-1+p)%p, 7)
			if err != nil {
				return err
			}
			if !equal(got, fill((r-1+p)%p, 10)) {
				return errorf("got %v from rank %d", got[:3], (r-1+p)%p)
			}
			if st.Source != (r-1+p)%p || st.Tag != 7 || st.Count != 10 {
				return errorf("status %+v", st)
			}
			return nil
		})
	})

	add("AllPairs", func(t *testing.T, nw NewWorld) {
		Spmd(t, nw, 4, func(c *comm.Comm) error {
			p, r := c.Size(), c.Rank()
			reqs := []*comm.Request{}
			for d := 0; d < p; d++ {
				reqs = append(reqs, c.Isend([]int64{int64(r), int64(d)}, d, 3))
			}
			for s := 0; s < p; s++ {
				got := make([]int64, 2)
				if _, err := c.Recv(got, s, 3); err != nil {
					return err
				}
				if got[0] != int64(s) || got[1] != int64(r) {
					return errorf("from %d got %v", s, got)
				}
			}
			return comm.WaitAll(reqs...)
		})
	})

	// MPI standard, "Semantics of Point-to-Point Communication" (§3.5):
	// messages are non-overtaking — from one sender with one tag to one
	// receiver they are received in the order they were sent, whether sent
	// by Send or Isend, and whatever receives are posted.
	add("NonOvertaking", func(t *testing.T, nw NewWorld) {
		Spmd(t, nw, 2, func(c *comm.Comm) error {
			const n = 200
			if c.Rank() == 0 {
				var reqs []*comm.Request
				for i := 0; i < n; i++ {
					if i%3 == 0 {
						if err := c.Send([]int64{int64(i)}, 1, 5); err != nil {
							return err
						}
					} else {
						reqs = append(reqs, c.Isend([]int64{int64(i)}, 1, 5))
					}
				}
				return comm.WaitAll(reqs...)
			}
			for i := 0; i < n; i++ {
				got := []int64{-1}
				src := 0
				if i%2 == 0 {
					src = comm.AnySource
				}
				if _, err := c.Recv(got, src, 5); err != nil {
					return err
				}
				if got[0] != int64(i) {
					return errorf("message %d arrived as number %d", got[0], i)
				}
			}
			return nil
		})
	})

	add("AnySourceAnyTag", func(t *testing.T, nw NewWorld) {
		for _, n := range []int{2, 3, 7} {
			Spmd(t, nw, n, func(c *comm.Comm) error {
				p, r := c.Size(), c.Rank()
				if r != 0 {
					return c.Send([]int32{int32(r)}, 0, 100+r)
				}
				seen := make(map[int]bool)
				for i := 1; i < p; i++ {
					got := []int32{0}
					st, err := c.Recv(got, comm.AnySource, comm.AnyTag)
					if err != nil {
						return err
					}
					if int(got[0]) != st.Source || st.Tag != 100+st.Source || st.Count != 1 || seen[st.Source] {
						return errorf("got %v with status %+v", got, st)
					}
					seen[st.Source] = true
				}
				return nil
			})
		}
	})

	add("SelfAndZeroLength", func(t *testing.T, nw NewWorld) {
		forSizes(t, nw, func(c *comm.Comm) error {
			r := c.Rank()
			if err := c.Send(fill(r, 5), r, 1); err != nil {
				return err
			}
			if err := c.Send([]float64{}, r, 2); err != nil {
				return err
			}
			st, err := c.Recv([]float64{}, r, 2) // tag 2 first: matching is by tag
			if err != nil || st.Count != 0 || st.Source != r {
				return errorf("zero-length self receive: %+v %v", st, err)
			}
			got := make([]float64, 5)
			if _, err := c.Recv(got, r, 1); err != nil {
				return err
			}
			if !equal(got, fill(r, 5)) {
				return errorf("self-send got %v", got)
			}
			// Zero-length between peers.
			p := c.Size()
			if err := c.Send([]byte{}, (r+1)%p, 9); err != nil {
				return err
			}
			st, err = c.Recv(make([]byte, 4), (r-1+p)%p, 9)
			if err != nil || st.Count != 0 {
				return errorf("zero-length receive: %+v %v", st, err)
			}
			return nil
		})
	})

	add("Large64MiB", func(t *testing.T, nw NewWorld) {
		if testing.Short() {
			t.Skip("64 MiB messages skipped in -short mode")
		}
		Spmd(t, nw, 2, func(c *comm.Comm) error {
			const n = 8 << 20 // 64 MiB of float64
			if c.Rank() == 0 {
				x := fill(1, n)
				if err := c.Send(x, 1, 0); err != nil {
					return err
				}
				got := make([]float64, n)
				if _, err := c.Recv(got, 1, 0); err != nil {
					return err
				}
				if !equal(got, x) {
					return errorf("echo differs")
				}
				return nil
			}
			got := make([]float64, n)
			st, err := c.Recv(got, 0, 0)
			if err != nil {
				return err
			}
			if st.Count != n || got[n-1] != float64(1_000_003+n-1) {
				return errorf("status %+v last %v", st, got[n-1])
			}
			return c.Send(got, 0, 0)
		})
	})

	add("SendrecvAndNonblocking", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			p, r := c.Size(), c.Rank()
			got := make([]float64, 3)
			st, err := c.Sendrecv(fill(r, 3), (r+1)%p, 4, got, (r-1+p)%p, 4)
			if err != nil {
				return err
			}
			if !equal(got, fill((r-1+p)%p, 3)) || st.Source != (r-1+p)%p {
				return errorf("Sendrecv got %v status %+v", got, st)
			}
			in := make([]uint64, 4)
			rr := c.Irecv(in, (r+1)%p, 6)
			sr := c.Isend([]uint64{uint64(r), 1, 2, 3}, (r-1+p)%p, 6)
			if _, err := sr.Wait(); err != nil {
				return err
			}
			st, err = rr.Wait()
			if err != nil {
				return err
			}
			if in[0] != uint64((r+1)%p) || st.Count != 4 {
				return errorf("Irecv got %v status %+v", in, st)
			}
			done, _, err := rr.Test()
			if !done || err != nil {
				return errorf("Test after Wait: %v %v", done, err)
			}
			return nil
		})
	})

	add("TruncateAndTypeMismatch", func(t *testing.T, nw NewWorld) {
		Spmd(t, nw, 2, func(c *comm.Comm) error {
			if c.Rank() == 0 {
				if err := c.Send(fill(0, 10), 1, 1); err != nil {
					return err
				}
				if err := c.Send([]int64{1, 2}, 1, 2); err != nil {
					return err
				}
				return c.Send([]float64{42}, 1, 3)
			}
			_, err := c.Recv(make([]float64, 5), 0, 1)
			if !errors.Is(err, comm.ErrTruncate) {
				return errorf("short buffer: got %v, want ErrTruncate", err)
			}
			_, err = c.Recv(make([]float64, 2), 0, 2)
			if !errors.Is(err, comm.ErrType) {
				return errorf("int64 into float64: got %v, want ErrType", err)
			}
			got := []float64{0} // the stream stays in step after both errors
			if _, err := c.Recv(got, 0, 3); err != nil || got[0] != 42 {
				return errorf("after errors got %v %v", got, err)
			}
			return nil
		})
	})

	// User receives, even with AnyTag, never match a collective's
	// messages: collectives use reserved negative tags.
	add("UserTagsNeverMatchCollectives", func(t *testing.T, nw NewWorld) {
		Spmd(t, nw, 3, func(c *comm.Comm) error {
			r := c.Rank()
			var req *comm.Request
			got := []float64{-1}
			if r == 0 {
				req = c.Irecv(got, comm.AnySource, comm.AnyTag)
			}
			x := []float64{float64(r)}
			sum := []float64{0}
			if err := c.Allreduce(x, sum, comm.Sum); err != nil {
				return err
			}
			if err := c.Bcast(x, 1); err != nil {
				return err
			}
			if err := c.Barrier(); err != nil {
				return err
			}
			if sum[0] != 3 {
				return errorf("allreduce %v", sum)
			}
			if r == 2 {
				return c.Send([]float64{7}, 0, 0)
			}
			if r == 0 {
				if _, err := req.Wait(); err != nil {
					return err
				}
				if got[0] != 7 {
					return errorf("AnyTag receive matched %v, want the user message 7", got[0])
				}
			}
			return nil
		})
	})
}
