package comm

import "sort"

// Undefined as a color in Split leaves the calling rank out of every new
// communicator: Split returns nil for it.
const Undefined = -1

// Split partitions c into disjoint communicators, one per color: ranks
// that pass the same color end up together, ordered by key and then by
// their rank in c. It is collective over c. A rank passing Undefined gets
// nil. The new communicator shares c's connections; messages in it never
// match those of c or of any other communicator.
func (c *Comm) Split(color, key int) (*Comm, error) {
	p := c.Size()
	mine := []int64{int64(color), int64(key), int64(c.e.reserveContext())}
	all := make([]int64, 3*p)
	if err := c.Allgather(mine, all); err != nil {
		return nil, renameOp(err, "Split")
	}
	// A context id no member uses yet: the largest of their next free ids.
	// Groups of different colors may share it: they have no member in
	// common, so their messages can never meet.
	var ctx int64
	for i := 0; i < p; i++ {
		ctx = max(ctx, all[3*i+2])
	}
	c.e.useContext(uint32(ctx))
	if color == Undefined {
		return nil, nil
	}
	var members []int
	for i := 0; i < p; i++ {
		if all[3*i] == int64(color) {
			members = append(members, i)
		}
	}
	sort.SliceStable(members, func(a, b int) bool {
		return all[3*members[a]+1] < all[3*members[b]+1]
	})
	return c.sub(uint32(ctx), members), nil
}

// Dup returns a new communicator with the same ranks as c and a context of
// its own, so a library can talk on it without meeting the caller's
// messages. It is collective over c.
func (c *Comm) Dup() (*Comm, error) { return c.Split(0, c.rank) }

// sub makes the communicator over members (ranks of c, in their new order).
func (c *Comm) sub(ctx uint32, members []int) *Comm {
	n := &Comm{e: c.e, ctx: ctx, world: make([]int, len(members)), local: make(map[int]int, len(members))}
	for i, m := range members {
		w := c.world[m]
		n.world[i] = w
		n.local[w] = i
		if w == c.e.rank {
			n.rank = i
		}
	}
	return n
}

func (e *engine) reserveContext() uint32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.nextCtx
}

func (e *engine) useContext(ctx uint32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if ctx+1 > e.nextCtx {
		e.nextCtx = ctx + 1
	}
}
