package farm

import (
	"errors"
	"fmt"
	"github.com/spmd-go/spmd/spmd/internal/procgroup"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// The root's side of the farm: it reads the task list, hands tasks to the
// ranks as their slots free up (its own included), in task order, retries
// failed tasks on other ranks, puts a lost rank's tasks back in the queue,
// logs every task once when it is final, prints outputs and progress, and
// sums up. Everything happens on one goroutine (the loop in runRoot);
// tasks run on goroutines of their own, messages arrive through one
// receiving goroutine.

// taskState is what the root knows of one task.
type taskState struct {
	final    bool
	attempts int   // runs handed out
	failures int   // failed attempts so far
	failedOn []int // ranks where it failed
}

// rankState is what the root knows of one rank.
type rankState struct {
	rank    int
	host    string
	slots   int
	ready   bool // said hello (the root is ready from the start)
	gone    bool // lost
	readyAt time.Time
	goneAt  time.Time
	running map[int]int // seq -> attempt
	batch   []job       // handed out in this round, to send
}

type inMsg struct {
	from int
	rep  report
	err  error
}

type localEnd struct {
	o    outcome
	slot int
}

type root struct {
	p     *Params
	world *comm.Comm
	tasks []task
	st    []taskState
	front []int // tasks of lost ranks, back in the queue, in task order
	retry []int // failed tasks waiting for another attempt
	queue []int // the rest, in task order, from qi on
	qi    int
	ranks []*rankState
	rr    int // the rank the next dispatch round starts at
	left  int // tasks not final

	log     *joblog
	skip    map[int]bool // tasks the joblog has: not to run
	logErr  error
	pr      *printer
	pg      *progress
	sum     Summary
	started time.Time

	local      *runner
	wd         *procgroup.Watchdog
	localStop  chan struct{}
	localDone  chan localEnd
	localSlots []bool // in use
	inbox      chan inMsg
	quit       chan struct{}
}

func runRoot(world *comm.Comm, p *Params) (*Summary, error) {
	f := &root{p: p, world: world, quit: make(chan struct{})}
	defer close(f.quit)
	set, err := f.prepare()
	if err != nil {
		code := 1
		var ue *UsageError
		if errors.As(err, &ue) {
			code = 2
		}
		f.tellWorkers(order{Abort: code})
		return nil, err
	}
	f.tellWorkers(order{Settings: &set})
	f.start(set)
	if f.left == 0 {
		return f.finish()
	}
	lossTick := time.NewTicker(100 * time.Millisecond)
	defer lossTick.Stop()
	every := time.Second
	if p.Live {
		every = liveEvery
	}
	progTick := time.NewTicker(every)
	defer progTick.Stop()
	f.dispatch()
	for f.left > 0 {
		select {
		case m := <-f.inbox:
			if m.err != nil {
				return f.broken(m.err)
			}
			f.onReport(m.from, m.rep)
		case e := <-f.localDone:
			f.localSlots[e.slot] = false
			f.onOutcome(e.o)
		case <-lossTick.C:
			f.checkLost()
		case now := <-progTick.C:
			f.pg.run = f.running()
			f.pg.tick(now)
		case sig := <-p.Signals:
			return f.interrupt(sig)
		}
		f.dispatch()
	}
	return f.finish()
}

// prepare checks the parameters and reads the task list, the results
// directory and the joblog: everything that can be wrong with the input
// is found here, before any task runs.
func (f *root) prepare() (settings, error) {
	p := f.p
	if err := p.check(); err != nil {
		return settings{}, err
	}
	tasks, err := buildTasks(p)
	if err != nil {
		return settings{}, &UsageError{err}
	}
	f.tasks = tasks
	if p.Results != "" {
		if err := checkDir(p.Results); err != nil {
			return settings{}, usagef("--results %s: %v", p.Results, err)
		}
	}
	f.skip = map[int]bool{}
	if p.JobLog != "" {
		if f.log, f.skip, err = openJoblog(p, tasks); err != nil {
			return settings{}, err
		}
	}
	return settings{Timeout: p.Timeout, KillGrace: p.KillGrace, Results: p.Results, Tasks: len(tasks)}, nil
}

// checkDir makes dir if needed and checks that files can be made in it.
func checkDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".spmd-farm-*")
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// tellWorkers sends o to every other rank; a rank already gone is the
// loss check's business.
func (f *root) tellWorkers(o order) {
	for r := 1; r < f.world.Size(); r++ {
		comm.SendValue(f.world, o, r, tagOrder)
	}
}

// start sets up the queue (less what --resume skips), the ranks, the
// printer, the progress and the message pump.
func (f *root) start(set settings) {
	p := f.p
	n := len(f.tasks)
	f.st = make([]taskState, n)
	f.sum.Tasks = n
	f.pr = &printer{stdout: p.Stdout, stderr: p.Stderr, keepOrder: p.KeepOrder, next: 1, held: map[int]*outcome{},
		tags: func(seq int) string { return f.tasks[seq-1].Tag }}
	f.pg = &progress{w: p.Stderr, live: p.Live, every: p.ProgressEvery, off: p.Quiet, last: time.Now()}
	f.pr.beforeOutput = f.pg.clear
	for i := range f.tasks {
		if f.skip[i+1] {
			f.st[i].final = true
			f.sum.Skipped++
			f.pr.final(i+1, nil)
			continue
		}
		f.queue = append(f.queue, i+1)
	}
	f.left = len(f.queue)
	f.pg.total = f.left

	f.ranks = make([]*rankState, f.world.Size())
	for r := range f.ranks {
		f.ranks[r] = &rankState{rank: r, running: map[int]int{}}
	}
	self := f.ranks[0]
	self.ready, self.host, self.slots, self.readyAt = true, p.Host, slotsOf(p), time.Now()
	f.wd = procgroup.StartWatchdog(p.Watchdog) // for the root's own tasks, should it die
	f.local = newRunner(0, p.Host, set, f.wd)
	f.localStop = make(chan struct{})
	f.localDone = make(chan localEnd)
	f.localSlots = make([]bool, self.slots)
	if f.world.Size() > 1 {
		f.inbox = make(chan inMsg)
		go f.pump()
	}
}

// pump receives the workers' reports for the loop.
func (f *root) pump() {
	for {
		rep, st, err := comm.RecvValue[report](f.world, comm.AnySource, tagReport)
		select {
		case f.inbox <- inMsg{from: st.Source, rep: rep, err: err}:
		case <-f.quit:
			return
		}
		if err != nil {
			return
		}
	}
}

func (f *root) onReport(from int, rep report) {
	rs := f.ranks[from]
	if h := rep.Hello; h != nil && !rs.gone {
		rs.ready, rs.host, rs.slots, rs.readyAt = true, h.Host, max(h.Slots, 1), time.Now()
	}
	for _, o := range rep.Outcomes {
		o.Rank = from
		f.onOutcome(o)
	}
}

// onOutcome takes the end of one attempt: a retry, or the task's final
// outcome, logged and printed once.
func (f *root) onOutcome(o outcome) {
	rs := f.ranks[o.Rank]
	if a, ok := rs.running[o.Seq]; ok && a == o.Attempt {
		delete(rs.running, o.Seq)
	}
	if o.Stopped {
		return // not a result: the task will run again (or the farm is stopping)
	}
	f.sum.TaskTime += o.Runtime
	f.sum.CPUTime += o.CPU
	ts := &f.st[o.Seq-1]
	if ts.final {
		f.sum.Duplicates++ // a lost rank's result came late, and another run counted
		return
	}
	if !o.ok() && ts.failures+1 < max(f.p.Retries, 1) {
		ts.failures++
		ts.failedOn = append(ts.failedOn, o.Rank)
		f.retry = append(f.retry, o.Seq)
		f.sum.Retried++
		f.pg.retry++
		return
	}
	ts.final = true
	f.left--
	t := &f.tasks[o.Seq-1]
	if err := f.log.write(t, &o); err != nil && f.logErr == nil {
		f.logErr = err
		f.pg.clear()
		fmt.Fprintf(f.p.Stderr, "farm: writing the joblog: %v (the farm goes on; --resume will run the unlogged tasks again)\n", err)
	}
	f.pr.final(o.Seq, &o)
	rec := TaskRecord{Seq: o.Seq, Command: t.Command.Line, Rank: o.Rank, Host: o.Host, Runtime: o.Runtime, Attempts: ts.failures + 1, Status: o.status()}
	f.sum.Slowest = keepSlowest(f.sum.Slowest, rec, 5)
	f.pg.done++
	if o.ok() {
		f.sum.Succeeded++
	} else {
		f.sum.Failed++
		f.pg.failed++
		f.sum.FailedTasks = append(f.sum.FailedTasks, rec)
	}
}

// dispatch hands out tasks to every free slot, one per rank in turn, so
// that the first tasks spread over the ranks.
func (f *root) dispatch() {
	if f.started.IsZero() {
		f.started = time.Now()
		f.pg.start = f.started
	}
	n := len(f.ranks)
	for handed := true; handed; {
		handed = false
		for k := range n {
			rs := f.ranks[(f.rr+k)%n]
			if !rs.ready || rs.gone || len(rs.running) >= rs.slots {
				continue
			}
			seq, ok := f.next(rs.rank)
			if !ok {
				continue
			}
			ts := &f.st[seq-1]
			ts.attempts++
			rs.running[seq] = ts.attempts
			rs.batch = append(rs.batch, job{Seq: seq, Attempt: ts.attempts, Command: f.tasks[seq-1].Command})
			handed = true
		}
		f.rr = (f.rr + 1) % n
	}
	for _, rs := range f.ranks {
		if len(rs.batch) > 0 {
			f.send(rs, rs.batch)
			rs.batch = nil
		}
	}
}

// next picks the next task for rank: first those a lost rank was running,
// then retries (not on a rank where the task failed while another rank
// could take it), then the queue, all in task order.
func (f *root) next(rank int) (int, bool) {
	for len(f.front) > 0 {
		seq := f.front[0]
		f.front = f.front[1:]
		if !f.st[seq-1].final {
			return seq, true
		}
	}
	for i := 0; i < len(f.retry); i++ {
		seq := f.retry[i]
		ts := &f.st[seq-1]
		if ts.final {
			f.retry = slices.Delete(f.retry, i, i+1)
			i--
			continue
		}
		if slices.Contains(ts.failedOn, rank) && f.otherRankFor(ts.failedOn) {
			continue
		}
		f.retry = slices.Delete(f.retry, i, i+1)
		return seq, true
	}
	for f.qi < len(f.queue) {
		seq := f.queue[f.qi]
		f.qi++
		if !f.st[seq-1].final {
			return seq, true
		}
	}
	return 0, false
}

// otherRankFor reports whether a rank not lost and not in failedOn could
// run a retry (when its slots free up, or once it has said hello: a worker
// still starting is one too).
func (f *root) otherRankFor(failedOn []int) bool {
	for _, rs := range f.ranks {
		if !rs.gone && !slices.Contains(failedOn, rs.rank) {
			return true
		}
	}
	return false
}

// send starts jobs on rank rs: the root's own on goroutines, the others'
// in one order message.
func (f *root) send(rs *rankState, jobs []job) {
	if rs.rank == 0 {
		for _, j := range jobs {
			slot := slices.Index(f.localSlots, false)
			f.localSlots[slot] = true
			go func() {
				o := f.local.run(j, slot+1, f.localStop)
				f.localDone <- localEnd{o, slot}
			}()
		}
		return
	}
	if err := comm.SendValue(f.world, order{Jobs: jobs}, rs.rank, tagOrder); err != nil {
		f.lose(rs)
	}
}

// running counts the tasks running now.
func (f *root) running() int {
	n := 0
	for _, rs := range f.ranks {
		n += len(rs.running)
	}
	return n
}

// checkLost looks for ranks comm can no longer reach.
func (f *root) checkLost() {
	for _, r := range f.world.Lost() {
		if rs := f.ranks[r]; !rs.gone {
			f.lose(rs)
		}
	}
}

// lose puts the tasks a lost rank was running back at the front of the
// queue, in task order, and says so.
func (f *root) lose(rs *rankState) {
	rs.gone, rs.goneAt = true, time.Now()
	var seqs []int
	for seq := range rs.running {
		if !f.st[seq-1].final {
			seqs = append(seqs, seq)
		}
	}
	rs.running = map[int]int{}
	slices.Sort(seqs)
	f.front = append(f.front, seqs...)
	slices.Sort(f.front)
	f.sum.Rerun += len(seqs)
	host := rs.host
	if host == "" {
		host = "its host"
	}
	l := LostRank{Rank: rs.rank, Host: host, At: rs.goneAt.Sub(f.started), Requeued: seqs}
	f.sum.Lost = append(f.sum.Lost, l)
	f.pg.clear()
	fmt.Fprintf(f.p.Stderr, "farm: lost rank %d on %s; %s\n", l.Rank, l.Host, requeued(seqs))
}

// finish ends a farm whose tasks are all final: the workers are told to
// stop (and any duplicate run still going is stopped), the log closed,
// the summary printed.
func (f *root) finish() (*Summary, error) {
	f.tellLive(order{Stop: true})
	f.stopLocal()
	return f.summarize(nil)
}

// interrupt stops the farm on a signal: running tasks are stopped and not
// logged, so --resume runs them again.
func (f *root) interrupt(sig os.Signal) (*Summary, error) {
	f.pg.clear()
	code, name := 1, sig.String()
	if s, ok := sig.(syscall.Signal); ok {
		code, name = 128+int(s), "SIG"+signalName(int(s))
	}
	fmt.Fprintf(f.p.Stderr, "farm: got %s; stopping %d running tasks (--resume with the joblog runs them again)\n", name, f.running())
	f.tellLive(order{Abort: code})
	f.stopLocal()
	f.sum.Stopped = f.left
	return f.summarize(&InterruptedError{Signal: sig})
}

// broken ends the farm when the world no longer works: a rank aborted,
// or one was lost and the world does not isolate losses.
func (f *root) broken(err error) (*Summary, error) {
	f.stopLocal()
	f.sum.Stopped = f.left
	f.summarize(nil)
	return &f.sum, fmt.Errorf("farm: %w", err)
}

// tellLive sends o to every worker not lost.
func (f *root) tellLive(o order) {
	for _, rs := range f.ranks[1:] {
		if !rs.gone {
			comm.SendValue(f.world, o, rs.rank, tagOrder)
		}
	}
}

// stopLocal stops the root's own running tasks and takes their ends: a
// task that finished anyway still counts.
func (f *root) stopLocal() {
	close(f.localStop)
	for len(f.ranks[0].running) > 0 {
		e := <-f.localDone
		f.localSlots[e.slot] = false
		f.onOutcome(e.o)
	}
}

// summarize closes the log and prints the summary; the error is err, or
// ErrTasksFailed when a task failed.
func (f *root) summarize(err error) (*Summary, error) {
	end := time.Now()
	f.log.close()
	f.wd.Stop()
	f.pg.clear()
	s := &f.sum
	if !f.started.IsZero() {
		s.Makespan = end.Sub(f.started)
	}
	for _, rs := range f.ranks {
		if !rs.ready {
			continue
		}
		s.Ranks++
		s.Slots += rs.slots
		until := end
		if rs.gone {
			until = rs.goneAt
		}
		if from := later(rs.readyAt, f.started); until.After(from) {
			s.SlotTime += time.Duration(rs.slots) * until.Sub(from)
		}
	}
	slices.SortFunc(s.FailedTasks, func(a, b TaskRecord) int { return a.Seq - b.Seq })
	if !f.p.Quiet || s.Failed > 0 || err != nil || len(s.Lost) > 0 {
		s.print(f.p.Stderr)
	}
	if err == nil && s.Failed > 0 {
		err = ErrTasksFailed
	}
	return s, err
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
