// Package procgroup keeps the processes spmd starts from outliving it:
// spmd run's ranks and spmd farm's tasks. Each child leads a process group
// of its own (Attr), so a signal reaches everything it started; the
// leader is reaped only after its group has been dealt with (WaitLeader),
// so no group id is ever reused under our feet; and a Watchdog, a process
// of its own (`spmd _watchdog`, RunWatchdog), kills every group still
// running if its parent dies without saying goodbye — even by SIGKILL,
// even after the watchdog itself was killed and replaced.
package procgroup
