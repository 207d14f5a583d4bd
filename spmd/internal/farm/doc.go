// Package farm runs an existing program over many inputs across the ranks
// of an spmd job: the engine of `spmd farm`, in the role GNU parallel,
// disBatch and Slurm job arrays play.
//
// # Overview
//
// Rank 0, the root, reads the task list and hands tasks out as slots free
// up, in task order; every rank, the root too, runs up to Params.Slots
// tasks at a time, each a real process in a process group of its own. The
// root writes one joblog line per finished task (GNU parallel's format),
// prints the tasks' outputs or leaves them in files, shows progress, and
// ends with a summary. Build a Params and call Run on every rank:
//
//	world, _, _ := boot.Init(ctx, boot.Options{Loss: comm.LossIsolated})
//	sum, err := farm.Run(world, farm.Params{
//		Input:    "files.txt",
//		Template: []string{"gzip -9 {}"},
//		JobLog:   "gzip.joblog",
//	})
//
// # Tasks
//
// A task list is either a task file, one shell command per line (blank
// lines and # comments skipped, as in disBatch), or a command template
// filled once per input row. Rows come from lines of a file (Input), the
// rows of a CSV or TSV file whose header names the columns (CSV, TSV), a
// parameter grid (Grid: "beta=0.1:0.5:0.05 gamma=1,2,3", the value lists
// of spmd sweep, every combination, the first axis varying slowest), or a
// file's rows crossed with a grid. The placeholders are GNU parallel's:
// {} (the whole row), {N}, {name}, {#} (the task's number), with the path
// modifiers {.} {/} {//} {/.}; see template. A placeholder that names no
// column is an error before anything runs.
//
// # Quoting, and when a shell runs
//
// A template given as one string is a shell command line: each value is
// quoted for the place it stands in (outside quotes, inside "...", inside
// '...'), so the program receives exactly the text of the input, spaces,
// quotes, $ and all: never write quotes around a placeholder to protect
// it, and never count on a value being split into words. A template given
// as several strings is a program and its arguments: each value goes into
// its word as it is, and no shell sees it.
//
// A shell costs a fork and an exec per task, so a command runs under
// /bin/sh -c only when it needs one: when its line has shell syntax (a
// pipe, redirection, variable, glob, ;, &&, a keyword, an assignment, a
// builtin such as cd), or its program is not found in PATH (sh then says
// so, exit 127). A simple command (words, quotes, backslashes) is started
// directly, with the same words sh would have made. Params.Shell forces
// the shell for every task.
//
// # Each task
//
// A task runs in its rank's working directory with standard input from
// /dev/null, in a process group of its own, with the rank's environment
// less the variables that place a process in a parallel job (SPMD_RANK,
// SPMD_SECRET, OMPI_COMM_WORLD_RANK, PMI_RANK, SLURM_PROCID, ...: a task
// that is itself an spmd or MPI program must not think it is a rank of
// the farm), plus
//
//	SPMD_FARM_TASK     its number, from 1 ({#}, the joblog's Seq)
//	SPMD_FARM_TASKS    the number of tasks
//	SPMD_FARM_ATTEMPT  1, then 2... when it runs again (--retries, a lost rank)
//	SPMD_FARM_RANK     the rank running it
//	SPMD_FARM_HOST     that rank's host
//	SPMD_FARM_SLOT     the slot, from 1 to the rank's slots
//
// Params.Timeout stops a task that runs too long: SIGTERM to its whole
// process group, SIGKILL after Params.KillGrace. When a task's first
// process exits, whatever is left of its group is killed, so a task
// leaves no orphans (a process that leaves the group with setsid is out
// of reach). If its rank dies, the kernel kills the task's first process,
// and the rank's watchdog (Params.Watchdog) the rest of its group.
//
// Exit code, signal, start time, run time, CPU time, rank and host are
// recorded for every attempt. A failed task (non-zero exit, a signal, a
// timeout, or a start that failed) runs again up to Params.Retries
// attempts in all, on another rank when there is one; only its last
// attempt is logged and printed.
//
// # Output
//
// Without Params.Results the root prints each task's output when the task
// is final: stdout to its stdout and stderr to its stderr, one task's
// lines together, never mixed with another's. With a Params.Tag every
// line starts with the tag (a template: "{#}" gives the task number) and
// a tab. With Params.KeepOrder the outputs come in task order; untagged
// they are then byte for byte what running the tasks one after another
// would print. Up to 64 MiB of each stream per task travels to the root;
// Params.Results DIR instead leaves task N's output in DIR/N.out and
// DIR/N.err, written by the rank that ran it (a directory every host
// sees, for a farm across machines).
//
// # Joblog and resume
//
// The joblog (see joblogHeader) gets one line per task, written in one
// write when the task is final, so it is complete up to the moment the
// root stops, whatever stops it. With Params.Resume the tasks it lists are
// not run again; with Params.ResumeFailed only the succeeded ones are
// skipped, and the failed ones run again (their old lines are removed, so
// every task is in the log once). A joblog written for another task list
// (a task's command differs, or the log has tasks the list has not) is
// refused before anything runs.
//
// # Surviving loss
//
// With a world made under comm.LossIsolated, the loss of a rank other than
// the root (its process killed, its host gone, its link cut) takes only
// its running tasks: they go back to the front of the queue and the other
// ranks finish the farm; the summary says which rank was lost and which
// tasks ran again. A worker that loses the root stops its tasks and ends
// with an error; the joblog then lets Params.Resume pick up where the
// farm stopped. So every task runs at least once, and it may run more
// than once (its rank was lost after it finished, before the root heard);
// every task is logged exactly once. A signal (Params.Signals) stops the
// farm the same way: running tasks are stopped and not logged.
//
// # Progress and summary
//
// The root shows done, failed, running and retried tasks with the rate
// and the time left: one line rewritten in place when Params.Live (a
// terminal), otherwise a plain line every Params.ProgressEvery. The
// summary gives the makespan, the tasks' total run time and CPU time, the
// efficiency (total run time over the slots' time), the slowest tasks,
// the lost ranks and the failed tasks with their exit codes.
package farm
