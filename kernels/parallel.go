package kernels

import "sync"

// Parallel splits [0, n) into threads contiguous ranges with Share and calls
// fn on each from its own goroutine, then waits for all of them. With
// threads <= 1 it calls fn(Range{0, n}) on the calling goroutine; with
// threads > n it starts only n goroutines, so fn never sees an empty range.
// n == 0 calls nothing.
//
// fn must only write to memory owned by its range. A panic in any fn is
// re-raised on the calling goroutine after all the others have finished,
// so a kernel bug does not kill the process from a goroutine nobody waits on.
//
// Parallel is the only place in this package that starts goroutines.
// It panics if n < 0.
func Parallel(threads, n int, fn func(r Range)) {
	checkShare(n, 1)
	if n == 0 {
		return
	}
	if threads <= 1 {
		fn(Range{0, n})
		return
	}
	if threads > n {
		threads = n
	}
	var (
		wg       sync.WaitGroup
		once     sync.Once
		panicked any
		failed   bool
	)
	for t := 1; t < threads; t++ {
		wg.Add(1)
		go func(r Range) {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					once.Do(func() { panicked, failed = p, true })
				}
			}()
			fn(r)
		}(Share(n, t, threads))
	}
	func() {
		defer func() {
			if p := recover(); p != nil {
				once.Do(func() { panicked, failed = p, true })
			}
		}()
		fn(Share(n, 0, threads))
	}()
	wg.Wait()
	if failed {
		panic(panicked)
	}
}
