package launch

import (
	"bufio"
	"github.com/spmd-go/spmd/spmd/internal/procgroup"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
)

// RunRemote is the hidden `spmd _remote` command, the remote end of one
// rank: the launcher runs `ssh HOST spmd _remote` and speaks the protocol
// in proto.go on its stdin. RunRemote starts the program the spec line
// names, with the spec's environment added to its own, in its own process
// group, writing straight to stdout and stderr. Then it
//
//   - feeds stdin frames to the program (rank 0), acking what it read, and
//     closes the program's stdin on the EOF frame; other ranks read
//     /dev/null;
//   - delivers signal frames, and its own SIGINT, SIGTERM and SIGHUP, to
//     the program's process group;
//   - kills the process group with SIGKILL when its own stdin ends or turns
//     to garbage: the launcher is gone, and a rank must not outlive it;
//   - when the program exits, kills what is left of its group, reports how
//     it ended on stderr and returns the code to exit with: the program's,
//     128+n for a death by signal n, 127 if it could not start.
func RunRemote(in io.Reader, stdout, stderr *os.File) int {
	// Notify (not Ignore, which exec would pass on to the program) so that
	// a write to a dead launcher's stderr cannot kill us before we kill
	// the program.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGPIPE, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	io.WriteString(stderr, formatReport(report{kind: "ready"}))
	startFailed := func(err error) int {
		io.WriteString(stderr, formatReport(report{kind: "start-error", msg: err.Error()}))
		return 127
	}
	br := bufio.NewReaderSize(in, 64<<10)
	spec, err := readSpec(br)
	if err != nil {
		return startFailed(err)
	}
	cmd := exec.Command(spec.Argv[0], spec.Argv[1:]...)
	if cmd.Err != nil {
		return startFailed(cmd.Err)
	}
	cmd.Env = append(os.Environ(), spec.Env...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.SysProcAttr = procgroup.Attr()
	if fi, err := os.Stat(spec.Dir); spec.Dir != "" && err == nil && fi.IsDir() {
		cmd.Dir = spec.Dir
	}
	var q *byteQueue
	if spec.Stdin {
		pr, pw, err := os.Pipe()
		if err != nil {
			return startFailed(err)
		}
		cmd.Stdin = pr
		defer pr.Close()
		q = newByteQueue()
		go q.drainTo(pw, func(n int64) {
			io.WriteString(stderr, formatReport(report{kind: "stdin-ack", acked: n}))
		})
	}
	start := cmd.Start
	if b, local, size := boundSlot(spec.Env); b == BindCore || b == BindAuto {
		var cpus []int
		var err error
		if b == BindCore || !autoUnbound(cmd.Env) {
			if cpus, err = allowedCPUs(); err == nil {
				cpus, err = cpusFor(b, cpus, local, size)
			}
		}
		if err != nil {
			return startFailed(err)
		}
		if cpus == nil {
			cmd.Env = append(cmd.Env, bindVar+"="+string(BindNone)) // the last one counts
		} else {
			start = func() error { return startBound(cmd, cpus) }
		}
	}
	if err := start(); err != nil {
		if q != nil {
			q.close()
		}
		return startFailed(err)
	}
	g := newPgroup(cmd, nil)

	go func() {
		var buf []byte
		for {
			typ, payload, err := readFrame(br, buf)
			if err != nil {
				g.signal(syscall.SIGKILL)
				return
			}
			switch typ {
			case frameData:
				if q != nil {
					q.push(append([]byte(nil), payload...))
				}
			case frameEOF:
				if q != nil {
					q.close()
				}
			case frameSignal:
				g.signal(syscall.Signal(payload[0]))
			}
			buf = payload[:0]
		}
	}()
	go func() {
		for s := range sigs {
			if s != syscall.SIGPIPE {
				g.signal(s.(syscall.Signal))
			}
		}
	}()

	st := statusOf(g.wait())
	io.WriteString(stderr, formatReport(report{kind: "exit", code: st.code, signal: int(st.signal)}))
	return st.exitCode()
}

// byteQueue holds stdin data for the program, so that a program that does
// not read its stdin never stops _remote from reading frames (and with
// them signals and the launcher's EOF). The launcher's stdin window bounds
// it.
type byteQueue struct {
	mu     sync.Mutex
	cond   sync.Cond
	bufs   [][]byte
	closed bool
}

func newByteQueue() *byteQueue {
	q := &byteQueue{}
	q.cond.L = &q.mu
	return q
}

func (q *byteQueue) push(b []byte) {
	q.mu.Lock()
	if !q.closed {
		q.bufs = append(q.bufs, b)
	}
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *byteQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Signal()
}

// drainTo writes the queue to w until it is closed and empty, then closes
// w. It calls ack with the total written every stdinWindow/4 bytes. If the
// program stops reading (closes its stdin or exits), the rest is dropped.
func (q *byteQueue) drainTo(w *os.File, ack func(total int64)) {
	defer w.Close()
	var total, acked int64
	for {
		q.mu.Lock()
		for len(q.bufs) == 0 && !q.closed {
			q.cond.Wait()
		}
		if len(q.bufs) == 0 {
			q.mu.Unlock()
			return
		}
		b := q.bufs[0]
		q.bufs[0] = nil
		q.bufs = q.bufs[1:]
		q.mu.Unlock()
		if _, err := w.Write(b); err != nil {
			q.mu.Lock()
			q.bufs, q.closed = nil, true
			q.mu.Unlock()
			return
		}
		if total += int64(len(b)); total-acked >= stdinWindow/4 {
			ack(total)
			acked = total
		}
	}
}
