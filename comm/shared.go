package comm

import (
	"errors"
	"fmt"
	"os"
	"unsafe"
)

// ErrNotShared is returned by AllocShared when the ranks of a communicator
// cannot map one memory: they run on different machines, as different
// users, or the operating system has no way to share (only Linux has).
// The caller falls back to messages.
var ErrNotShared = errors.New("comm: ranks cannot share memory")

// Element is a type of the fast tier that can live in shared memory.
type Element interface {
	float64 | float32 | int64 | int32 | int | uint64 | uint32 | byte
}

// Shared is memory that every rank of a communicator maps at once: MPI-3's
// MPI_Win_allocate_shared. Each rank contributes a segment; the segments
// lie back to back in rank order, so All is one slice of every rank's
// elements, and a rank writing its own segment writes straight into what
// the others read, with nothing sent.
//
// Shared memory has no messages to order it: a rank must not read what
// another writes until a synchronising call of the communicator (Barrier,
// or any message the writer sends after writing) tells it the writing is
// done, as MPI asks for MPI_Win_sync and a barrier.
type Shared[T Element] struct {
	all  []T
	offs []int // rank r's segment is all[offs[r]:offs[r+1]]
	rank int
	mem  []byte // the whole mapping: a header page, then the data
}

// sharedHeader is the first page of a shared mapping: the random value the
// root writes there proves to every other rank that it mapped the root's
// memory and not, through a recycled pid or another machine's /proc, some
// other process's file. The page also keeps the data page-aligned.
const sharedHeader = 4096

// sharedAttach is attachShared, replaceable by tests to make one rank fail.
var sharedAttach = attachShared

// sharedOffer is what the root broadcasts so the others can map its memory.
type sharedOffer struct {
	Pid, Fd int
	Size    int64
	Nonce   [32]byte
	Err     string // the root could not create the memory
}

// AllocShared allocates n elements for this rank in a window shared by all
// ranks of c, and maps every rank's segment. It is collective: every rank
// calls it, each with its own n (0 is allowed), and every rank gets the
// same outcome. When the ranks cannot share memory it returns an error
// wrapping ErrNotShared, and nothing stays allocated. Setting
// SPMD_SHARED=off in the environment refuses every window, the way to
// compare with the message path. Free releases the window.
//
// The memory starts zeroed. Its pages are the operating system's, not Go's
// heap: they are not moved or collected, and slices of them must not be
// used after Free.
func AllocShared[T Element](c *Comm, n int) (*Shared[T], error) {
	if n < 0 {
		panic(fmt.Sprintf("comm: AllocShared: negative length %d", n))
	}
	var zero T
	elem := int64(unsafe.Sizeof(zero))
	counts := make([]int64, c.Size())
	if err := c.Allgather([]int64{int64(n)}, counts); err != nil {
		return nil, err
	}
	offs := make([]int, c.Size()+1)
	var total int64
	for r, k := range counts {
		total += k
		if total > (1<<62)/elem {
			return nil, fmt.Errorf("comm: AllocShared: %d elements in all are too many to map", total)
		}
		offs[r+1] = int(total)
	}
	size := sharedHeader + total*elem

	var offer sharedOffer
	var mem []byte
	var own error // why this rank could not take part
	if os.Getenv("SPMD_SHARED") == "off" {
		own = errors.New("disabled by SPMD_SHARED=off")
	}
	if c.Rank() == 0 && own == nil {
		var fd int
		if mem, fd, own = createShared(size, &offer); own == nil {
			defer closeShared(fd) // after every rank has opened it (below)
		}
	}
	if c.Rank() == 0 && own != nil {
		offer.Err = own.Error()
	}
	offer, err := BcastValue(c, offer, 0)
	if err != nil {
		unmapShared(mem)
		return nil, err
	}
	if c.Rank() != 0 && own == nil && offer.Err == "" {
		mem, own = sharedAttach(offer)
	}
	// The first rank that failed decides for everyone, so no rank goes on
	// with a window the others gave up.
	me := int64(c.Size())
	if own != nil {
		me = int64(c.Rank())
	}
	first := make([]int64, 1)
	if err := c.Allreduce([]int64{me}, first, Min); err != nil {
		unmapShared(mem)
		return nil, err
	}
	if first[0] < int64(c.Size()) {
		unmapShared(mem)
		if own != nil && first[0] == int64(c.Rank()) {
			return nil, fmt.Errorf("%w: rank %d: %v", ErrNotShared, c.Rank(), own)
		}
		if first[0] == 0 {
			return nil, fmt.Errorf("%w: rank 0: %s", ErrNotShared, offer.Err)
		}
		return nil, fmt.Errorf("%w: rank %d could not map the window", ErrNotShared, first[0])
	}
	var all []T
	if total > 0 {
		all = unsafe.Slice((*T)(unsafe.Pointer(&mem[sharedHeader])), total)
	}
	return &Shared[T]{all: all, offs: offs, rank: c.Rank(), mem: mem}, nil
}

// All returns every rank's segment, in rank order, as one slice.
func (s *Shared[T]) All() []T { return s.all }

// Local returns this rank's segment.
func (s *Shared[T]) Local() []T { return s.Segment(s.rank) }

// Segment returns rank r's segment.
func (s *Shared[T]) Segment(r int) []T {
	if r < 0 || r >= len(s.offs)-1 {
		panic(fmt.Sprintf("comm: Shared.Segment: rank %d out of range [0, %d)", r, len(s.offs)-1))
	}
	return s.all[s.offs[r]:s.offs[r+1]:s.offs[r+1]]
}

// Free unmaps the window on this rank. The memory goes back to the system
// when the last rank has freed it (or exited). Calling Free again does
// nothing.
func (s *Shared[T]) Free() error {
	if s.mem == nil {
		return nil
	}
	mem := s.mem
	s.mem, s.all = nil, nil
	return unmapShared(mem)
}
