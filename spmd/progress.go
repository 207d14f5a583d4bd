package main

import (
	"github.com/spmd-go/spmd/kernels"
	"github.com/spmd-go/spmd/job"
)

// inChunks runs fn on consecutive pieces of t of at most size units and
// counts each finished piece as done (job.Run.Advance), so the root's
// progress line moves through a long share instead of jumping from 0 to
// 100% at its end. It stops at the first error.
func inChunks(r *job.Run, t kernels.Range, size int, fn func(c kernels.Range) error) error {
	for lo := t.Lo; lo < t.Hi; lo += size {
		c := kernels.Range{Lo: lo, Hi: min(lo+size, t.Hi)}
		if err := fn(c); err != nil {
			return err
		}
		r.Advance(int64(c.Len()))
	}
	return nil
}
