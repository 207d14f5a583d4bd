package comm

// Exported for the external tests of this package only.

// shmRouted is an in-process transport that says every peer is reached
// through shared memory, so communicators over it use the collectives of
// coll_shared.go (its ranks, goroutines of one process, can map one
// window).
type shmRouted struct{ *memTransport }

func (shmRouted) Route(int) string      { return "shm" }
func (shmRouted) SharesMemory(int) bool { return true }

// NewSharedMemWorld is NewMemWorld with shared-memory collectives.
func NewSharedMemWorld(n int, cfg Config) []*Comm {
	cs, _ := NewSharedMemWorldFaulty(n, cfg)
	return cs
}

// NewSharedMemWorldFaulty is NewSharedMemWorld with a handle for fault
// injection.
func NewSharedMemWorldFaulty(n int, cfg Config) ([]*Comm, *MemWorld) {
	cs, w := newMemWorld(n, cfg)
	for i, c := range cs {
		c.e.t = shmRouted{w.ranks[i]}
	}
	return cs, w
}

// UsesSharedCollectives reports whether c's collectives went through a
// shared window.
func UsesSharedCollectives(c *Comm) bool { return c.coll != nil }

// UseLongWindow makes the long Allreduces of every rank of cs (after a
// first Barrier) go through the shared window whatever the core count, as
// they do with more ranks than cores.
func UseLongWindow(cs []*Comm) {
	for _, c := range cs {
		if c.coll != nil {
			c.coll.noLong = false
		}
	}
}
