package par

import (
	"fmt"
	"runtime"
)

// An Option adjusts one call of Map, MapRange, MapReduce or ForEach. The
// options are values (Dynamic, ToAll, KeepGoing) or functions that make
// one (Threads(4), Chunk(100), Progress(m)).
type Option interface{ apply(*config) }

// Schedule says which rank and goroutine computes which item.
type Schedule int

const (
	// Static gives each rank one contiguous block of the items, as
	// kernels.Share cuts them (the remainder to the low ranks), and the
	// rank's goroutines share its block. No message is sent until the
	// results are gathered. Best when items cost about the same.
	Static Schedule = iota
	// Cyclic deals the items to the ranks like cards: with Chunk(k), the
	// k items starting at j*k go to rank j mod size. Spreads items whose
	// cost grows or shrinks along the input over every rank, still
	// without messages.
	Cyclic
	// Dynamic hands the items out as work is done: every goroutine of
	// every rank asks the root for its next chunk when it is about to
	// finish the current one, so a rank that drew cheap items simply
	// takes more. Chunks start large and shrink as the work runs out
	// (guided self-scheduling), with a floor set from the measured cost of
	// an item so cheap items are never handed out one by one. Best when
	// costs vary, or are unknown.
	Dynamic
)

func (s Schedule) apply(c *config) { c.schedule = s }

// String returns "static", "cyclic" or "dynamic".
func (s Schedule) String() string {
	switch s {
	case Static:
		return "static"
	case Cyclic:
		return "cyclic"
	case Dynamic:
		return "dynamic"
	}
	return fmt.Sprintf("Schedule(%d)", int(s))
}

// ParseSchedule returns the Schedule named "static", "cyclic" or "dynamic".
func ParseSchedule(name string) (Schedule, error) {
	for _, s := range []Schedule{Static, Cyclic, Dynamic} {
		if s.String() == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("par: unknown schedule %q (want static, cyclic or dynamic)", name)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// Threads sets how many goroutines of this rank compute items; n < 1 means
// the default, runtime.GOMAXPROCS(0) (which the spmd job runtime sets to
// the rank's --threads). Ranks may differ.
func Threads(n int) Option { return optionFunc(func(c *config) { c.threads = n }) }

// Chunk sets how many items travel together: the block of Cyclic, and a
// fixed chunk size for Dynamic instead of the guided one. It panics if
// k < 1.
func Chunk(k int) Option {
	if k < 1 {
		panic(fmt.Sprintf("par: Chunk(%d): must be at least 1", k))
	}
	return optionFunc(func(c *config) { c.chunk = k })
}

// Root sets the rank that hands out Dynamic chunks and receives the
// results (default 0). It panics later, in the call, if root is not a
// rank of the communicator.
func Root(root int) Option { return optionFunc(func(c *config) { c.root = root }) }

// A Meter counts finished items for a progress display. Work is called
// once with this rank's share of the items (the whole count at the root
// under Dynamic, where shares are not known in advance, and 0 elsewhere),
// Advance as items finish, from any goroutine. The spmd job runtime's
// *job.Run is a Meter: its root shows the sum over ranks.
type Meter interface {
	Work(total int64)
	Advance(n int64)
}

// Progress makes the call report finished items to m. If m also has a
// method Communicate(fn func() error) error, as *job.Run does, the call
// runs its own messages (its set-up, and gathering the results) through
// it, so a job's report counts them as communication.
func Progress(m Meter) Option { return optionFunc(func(c *config) { c.meter = m }) }

// timer is what Progress looks for to time the call's messages.
type timer interface {
	Communicate(fn func() error) error
}

type flagOption int

const (
	toAll flagOption = iota
	keepGoing
)

func (f flagOption) apply(c *config) {
	switch f {
	case toAll:
		c.toAll = true
	case keepGoing:
		c.keepGoing = true
	}
}

var (
	// ToAll returns the results on every rank instead of at the root only.
	ToAll Option = toAll
	// KeepGoing runs every item even when some fail: the call returns
	// the results of the items that succeeded (the zero value for the
	// others) and an *Errors listing every failed item. Without it, the
	// first failure stops the work on every rank and the call returns
	// that item's *ItemError.
	KeepGoing Option = keepGoing
)

// config is the outcome of a call's options.
type config struct {
	schedule  Schedule
	threads   int
	chunk     int
	root      int
	toAll     bool
	keepGoing bool
	meter     Meter
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.threads < 1 {
		c.threads = runtime.GOMAXPROCS(0)
	}
	if c.schedule < Static || c.schedule > Dynamic {
		panic(fmt.Sprintf("par: unknown schedule %d", int(c.schedule)))
	}
	return c
}
