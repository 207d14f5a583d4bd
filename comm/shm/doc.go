// Package shm is the shared-memory transport of package comm: ranks of one
// machine exchange frames through memory they all map, while ranks of other
// machines keep the base transport (comm/tcp) underneath. One world mixes
// both, pair by pair; boot.Init builds it by default (SPMD_SHM=off keeps
// every pair on TCP).
//
//	base, err := tcp.Connect(ctx, l, rank, peers, tcpConfig)  // every pair, as always
//	t, err := shm.New(base, shm.Config{})                      // t implements comm.Transport
//	world, err := comm.New(t, comm.Config{})
//	t.Settle(ctx)                                              // optional: wait until every pair has decided
//
// # Why a layer over TCP
//
// The base link of every pair stays up, and does three jobs shared memory
// cannot: it authenticates (the secret never has to meet shared memory),
// it carries the negotiation, and it keeps the failure semantics of comm
// unchanged. A peer that dies closes its sockets, so the kernel tells the
// survivors at once; a stopped peer stops its heartbeats and is lost after
// DeadAfter; Close and Abort send their goodbye and abort frames as
// before. Shared memory alone knows none of this: a dead process holds no
// lock here (there are none) but also says nothing.
//
// # Segments and rings
//
// Every rank owns one segment, an anonymous memory file (memfd) holding a
// ring for every other rank: the ring from rank s to rank r lies in r's
// segment. A ring has one producer and one consumer (the sender writes a
// record and publishes it by storing its first word last; the receiver
// polls that word, so a short message costs one cache line from sender to
// receiver, and frees what it read by storing its head), so no lock exists
// that a dead rank could hold. A message is one record with its header and as much of the
// payload as fits (up to 64 KiB), then records with the rest: a long
// message streams through the ring while the receiver copies it out, into
// the posted receive buffer when there is one, so it is copied twice,
// each copy at memory speed and in parallel on two cores. That beats
// reading the sender's buffer across processes (process_vm_readv, which
// comm/tcp's single copy uses) for long messages here: it pins every page,
// and moved 16 MiB at 5 GB/s where a pipelined copy through a ring moved
// 11–14. docs/PROTOCOL.md ("Shared memory") gives the layout.
//
// # Negotiation
//
// Over the base link, each rank offers its segment to every peer (its
// machine, pid, the descriptor numbers of its segment and doorbell, and a
// random nonce in the segment's header). A peer on the same machine maps
// its own ring in that segment through /proc/PID/fd (the kernel allows it
// only to the same user, as it would reading the process's memory),
// checks the nonce, so it knows it mapped this rank's memory and not some
// other process's file behind a recycled pid, takes a copy of the doorbell
// (pidfd_getfd) and answers yes or no with why. A pair that said yes both
// ways switches at its next Send: a switch marker goes over the base link
// last, and the receiver reads the ring only after it, so no frame
// overtakes one sent before. Route and Why tell how each pair ended up.
//
// # Waiting
//
// A message between two processes through shared memory takes a fraction
// of a microsecond; waking a sleeping goroutine takes several, and waking
// a sleeping thread of another process tens. So a caller that waits for a
// message polls the rings itself (Progress, the comm.Progresser hook the
// core calls before blocking, as MPI's progress engine does), and only
// after a spin gives up does it block, while this rank's drainer goroutine,
// asleep on an eventfd doorbell in Go's poller, delivers what arrives.
// Senders ring the doorbell only when the drainer sleeps and this rank
// neither polls nor has just polled: a poll's hold on the state word lasts
// until a poller blocks or 1 ms passes without one, so a ping-pong does not
// write the word the senders read at every message.
//
// The spin starts at the cost of a block and a wake-up, measured once per
// process (spinning that long is never worse than twice the best choice in
// hindsight), and adapts: a wait that ends soon after its spin gave up
// lengthens it, one that lasts long shortens it again (spin.go says why).
// A poll gives up its core at once if the awaited peer last polled on
// this very core, and between rounds after 2 µs when the job has more
// ranks on the machine than CPUs, so that the peer can run; it keeps its
// core beside other programs, whose slices would take it for milliseconds. A stopped or dead peer
// therefore costs its waiters no core: they sleep until the base link
// declares it lost.
//
// # Failure
//
// When the base transport reports a peer lost, the frames the peer put in
// its ring before it went are delivered first (they were sent before
// whatever ended the link), a message it had not finished fails, Sends
// waiting for room in its ring fail, and the core hears of the loss. A
// ring that breaks the format is a protocol error and loses its peer; no
// byte in shared memory can make this package panic or read outside the
// ring.
//
// Barrier and short Allreduces between ranks that all share memory use a
// shared window of package comm instead of messages (comm's
// coll_shared.go).
package shm
