package comm

// AnySource and AnyTag match a message from any rank or with any tag in
// Recv and Irecv, as MPI_ANY_SOURCE and MPI_ANY_TAG do. AnyTag matches
// user tags only (tags >= 0), never the reserved tags of collectives.
const (
	AnySource = -1
	AnyTag    = -1
)

// Status describes a received message.
type Status struct {
	Source int // sender's rank in the communicator
	Tag    int
	Count  int // number of elements received
}
