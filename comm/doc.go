// Package comm is an MPI-style communicator for Go programs written in
// SPMD style: every rank runs the same program, and its rank and the size
// of the world decide its share of the work.
//
// # Lifecycle
//
// A program's duties, in order:
//
//  1. Get the world communicator. boot.Init (package comm/boot) does it
//     under spmd run, srun, mpirun or mpiexec, or for a lone process; by
//     hand, make a transport (comm/tcp.Dial with every rank's address and
//     the job's secret) and call New. In tests and examples, NewMemWorld
//     or RunMem give ranks that are goroutines of one process.
//  2. Take this rank's share: Rank() and Size() decide it.
//  3. Compute.
//  4. Combine: Reduce, Allreduce, Gather... to the root.
//  5. Close (or Abort on failure, so the other ranks do not wait forever).
//
// # Two tiers
//
// As in mpi4py, the name tells the cost. The fast tier — the methods Send,
// Recv, Bcast, Reduce, Allreduce, Gather, Gatherv, Scatter, Scatterv,
// Allgather, Alltoall — works on slices of numbers ([]float64, []float32,
// []int64, []int32, []int, []uint64, []uint32, []byte), fills a buffer the
// caller provides, and moves the slice's memory as it is (little-endian),
// with no per-element encoding. The value tier — the functions SendValue,
// RecvValue, BcastValue, GatherValue, ScatterValue, AllgatherValue,
// ReduceValue, AllreduceValue — takes any value encoding/gob can encode
// and returns what it received: convenient for parameters and small
// results, slow for bulk data.
//
// # Semantics
//
// Every call blocks until its part is done: Send until buf may be reused
// (the receiver buffers a message that arrives before its receive is
// posted, so Send never waits for the matching Recv), Recv until the
// message is in buf, a collective until this rank's role in it is over.
// Isend and Irecv return a Request at once. Messages from one sender with
// one tag in one communicator are received in the order they were sent
// (non-overtaking). Tags are >= 0; AnySource and AnyTag match any sender
// or user tag. Collectives use reserved negative tags, so they can never
// match a user's receive, and every rank of a communicator must call the
// same collectives in the same order, one at a time (for collectives from
// several goroutines at once, give each its own communicator with Dup). Split and Dup make communicators
// whose messages never meet their parent's.
//
// Reductions combine values in an order fixed by ranks, never by message
// arrival, so the same inputs give bit-identical results on every run and
// on every rank (Allreduce). Short messages use tree algorithms of
// log2(p) steps; long ones bandwidth-optimal rings.
//
// # Errors and failure
//
// Misuse — a rank or root out of range, a negative tag, buffers of the
// wrong length or type — panics with a message starting "comm:". What the
// world does wrong is returned as an error: a *RankError naming the peer's
// world rank and the operation, wrapping ErrPeerLost, ErrTimeout,
// ErrTruncate, ErrType, ErrPeerClosed or an *AbortError.
//
// A job must never hang because one rank died. When a transport loses a
// peer (its process died, its link broke, it went silent past the
// transport's liveness limit), every pending and later call on every
// communicator of this process fails naming that rank, and this rank tells
// the others, so the whole job stops promptly rather than part of it
// waiting forever. A peer that calls Close fails only the receives
// waiting for it. Abort(code) makes every rank's calls fail with an
// *AbortError carrying code; ExitCode(err) gives the code a process should
// exit with. Config.Timeout optionally bounds every wait as well.
//
// That is the default policy, LossBreaksWorld. A program whose ranks do
// not depend on each other — a root handing out independent tasks, as
// spmd farm does — can instead set Config.Loss to LossIsolated: losing
// peer p then fails only the calls that involve p (receives from p, sends
// to p), receives from AnySource keep waiting for the ranks that remain,
// no notice goes to the other ranks, and the program learns who is gone
// from Config.OnPeerLost or Comm.Lost. Collectives with a lost member are
// not safe under it; an Abort still ends the whole job.
//
// # Shared memory
//
// Ranks on one machine can skip messages altogether: AllocShared (MPI-3's
// MPI_Win_allocate_shared) gives every rank of a communicator a view of
// one memory, each rank contributing a segment, and a Barrier orders the
// writes before the reads. A result each rank computes into its segment is
// gathered without a copy. When the ranks cannot share memory (other
// machines, other users, not Linux) AllocShared says so on every rank with
// ErrNotShared, and the program sends messages instead. In a job across
// machines, SplitShared (MPI_Comm_split_type) gives each machine's ranks a
// communicator of their own, on which they can share memory.
//
// # Transports
//
// The core knows nothing of sockets: a Transport carries frames between
// ranks (see the Transport interface for an implementation's duties). The
// in-process transport serves tests and examples; package comm/tcp is the
// network one; package comm/shm layers shared memory over it for ranks of
// one machine (boot.Init's default), and Route says which way each peer
// is reached. A transport that can deliver on the goroutine of a waiting
// caller implements Progresser, the one hook the core's waits call.
// Package comm/commtest is the conformance suite every transport must
// pass.
//
// Between ranks that all share memory, Barrier and Allreduce of up to 16
// KiB meet in a shared window instead of exchanging messages, from a
// communicator's first Barrier on (it finds out whether they all do); the
// results are the same bit for bit.
package comm
