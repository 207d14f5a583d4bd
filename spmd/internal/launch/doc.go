// Package launch starts and supervises the ranks of one SPMD job: the part
// of spmd that plays mpirun's role (`spmd run`).
//
// # Overview
//
// Run takes a Config whose Hosts slice says where each rank runs
// (Hosts[r] is rank r's host; parsing hostfiles and mapping ranks to slots
// is package boot's job) and:
//
//  1. starts the rendezvous server the ranks meet at (Config.StartRendezvous);
//  2. starts every rank: ranks on this machine by fork/exec, each in its own
//     process group; ranks on other hosts through `ssh HOST spmd _remote`
//     (see RunRemote);
//  3. forwards each rank's stdout and stderr line by line, and the
//     launcher's stdin to rank 0 only;
//  4. waits. When a rank fails it reports that rank once and stops the
//     others; when the launcher is signalled it forwards the signal; a
//     second signal, or Config.KillAfter after the first, escalates to
//     SIGKILL.
//
// # Rank environment
//
// Every rank gets, through its environment and never its command line:
//
//	SPMD_RANK        0..size-1, in Hosts order
//	SPMD_SIZE        len(Hosts)
//	SPMD_LOCAL_RANK  the rank's index among the ranks on its host
//	SPMD_LOCAL_SIZE  the number of ranks on its host
//	SPMD_HOST        the address the rank should listen on (its host as
//	                 written, 127.0.0.1 for this machine in a local job)
//	SPMD_RENDEZVOUS  host:port of the rendezvous server
//	SPMD_SECRET      hex of 32 random bytes, new for every job
//	SPMD_JOB         a random job id
//	SPMD_STDERR_TTY  1 when the launcher's standard error is a terminal
//	                 (the root then shows progress)
//	SPMD_NOTICES     1: the launcher reads the ranks' notices (blame.go)
//
// # Exit status
//
// Run returns 0 when every rank exits 0. Otherwise it returns the code of
// the rank the failure came from (128+n for a death by signal n): the
// first rank that failed, unless it only followed another's failure, as
// its notice on stderr says (see blame.go); 128+n when the launcher itself
// got signal n first, and 124 when Config.Timeout expired. Each of these
// is reported on Config.Stderr in one line starting "spmd run: ".
//
// With Config.RootDecides (spmd farm, whose root outlives its workers) the
// failure of a rank other than 0 is reported and the job goes on; rank 0's
// exit code is the job's, and ranks still running Config.KillAfter after
// rank 0 ended are stopped.
//
// # Remote ranks
//
// A remote rank is `ssh [options] HOST SPMD _remote`. The launcher writes
// the rank's argv and environment as one JSON line on ssh's stdin, then
// frames (see proto.go): stdin data, stdin EOF and signals. A real EOF on
// _remote's stdin means the launcher is gone, so _remote kills its rank:
// killing the launcher, even with SIGKILL, leaves no remote orphan.
// _remote reports on its stderr, in lines starting with the byte 0x1e that
// the launcher strips, that it is running, whether the program started and
// how it ended; this is how "ssh could not connect" (exit 255, no report)
// is told apart from "the rank exited with 255".
//
// # Orphans
//
// A rank's process group does not outlive the rank: when the rank exits,
// whatever is left in its group is killed. If the launcher itself dies
// (even by SIGKILL), local ranks get SIGKILL from the kernel
// (PR_SET_PDEATHSIG), their process groups get it from the job's watchdog
// process (Config.Watchdog, see watchdog.go), and remote ranks from
// _remote when its stdin ends. A watchdog that dies is replaced at once
// by one that already knows every running group, so killing the watchdog
// first does not open the way to orphans.
//
// # Output
//
// Output lines longer than MaxLine bytes are split with a newline at the
// limit, and a last line without a newline gets one, so that lines from
// different ranks never mix.
package launch
