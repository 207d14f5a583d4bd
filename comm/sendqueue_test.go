package comm

import (
	"sync"
	"testing"
)

// TestSendQueueOrder: turns are given in the order they were reserved,
// whether a reservation found the queue free, held, or already waited on,
// and never to two holders at once.
func TestSendQueueOrder(t *testing.T) {
	var q sendQueue
	const rounds, n = 200, 8
	for range rounds {
		var (
			mu      sync.Mutex
			order   []int
			holders int
			wg      sync.WaitGroup
		)
		for i := range n {
			turn := q.reserve() // in order, as Isend reserves on its caller's goroutine
			wg.Add(1)
			go func() {
				defer wg.Done()
				if turn != nil {
					<-turn
				}
				mu.Lock()
				holders++
				if holders != 1 {
					t.Errorf("%d holders at once", holders)
				}
				order = append(order, i)
				mu.Unlock()
				mu.Lock()
				holders--
				mu.Unlock()
				q.release()
			}()
		}
		wg.Wait()
		for i, v := range order {
			if v != i {
				t.Fatalf("turns went %v, want in reservation order", order)
			}
		}
		if s := q.state.Load(); s != 0 {
			t.Fatalf("queue state %d after every turn was released, want 0", s)
		}
	}
}

// TestSendQueueContended: senders on many goroutines, each acquiring and
// releasing in a loop, never hold the queue together.
func TestSendQueueContended(t *testing.T) {
	var q sendQueue
	var wg sync.WaitGroup
	inside := 0
	var mu sync.Mutex
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 2000 {
				q.acquire()
				mu.Lock()
				inside++
				if inside != 1 {
					t.Errorf("%d holders at once", inside)
				}
				inside--
				mu.Unlock()
				q.release()
			}
		}()
	}
	wg.Wait()
}
