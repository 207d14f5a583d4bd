package comm

// Collectives are built from point-to-point messages on reserved negative
// tags, one per collective (as Open MPI's coll_tags.h), so they can never
// match a user's receive: user tags must be >= 0 and AnyTag matches only
// tags >= 0.
const (
	tagBarrier int32 = -(iota + 1)
	tagBcast
	tagReduce
	tagAllreduce
	tagGather
	tagGatherv
	tagScatter
	tagScatterv
	tagAllgather
	tagAlltoall
	tagSplit
	tagValue
	// tagFailure is the tag of the notice a rank sends on controlContext
	// when it loses a peer, so the whole job fails fast.
	tagFailure
)

// controlContext carries the engine's own notices, never user messages.
const controlContext = ^uint32(0)

// MaxTag is the largest user tag.
const MaxTag = 1<<31 - 1
