package commtest

import (
	"errors"
	"runtime"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

func init() {
	add("Shared", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			// Segments of uneven lengths, some empty (rank 0's among them
			// when the size is odd), so offsets are not a multiple of one.
			length := func(r int) int { return (r * 3) % 4 * (r + 1) }
			w, err := comm.AllocShared[float64](c, length(c.Rank()))
			if runtime.GOOS != "linux" && errors.Is(err, comm.ErrNotShared) {
				return nil
			}
			if err != nil {
				return err
			}
			total := 0
			for r := range c.Size() {
				if got := len(w.Segment(r)); got != length(r) {
					return errorf("segment %d has %d elements, want %d", r, got, length(r))
				}
				total += length(r)
			}
			if len(w.All()) != total {
				return errorf("All has %d elements, want %d", len(w.All()), total)
			}
			for i, v := range w.Local() {
				if v != 0 {
					return errorf("fresh window: element %d is %v, want 0", i, v)
				}
			}
			copy(w.Local(), fill(c.Rank(), length(c.Rank())))
			if err := c.Barrier(); err != nil {
				return err
			}
			// Every rank sees every rank's writes, in rank order in All.
			at := 0
			for r := range c.Size() {
				want := fill(r, length(r))
				if !equal(w.Segment(r), want) || !equal(w.All()[at:at+length(r)], want) {
					return errorf("rank %d's segment reads %v, want %v", r, w.Segment(r), want)
				}
				at += length(r)
			}
			// A second round in the other direction: each rank writes its
			// neighbour's segment, as a result assembled by others would.
			if err := c.Barrier(); err != nil {
				return err
			}
			next := (c.Rank() + 1) % c.Size()
			for i := range w.Segment(next) {
				w.Segment(next)[i] = -float64(c.Rank())
			}
			if err := c.Barrier(); err != nil {
				return err
			}
			prev := (c.Rank() + c.Size() - 1) % c.Size()
			for i, v := range w.Local() {
				if v != -float64(prev) {
					return errorf("element %d of my segment is %v, want %v written by rank %d", i, v, -float64(prev), prev)
				}
			}
			// Free unmaps this rank's view only: after the odd ranks have
			// freed theirs, the even ranks still read every segment.
			if c.Rank()%2 == 1 {
				if err := w.Free(); err != nil {
					return err
				}
			}
			if err := c.Barrier(); err != nil {
				return err
			}
			if c.Rank()%2 == 0 {
				for r := range c.Size() {
					writer := (r + c.Size() - 1) % c.Size()
					for i, v := range w.Segment(r) {
						if v != -float64(writer) {
							return errorf("after others freed: segment %d element %d is %v, want %v", r, i, v, -float64(writer))
						}
					}
				}
			}
			if err := w.Free(); err != nil {
				return err
			}
			return w.Free()
		})
	})
}
