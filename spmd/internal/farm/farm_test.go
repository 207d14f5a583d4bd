package farm

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// farmTimeout bounds every in-process farm; each takes well under a second
// on an idle machine.
const farmTimeout = 2 * time.Minute

// syncBuf is a buffer the root writes while the test may read.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// farmResult is what one in-process farm did.
type farmResult struct {
	sum            *Summary
	err            error   // the root's
	workerErrs     []error // the others'
	stdout, stderr string
}

// runFarm runs p on the ranks of cs (rank i's Host is "h<i>"), the root's
// output captured, and fails the test if it does not end within
// farmTimeout. during, if set, runs while the farm does.
func runFarm(t *testing.T, cs []*comm.Comm, p Params, during func()) farmResult {
	t.Helper()
	var out, errb syncBuf
	res := farmResult{workerErrs: make([]error, len(cs))}
	var wg sync.WaitGroup
	for i, c := range cs {
		if c == nil {
			continue
		}
		q := p
		q.Host = fmt.Sprintf("h%d", i)
		if i == 0 {
			q.Stdout, q.Stderr = &out, &errb
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum, err := Run(c, q)
			if i == 0 {
				res.sum, res.err = sum, err
			} else {
				res.workerErrs[i] = err
			}
		}()
	}
	if during != nil {
		during()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(farmTimeout):
		t.Fatalf("the farm did not end within %v; stderr so far:\n%s", farmTimeout, errb.String())
	}
	res.stdout, res.stderr = out.String(), errb.String()
	return res
}

func memWorld(t *testing.T, n int) []*comm.Comm {
	cs := comm.NewMemWorld(n, comm.Config{Loss: comm.LossIsolated})
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	return cs
}

// joblogSeqs reads a joblog's Seq column and exit values.
func joblogSeqs(t *testing.T, path string) map[int][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if lines[0] != joblogHeader {
		t.Fatalf("joblog header %q", lines[0])
	}
	got := map[int][]string{}
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		var seq int
		fmt.Sscan(f[0], &seq)
		got[seq] = append(got[seq], f[6])
	}
	return got
}

func TestFarmLines(t *testing.T) {
	dir := t.TempDir()
	in := writeFile(t, "in", "a\nb c\nd\ne\nf\n")
	log := filepath.Join(dir, "log")
	res := runFarm(t, memWorld(t, 3), Params{Input: in, Template: []string{"echo {#}:{}:$SPMD_FARM_TASK"}, Slots: 2, JobLog: log, Tag: "t{#}"}, nil)
	if res.err != nil {
		t.Fatalf("%v\n%s", res.err, res.stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	sort.Strings(lines)
	want := []string{"t1\t1:a:1", "t2\t2:b c:2", "t3\t3:d:3", "t4\t4:e:4", "t5\t5:f:5"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("output %q, want %q", lines, want)
	}
	seqs := joblogSeqs(t, log)
	for s := 1; s <= 5; s++ {
		if len(seqs[s]) != 1 || seqs[s][0] != "0" {
			t.Errorf("joblog has task %d as %v", s, seqs[s])
		}
	}
	if res.sum.Succeeded != 5 || res.sum.Ranks != 3 || res.sum.Slots != 6 {
		t.Errorf("summary %+v", res.sum)
	}
	t.Log(res.stderr)
}

// TestFarmRetries: a task that fails on its first attempt runs again on
// another rank and succeeds; one that always fails gets its attempts and
// is named in the summary; the joblog has each task once, with its final
// exit value.
func TestFarmRetries(t *testing.T) {
	dir := t.TempDir()
	attempts := filepath.Join(dir, "attempts")
	log := filepath.Join(dir, "log")
	// Tasks 1-4 fail on their first attempt, task 5 always.
	cmd := `echo "{#} $SPMD_FARM_ATTEMPT $SPMD_FARM_RANK" >>` + attempts + `; if [ {#} = 5 ]; then exit 3; fi; test $SPMD_FARM_ATTEMPT -ge 2`
	res := runFarm(t, memWorld(t, 3), Params{Grid: []string{"i=1:5"}, Template: []string{cmd}, Slots: 1, Retries: 3, JobLog: log}, nil)
	if !errors.Is(res.err, ErrTasksFailed) {
		t.Fatalf("got %v, want ErrTasksFailed\n%s", res.err, res.stderr)
	}
	b, _ := os.ReadFile(attempts)
	ranks := map[string][]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(l)
		ranks[f[0]] = append(ranks[f[0]], f[2])
	}
	for _, seq := range []string{"1", "2", "3", "4"} {
		if r := ranks[seq]; len(r) != 2 || r[0] == r[1] {
			t.Errorf("task %s ran on ranks %v: want 2 attempts on different ranks", seq, r)
		}
	}
	if r := ranks["5"]; len(r) != 3 || r[0] == r[1] || r[1] == r[2] || r[0] == r[2] {
		t.Errorf("task 5 ran on ranks %v: want 3 attempts on 3 ranks", r)
	}
	seqs := joblogSeqs(t, log)
	for s := 1; s <= 5; s++ {
		want := "0"
		if s == 5 {
			want = "3"
		}
		if len(seqs[s]) != 1 || seqs[s][0] != want {
			t.Errorf("joblog: task %d logged as %v, want once with exit %s", s, seqs[s], want)
		}
	}
	if res.sum.Succeeded != 4 || res.sum.Failed != 1 || res.sum.Retried != 6 || len(res.sum.FailedTasks) != 1 || res.sum.FailedTasks[0].Status != "exit 3" || res.sum.FailedTasks[0].Attempts != 3 {
		t.Errorf("summary %+v", res.sum)
	}
	if !strings.Contains(res.stderr, "farm: failed: task 5, exit 3 after 3 attempts") {
		t.Errorf("the summary does not name the failed task:\n%s", res.stderr)
	}
}

// TestFarmKeepOrder: with --keep-order and no tag, the root's stdout is
// byte for byte what running the tasks one after another prints, although
// later tasks finish first.
func TestFarmKeepOrder(t *testing.T) {
	in := writeFile(t, "in", "")
	var lines []string
	for i := 1; i <= 12; i++ {
		lines = append(lines, fmt.Sprintf("%d", i))
	}
	os.WriteFile(in, []byte(strings.Join(lines, "\n")), 0o644)
	// Early tasks sleep longest; odd tasks end without a newline.
	cmd := `sleep 0.0$((13 - {})); echo "line one of {}"; printf 'two of %s' {}; [ $(({} % 2)) = 0 ] && echo; echo "err {}" >&2`
	res := runFarm(t, memWorld(t, 2), Params{Input: in, Template: []string{cmd}, Slots: 3, KeepOrder: true}, nil)
	if res.err != nil {
		t.Fatal(res.err)
	}
	var serial bytes.Buffer
	for i := 1; i <= 12; i++ {
		c := exec.Command("sh", "-c", strings.ReplaceAll(cmd, "{}", fmt.Sprint(i)))
		c.Stdout = &serial
		if err := c.Run(); err != nil {
			t.Fatal(err)
		}
	}
	if res.stdout != serial.String() {
		t.Errorf("--keep-order output:\n%q\nserial loop:\n%q", res.stdout, serial.String())
	}
}

// TestFarmTimeout: a task past --timeout is stopped, logged with Exitval
// -1 and the signal, and named as timed out.
func TestFarmTimeout(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	res := runFarm(t, memWorld(t, 2), Params{Grid: []string{"s=0,60"}, Template: []string{"sleep {s}"}, Timeout: 300 * time.Millisecond, JobLog: log}, nil)
	if !errors.Is(res.err, ErrTasksFailed) || res.sum.Failed != 1 || !strings.HasPrefix(res.sum.FailedTasks[0].Status, "timed out after") {
		t.Fatalf("%v %+v\n%s", res.err, res.sum, res.stderr)
	}
	b, _ := os.ReadFile(log)
	if !strings.Contains(string(b), "\t0\t0\t-1\t15\tsleep 60\n") {
		t.Errorf("joblog:\n%s", b)
	}
}

// TestFarmBadInput: bad input stops the farm at the root before any task
// runs, and every worker is told to exit with code 2.
func TestFarmBadInput(t *testing.T) {
	dir := t.TempDir()
	ran := filepath.Join(dir, "ran")
	res := runFarm(t, memWorld(t, 3), Params{Grid: []string{"a=1,2"}, Template: []string{"touch " + ran + "; echo {b}"}}, nil)
	var ue *UsageError
	if !errors.As(res.err, &ue) || !strings.Contains(res.err.Error(), "placeholder {b} names no column") {
		t.Errorf("root: %v", res.err)
	}
	for r := 1; r < 3; r++ {
		var se *StoppedError
		if !errors.As(res.workerErrs[r], &se) || se.Code != 2 {
			t.Errorf("rank %d: %v, want stopped with code 2", r, res.workerErrs[r])
		}
	}
	if _, err := os.Stat(ran); err == nil {
		t.Error("a task ran")
	}
}

// TestFarmSurvivesLoss kills rank 1 of an in-process world while it runs
// tasks: its tasks go back into the queue, the other ranks finish the
// farm, every task is logged exactly once with exit 0, and the summary
// names the lost rank.
func TestFarmSurvivesLoss(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	marks := filepath.Join(dir, "marks")
	os.Mkdir(marks, 0o755)
	cs, w := comm.NewMemWorldFaulty(3, comm.Config{Loss: comm.LossIsolated})
	t.Cleanup(func() {
		for _, c := range cs {
			c.Close()
		}
	})
	const n = 40
	cmd := "touch " + marks + "/$SPMD_FARM_RANK-{#}; sleep 0.05"
	res := runFarm(t, cs, Params{Grid: []string{fmt.Sprintf("i=1:%d", n)}, Template: []string{cmd}, Slots: 2, JobLog: log}, func() {
		// Once rank 1 has started a task, it dies.
		deadline := time.Now().Add(farmTimeout)
		for {
			if m, _ := filepath.Glob(marks + "/1-*"); len(m) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Error("rank 1 never started a task")
				return
			}
			time.Sleep(time.Millisecond)
		}
		w.Kill(1, errors.New("killed by the test"))
	})
	if res.err != nil {
		t.Fatalf("%v\n%s", res.err, res.stderr)
	}
	seqs := joblogSeqs(t, log)
	for s := 1; s <= n; s++ {
		if len(seqs[s]) != 1 || seqs[s][0] != "0" {
			t.Errorf("joblog: task %d logged %v, want once with exit 0", s, seqs[s])
		}
	}
	if len(res.sum.Lost) != 1 || res.sum.Lost[0].Rank != 1 || res.sum.Succeeded != n {
		t.Errorf("summary %+v", res.sum)
	}
	if res.sum.Rerun != len(res.sum.Lost[0].Requeued) || res.sum.Rerun == 0 {
		t.Errorf("re-run %d, requeued %v: the lost rank's running tasks should run again", res.sum.Rerun, res.sum.Lost[0].Requeued)
	}
	if !strings.Contains(res.stderr, "farm: lost rank 1 on h1") {
		t.Errorf("stderr does not report the loss:\n%s", res.stderr)
	}
	if !errors.Is(res.workerErrs[1], comm.ErrPeerLost) {
		t.Errorf("the lost rank ended with %v, want a lost root", res.workerErrs[1])
	}
}

// TestFarmResume: a joblog cut short (a crash, with a torn last line) is
// resumed: only the missing tasks run, and the log ends with every task
// once. --resume-failed runs only the failed ones again.
func TestFarmResume(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	runs := filepath.Join(dir, "runs")
	p := Params{Grid: []string{"i=1:10"}, Template: []string{"echo {i} >>" + runs + "; [ {i} != 7 ]"}, JobLog: log, Slots: 2}
	res := runFarm(t, memWorld(t, 2), p, nil)
	if !errors.Is(res.err, ErrTasksFailed) {
		t.Fatal(res.err)
	}
	// Keep the header and 4 lines, and half a line: as if killed there.
	b, _ := os.ReadFile(log)
	lines := strings.SplitAfter(string(b), "\n")
	kept := strings.Join(lines[:5], "") + lines[5][:7]
	os.WriteFile(log, []byte(kept), 0o644)
	done := map[int]bool{}
	for _, l := range lines[1:5] {
		var seq int
		fmt.Sscan(l, &seq)
		done[seq] = true
	}
	os.Remove(runs)
	p.Resume = true
	res = runFarm(t, memWorld(t, 2), p, nil)
	b, _ = os.ReadFile(runs)
	ran := strings.Fields(string(b))
	if len(ran) != 6 {
		t.Errorf("--resume ran %v; want the 6 tasks not in the log (the log had %v)", ran, done)
	}
	for _, r := range ran {
		var seq int
		fmt.Sscan(r, &seq)
		if done[seq] {
			t.Errorf("--resume ran task %d again", seq)
		}
	}
	seqs := joblogSeqs(t, log)
	for s := 1; s <= 10; s++ {
		if len(seqs[s]) != 1 {
			t.Errorf("after --resume, task %d is in the log %d times", s, len(seqs[s]))
		}
	}
	if res.sum.Skipped != 4 {
		t.Errorf("summary %+v", res.sum)
	}

	os.Remove(runs)
	p.Resume, p.ResumeFailed = false, true
	p.Template = []string{"echo {i} >>" + runs + "; [ {i} != 7 ]"}
	res = runFarm(t, memWorld(t, 2), p, nil)
	if b, _ := os.ReadFile(runs); strings.TrimSpace(string(b)) != "7" || !errors.Is(res.err, ErrTasksFailed) {
		t.Errorf("--resume-failed ran %q (%v), want only task 7 again", b, res.err)
	}
	if seqs := joblogSeqs(t, log); len(seqs[7]) != 1 || len(seqs) != 10 {
		t.Errorf("after --resume-failed the log has %v", seqs)
	}

	p.Template = []string{"echo other {i}"}
	res = runFarm(t, memWorld(t, 2), p, nil)
	var ue *UsageError
	if !errors.As(res.err, &ue) || !strings.Contains(res.err.Error(), "the joblog is from another task list") {
		t.Errorf("a joblog of another task list: %v", res.err)
	}
}

// TestFarmProgress: with stderr not a terminal, plain progress lines with
// the rate and the time left come every period; on a terminal one line is
// rewritten in place and erased before the summary.
func TestFarmProgress(t *testing.T) {
	p := Params{Grid: []string{"i=1:8"}, Template: []string{"sleep 0.4"}, Slots: 1, ProgressEvery: time.Millisecond}
	res := runFarm(t, memWorld(t, 1), p, nil)
	var lines []string
	for _, l := range strings.Split(res.stderr, "\n") {
		if strings.HasPrefix(l, "farm: ") && strings.Contains(l, "/8 done") {
			lines = append(lines, l)
		}
	}
	if res.err != nil || len(lines) < 2 {
		t.Fatalf("want at least 2 progress lines in 3 s of farm, got %d (%v):\n%s", len(lines), res.err, res.stderr)
	}
	last := -1
	for _, l := range lines {
		var done int
		fmt.Sscanf(l, "farm: %d/8 done", &done)
		if done < last || !strings.Contains(l, "running") {
			t.Errorf("progress line %q after %d done", l, last)
		}
		last = done
		if done > 0 && !strings.Contains(l, "tasks/s, ETA") {
			t.Errorf("progress line %q has no rate and ETA", l)
		}
	}

	p.Live = true
	res = runFarm(t, memWorld(t, 1), p, nil)
	if !strings.Contains(res.stderr, "\rfarm: ") || !strings.Contains(res.stderr, "\r\033[K") || strings.Contains(res.stderr, "done\n") {
		t.Errorf("live progress: %q", res.stderr)
	}
	if i := strings.LastIndex(res.stderr, "\r\033[K"); !strings.HasPrefix(res.stderr[i+4:], "farm: 8 tasks: 8 succeeded") {
		t.Errorf("the live line is not erased before the summary: %q", res.stderr)
	}
}

// TestFarmResults: with --results each task's output is in DIR/N.out and
// DIR/N.err, and nothing is printed.
func TestFarmResults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "new")
	res := runFarm(t, memWorld(t, 2), Params{Grid: []string{"i=1:4"}, Template: []string{"echo out {i}; echo err {i} >&2"}, Results: dir, Tag: "{#}"}, nil)
	if res.err != nil || res.stdout != "" {
		t.Fatalf("%v, stdout %q", res.err, res.stdout)
	}
	for i := 1; i <= 4; i++ {
		out, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%d.out", i)))
		errb, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%d.err", i)))
		if string(out) != fmt.Sprintf("out %d\n", i) || string(errb) != fmt.Sprintf("err %d\n", i) {
			t.Errorf("task %d: %q %q", i, out, errb)
		}
	}
}
