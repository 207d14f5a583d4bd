package farm

import (
	"bytes"
	"fmt"
	"github.com/spmd-go/spmd/spmd/internal/procgroup"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// settings are how the root wants tasks run; it sends them to every
// worker, so that a worker's own flags do not matter.
type settings struct {
	Timeout   time.Duration
	KillGrace time.Duration
	Results   string // directory for DIR/SEQ.out and DIR/SEQ.err; "" to send outputs to the root
	Tasks     int    // the number of tasks, for SPMD_FARM_TASKS
}

// maxOutput bounds what one task's stdout (and, apart, its stderr) may
// send to the root; the rest is counted and dropped, with a note.
const maxOutput = 64 << 20

// drainTimeout bounds the wait for a finished task's output pipes: a
// process that left the task's process group (setsid) may hold them open.
const drainTimeout = 2 * time.Second

// A runner starts the tasks of one rank.
type runner struct {
	rank int
	host string
	set  settings
	env  []string // the tasks' environment, before their own variables
	wd   *procgroup.Watchdog
	sh   string // path of /bin/sh

	mu    sync.Mutex
	paths map[string]string // program -> path, "" when not found
}

func newRunner(rank int, host string, set settings, wd *procgroup.Watchdog) *runner {
	return &runner{rank: rank, host: host, set: set, env: taskEnviron(os.Environ()), wd: wd, sh: "/bin/sh", paths: map[string]string{}}
}

// devNull is every task's stdin, opened once for the process: exec would
// open /dev/null for each task (a tenth of the farm's own time per task
// in a profile of 3,000 trivial tasks). nil, if it cannot be opened, makes
// exec open it.
var devNull = sync.OnceValue(func() *os.File {
	f, err := os.Open(os.DevNull)
	if err != nil {
		return nil
	}
	return f
})

// rankVars are variables that tell a process its place in a parallel
// job. The tasks must not inherit them: a task that is itself an spmd or
// MPI program would take itself for a rank of the farm.
var rankVars = map[string]bool{
	"SPMD_RANK": true, "SPMD_SIZE": true, "SPMD_LOCAL_RANK": true, "SPMD_LOCAL_SIZE": true,
	"SPMD_HOST": true, "SPMD_RENDEZVOUS": true, "SPMD_SECRET": true, "SPMD_SECRET_FILE": true,
	"SPMD_JOB": true, "SPMD_STDERR_TTY": true,
	"OMPI_COMM_WORLD_RANK": true, "OMPI_COMM_WORLD_SIZE": true, "OMPI_COMM_WORLD_LOCAL_RANK": true,
	"OMPI_COMM_WORLD_LOCAL_SIZE": true, "PMI_RANK": true, "PMI_SIZE": true, "PMI_FD": true,
	"PMIX_RANK": true, "MPI_LOCALRANKID": true, "MPI_LOCALNRANKS": true, "SLURM_PROCID": true,
}

// taskEnviron is environ without rankVars.
func taskEnviron(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !rankVars[name] {
			out = append(out, kv)
		}
	}
	return out
}

// A job is one task handed to a rank: its command and which attempt.
type job struct {
	Seq, Attempt int
	Command      command
}

// run runs one attempt of a task in slot (1-based) and reports how it
// ended. Closing stop stops it (SIGTERM to its process group, SIGKILL
// after the grace); its outcome is then marked Stopped.
func (r *runner) run(j job, slot int, stop <-chan struct{}) outcome {
	o := outcome{Seq: j.Seq, Attempt: j.Attempt, Rank: r.rank, Host: r.host, Exit: -1}
	path, argv := r.resolve(j.Command)
	out, err := r.outputs(j.Seq)
	if err != nil {
		o.Start, o.Err = time.Now(), err.Error()
		return o
	}
	cmd := &exec.Cmd{
		Path:        path,
		Args:        argv,
		Env:         r.taskEnv(j, slot),
		Stdout:      out.childOut,
		Stderr:      out.childErr,
		SysProcAttr: procgroup.Attr(),
	}
	if dn := devNull(); dn != nil {
		cmd.Stdin = dn
	}
	o.Start = time.Now()
	err = cmd.Start()
	out.closeChildEnds()
	if err != nil {
		out.abandon()
		o.Err = err.Error()
		return o
	}
	g := &group{pid: cmd.Process.Pid, wd: r.wd}
	r.wd.Started(g.pid)
	out.startReading()

	var timedOut, stopped bool
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		var timeout <-chan time.Time
		if r.set.Timeout > 0 {
			t := time.NewTimer(r.set.Timeout)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-done:
			return
		case <-timeout:
			timedOut = true
		case <-stop:
			stopped = true
		}
		g.signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(r.set.KillGrace):
			g.signal(syscall.SIGKILL)
		}
	}()
	procgroup.WaitLeader(cmd, g.exited) // kills what is left of the group
	close(done)
	<-watched
	o.Runtime = time.Since(o.Start)
	o.TimedOut, o.Stopped = timedOut, stopped
	if ps := cmd.ProcessState; ps != nil {
		o.CPU = ps.UserTime() + ps.SystemTime()
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			o.Signal = int(ws.Signal())
		} else {
			o.Exit = ps.ExitCode()
		}
	}
	out.finish(&o)
	return o
}

// resolve decides how to start c: its Argv directly when the program is
// found in PATH and sh would not treat it differently, else sh -c Line
// (which also gives the usual "not found" and exit code 127).
func (r *runner) resolve(c command) (string, []string) {
	if len(c.Argv) > 0 && !shellWords[c.Argv[0]] && !echoEscapes(c.Argv) {
		if path := r.lookPath(c.Argv[0]); path != "" {
			return path, c.Argv
		}
	}
	return r.sh, []string{"sh", "-c", c.Line}
}

// echoEscapes reports an echo whose arguments have a backslash: sh's
// builtin echo interprets escapes, /bin/echo does not.
func echoEscapes(argv []string) bool {
	if argv[0] != "echo" {
		return false
	}
	for _, a := range argv[1:] {
		if strings.Contains(a, `\`) {
			return true
		}
	}
	return false
}

// lookPath finds a program as sh would, once per name.
func (r *runner) lookPath(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := r.paths[name]; ok {
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		p = ""
	} else if !filepath.IsAbs(p) && !strings.Contains(name, "/") {
		p = "" // found through a relative PATH entry: leave it to sh
	}
	r.paths[name] = p
	return p
}

// taskEnv is a task's environment: the rank's, without rankVars, plus
// the task's own variables.
func (r *runner) taskEnv(j job, slot int) []string {
	env := make([]string, len(r.env), len(r.env)+6)
	copy(env, r.env)
	return append(env,
		"SPMD_FARM_TASK="+strconv.Itoa(j.Seq),
		"SPMD_FARM_TASKS="+strconv.Itoa(r.set.Tasks),
		"SPMD_FARM_ATTEMPT="+strconv.Itoa(j.Attempt),
		"SPMD_FARM_RANK="+strconv.Itoa(r.rank),
		"SPMD_FARM_HOST="+r.host,
		"SPMD_FARM_SLOT="+strconv.Itoa(slot),
	)
}

// A group is a task's process group, led by the task's process.
type group struct {
	pid  int
	wd   *procgroup.Watchdog
	mu   sync.Mutex
	gone bool // the leader has been reaped: the id may be reused
}

// signal sends sig to the whole group, unless it is gone.
func (g *group) signal(sig syscall.Signal) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.gone {
		syscall.Kill(-g.pid, sig)
	}
}

// exited runs while the leader is a zombie, which keeps the group id from
// being reused: it kills what is left of the group (no task leaves
// orphans) and marks it gone.
func (g *group) exited() {
	g.mu.Lock()
	defer g.mu.Unlock()
	syscall.Kill(-g.pid, syscall.SIGKILL)
	g.gone = true
	g.wd.Cleaned(g.pid)
}

// outputs are where one task's stdout and stderr go: files under
// --results, or pipes read into memory for the root.
type outputs struct {
	childOut, childErr *os.File // the task's ends
	files              []*os.File
	pipes              [2]*os.File // our read ends
	bufs               [2]capped
	wg                 sync.WaitGroup
}

func (r *runner) outputs(seq int) (*outputs, error) {
	o := &outputs{}
	if dir := r.set.Results; dir != "" {
		for i, ext := range []string{".out", ".err"} {
			f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(seq)+ext), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
			if err != nil {
				for _, f := range o.files {
					f.Close()
				}
				return nil, fmt.Errorf("--results: %v", err)
			}
			o.files = append(o.files, f)
			if i == 0 {
				o.childOut = f
			} else {
				o.childErr = f
			}
		}
		return o, nil
	}
	for i := range o.pipes {
		rd, wr, err := os.Pipe()
		if err != nil {
			o.abandon()
			o.closeChildEnds()
			return nil, err
		}
		o.pipes[i] = rd
		if i == 0 {
			o.childOut = wr
		} else {
			o.childErr = wr
		}
	}
	return o, nil
}

// closeChildEnds closes our copies of the pipes' write ends (the files
// stay open: their size is the output's).
func (o *outputs) closeChildEnds() {
	if o.files == nil {
		for _, f := range []*os.File{o.childOut, o.childErr} {
			if f != nil {
				f.Close()
			}
		}
	}
}

func (o *outputs) startReading() {
	for i, p := range o.pipes {
		if p == nil {
			continue
		}
		o.wg.Add(1)
		go func() {
			defer o.wg.Done()
			io.Copy(&o.bufs[i], p)
		}()
	}
}

// abandon closes everything after a failed start.
func (o *outputs) abandon() {
	for _, f := range o.files {
		f.Close()
	}
	for _, p := range o.pipes {
		if p != nil {
			p.Close()
		}
	}
}

// finish collects the output into o once the task has ended.
func (o *outputs) finish(out *outcome) {
	if o.files != nil {
		for _, f := range o.files {
			if st, err := f.Stat(); err == nil {
				out.Output += st.Size()
			}
			f.Close()
		}
		return
	}
	done := make(chan struct{})
	go func() { o.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drainTimeout):
		for _, p := range o.pipes {
			p.Close() // ends the copies
		}
		<-done
	}
	for _, p := range o.pipes {
		p.Close()
	}
	out.Stdout, out.Stderr = o.bufs[0].bytes(), o.bufs[1].bytes()
	out.Output = o.bufs[0].n + o.bufs[1].n
	for i, name := range []string{"stdout", "stderr"} {
		if dropped := o.bufs[i].n - int64(o.bufs[i].b.Len()); dropped > 0 {
			out.Stderr = append(out.Stderr, fmt.Sprintf("\nspmd farm: task %d wrote %d more bytes to %s than the %d MiB sent to the root; --results DIR keeps everything\n", out.Seq, dropped, name, maxOutput>>20)...)
		}
	}
}

// capped keeps the first maxOutput bytes written to it and counts all.
type capped struct {
	b bytes.Buffer
	n int64
}

func (c *capped) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if room := maxOutput - c.b.Len(); room > 0 {
		c.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *capped) bytes() []byte {
	if c.b.Len() == 0 {
		return nil
	}
	return c.b.Bytes()
}
