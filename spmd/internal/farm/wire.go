package farm

// The farm's messages, sent with comm's value tier (encoding/gob) on the
// world communicator:
//
//	worker -> root, tagReport: a report: first a hello (slots, host), then
//	  outcomes as tasks end
//	root -> worker, tagOrder: an order: first the settings, then jobs to
//	  start; finally stop (no more work: exit 0) or abort (stop the running
//	  tasks and exit with Abort)
//
// A worker has at most as many jobs as slots: the root sends one only for
// a free slot, so a worker never queues work another could be doing.
const (
	tagReport = 1
	tagOrder  = 2
)

type report struct {
	Hello    *hello
	Outcomes []outcome
}

type hello struct {
	Slots int
	Host  string
}

type order struct {
	Settings *settings
	Jobs     []job
	Stop     bool
	Abort    int // nonzero: the exit code (2 bad input, 128+n a signal)
}
