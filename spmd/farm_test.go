package main

// spmd farm through real processes: `spmd run -np N farm ...` with real
// tasks, ranks killed with SIGKILL, whole jobs killed and resumed, bad
// input. Every run carries a marker in its environment (-x), and each test
// checks that no process of the farm (rank, task, or task's child) is
// left afterwards.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spmd-go/spmd/internal/clustertest"
)

// farmTimeout bounds each farm; each takes a few seconds at most on an idle
// machine.
const farmTimeout = 3 * time.Minute

// farmCmd is `spmd run -np np --oversubscribe -x MARKER farm args...`.
func farmCmd(t *testing.T, spmd string, np int, marker string, args ...string) *exec.Cmd {
	t.Helper()
	argv := append([]string{"run", "-np", strconv.Itoa(np), "--oversubscribe", "-x", marker, "farm"}, args...)
	return exec.Command(spmd, argv...)
}

// runFarm runs a farm to the end and checks that it left no process behind.
func runFarm(t *testing.T, np int, args ...string) clustertest.Result {
	t.Helper()
	spmd := clustertest.BuildSpmd(t)
	marker := launchMarker(t)
	r := clustertest.RunCmd(t, farmTimeout, farmCmd(t, spmd, np, marker, args...))
	launchNoneLeft(t, marker, 5*time.Second)
	return r
}

// joblogOf reads a joblog: each task's exit values, in the order of its
// lines (a task logged twice has two).
func joblogOf(t *testing.T, path string) map[int][]int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if lines[0] != "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand" {
		t.Fatalf("joblog %s: header %q", path, lines[0])
	}
	got := map[int][]int{}
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		if len(f) != 9 {
			t.Fatalf("joblog line %q has %d fields", l, len(f))
		}
		seq, _ := strconv.Atoi(f[0])
		exit, _ := strconv.Atoi(f[6])
		got[seq] = append(got[seq], exit)
	}
	return got
}

// checkLoggedOnce fails unless the joblog has tasks 1..n exactly once each,
// with exit value 0.
func checkLoggedOnce(t *testing.T, path string, n int) {
	t.Helper()
	got := joblogOf(t, path)
	bad := 0
	for s := 1; s <= n; s++ {
		if e := got[s]; len(e) != 1 || e[0] != 0 {
			if bad++; bad <= 5 {
				t.Errorf("joblog: task %d logged with exit values %v, want once with 0", s, e)
			}
		}
	}
	if len(got) != n {
		t.Errorf("joblog has %d tasks, want %d", len(got), n)
	}
}

func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFarmInputs: placeholders from input lines, from CSV columns by name
// and number, and from a grid, each on 2 ranks, in task order.
func TestFarmInputs(t *testing.T) {
	dir := t.TempDir()
	lines := writeTestFile(t, dir, "lines", "a.txt\nb c.tar.gz\n$HOME 'q'\n")
	csv := writeTestFile(t, dir, "d.csv", "path,seed\ndata/x.csv,1\n\"y, z.csv\",2\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"lines", []string{"--input", lines, "--keep-order", `printf '%s|%s|%s\n' {#} {} {.}`},
			"1|a.txt|a\n2|b c.tar.gz|b c.tar\n3|$HOME 'q'|$HOME 'q'\n"},
		{"csv", []string{"--csv", csv, "--keep-order", "--", "printf", "%s %s %s\\n", "{path/}", "{seed}", "{2}"},
			"x.csv 1 1\ny, z.csv 2 2\n"},
		{"grid", []string{"--keep-order", "--grid", "a=1:2", "b=0.5,1e6", "--", "echo", "{a}", "{b}"},
			"1 0.5\n1 1000000\n2 0.5\n2 1000000\n"},
		{"tagged", []string{"--input", lines, "--tag", "<{#}>", "echo {}"},
			"<1>\ta.txt\n<2>\tb c.tar.gz\n<3>\t$HOME 'q'\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runFarm(t, 2, append([]string{"--quiet"}, tc.args...)...)
			got := r.Stdout
			if tc.name == "tagged" { // in the order tasks finished
				l := strings.SplitAfter(got, "\n")
				sort.Strings(l)
				got = strings.Join(l, "")
			}
			if r.Code != 0 || got != tc.want {
				t.Errorf("got %q, want %q\n%v", got, tc.want, r)
			}
		})
	}
}

// TestFarmKeepOrderMatchesSerial: 39 tasks of uneven length, several lines
// each (some without a final newline, some on stderr), on 3 ranks with
// --keep-order: stdout is byte for byte that of a serial loop. (The last
// task ends its output with a newline: spmd run ends a rank's unfinished
// last line with one.)
func TestFarmKeepOrderMatchesSerial(t *testing.T) {
	cmd := `sleep 0.0$(( ({} * 7) % 10 )); seq {} $(({} + 2)); printf 'no newline {}'; [ $(({} % 3)) = 0 ] && echo; echo err {} >&2`
	r := runFarm(t, 3, "--keep-order", "--slots", "2", "--quiet", "--grid", "i=1:39", "--", "sh", "-c", strings.ReplaceAll(cmd, "{}", "{i}"))
	var serial bytes.Buffer
	for i := 1; i <= 39; i++ {
		c := exec.Command("sh", "-c", strings.ReplaceAll(cmd, "{}", strconv.Itoa(i)))
		c.Stdout = &serial
		c.Run()
	}
	if r.Code != 0 || r.Stdout != serial.String() {
		t.Errorf("--keep-order output differs from the serial loop's\n got: %q\nwant: %q\n%s", r.Stdout, serial.String(), r.Stderr)
	}
}

// TestFarmFailures: failing tasks, retried on another rank, and a per-task
// timeout that kills the task's whole process group (its children too:
// the marker check finds any left). The farm exits 1 and names the failed
// tasks with their codes.
func TestFarmFailures(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	// Task 1 fails once, task 2 always (exit 7), task 3 outlives the
	// timeout with two children, task 4 succeeds.
	tasks := writeTestFile(t, dir, "tasks", "test $SPMD_FARM_ATTEMPT -ge 2\nexit 7\nsleep 60 & sleep 60 & wait\ntrue\n")
	r := runFarm(t, 2, "--tasks", tasks, "--retries", "2", "--timeout", "1s", "--joblog", log)
	if r.Code != 1 {
		t.Fatalf("exit %d, want 1\n%v", r.Code, r)
	}
	for _, want := range []string{
		"farm: 4 tasks: 2 succeeded, 2 failed, 3 attempts retried",
		"farm: failed: task 2, exit 7 after 2 attempts",
		"farm: failed: task 3, timed out after 1",
	} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.Stderr)
		}
	}
	got := joblogOf(t, log)
	want := map[int][]int{1: {0}, 2: {7}, 3: {-1}, 4: {0}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("joblog exit values %v, want %v", got, want)
	}
}

// suicide is a task prefix that kills the rank running it (its parent
// process) with SIGKILL, once in the whole farm, on a rank other than 0:
// a worker lost mid-farm. mkdir is the atomic "once".
func suicide(dir string) string {
	return fmt.Sprintf(`if [ $SPMD_FARM_RANK != 0 ] && mkdir %s/killed 2>/dev/null; then kill -KILL $PPID; sleep 5; fi; `, dir)
}

// TestFarmKillRank: kill -9 of a non-root rank mid-farm. Its running tasks
// go back into the queue, the others finish the farm, the joblog has every
// task exactly once with exit 0, and nothing of the dead rank's is left
// (its other tasks' children die through its watchdog).
func TestFarmKillRank(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	const n = 60
	cmd := suicide(dir) + `sleep 0.05 & wait; echo {i}`
	r := runFarm(t, 3, "--grid", fmt.Sprintf("i=1:%d", n), "--slots", "2", "--joblog", log, "--", "sh", "-c", cmd)
	if r.Code != 0 {
		t.Fatalf("exit %d, want 0 (the farm survives a lost rank)\n%v", r.Code, r)
	}
	if _, err := os.Stat(filepath.Join(dir, "killed")); err != nil {
		t.Fatal("no rank was killed")
	}
	checkLoggedOnce(t, log, n)
	for _, want := range []string{"killed by signal KILL; the job goes on (rank 0 decides)", "farm: lost rank", "went back into the queue", fmt.Sprintf("farm: %d tasks: %d succeeded, 0 failed", n, n)} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.Stderr)
		}
	}
	if got := strings.Count(r.Stdout, "\n"); got != n {
		t.Errorf("%d outputs, want %d", got, n)
	}
}

// TestFarmSilentRank: a worker that falls silent without dying (SIGSTOP:
// as a frozen node or a cut link looks to the others) is declared lost
// after --dead-after; its tasks run elsewhere and the farm finishes. When
// the root is done, the launcher kills the stopped rank.
func TestFarmSilentRank(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	const n = 30
	stop := fmt.Sprintf(`if [ $SPMD_FARM_RANK != 0 ] && mkdir %s/stopped 2>/dev/null; then kill -STOP $PPID; fi; `, dir)
	spmd := clustertest.BuildSpmd(t)
	marker := launchMarker(t)
	cmd := exec.Command(spmd, "run", "-np", "3", "--oversubscribe", "--kill-after", "1s", "-x", marker, "farm", "--dead-after", "2s",
		"--grid", fmt.Sprintf("i=1:%d", n), "--joblog", log, "--", "sh", "-c", stop+"sleep 0.1; echo {i}")
	r := clustertest.RunCmd(t, farmTimeout, cmd)
	launchNoneLeft(t, marker, 5*time.Second)
	if r.Code != 0 || !strings.Contains(r.Stderr, "farm: lost rank") {
		t.Fatalf("exit %d, want 0 and a lost rank\n%v", r.Code, r)
	}
	checkLoggedOnce(t, log, n)
}

// TestFarmKillJobThenResume: kill -9 of the whole job (the launcher) while
// tasks run, then --resume: only the tasks the joblog lacks run, and the
// log ends with every task once. Then --resume-failed runs the failed
// task alone.
func TestFarmKillJobThenResume(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	runs := filepath.Join(dir, "runs")
	const n = 40
	// Task 13 fails (until a file exists), to test --resume-failed after.
	args := []string{"--grid", fmt.Sprintf("i=1:%d", n), "--slots", "2", "--joblog", log, "--quiet", "--",
		"sh", "-c", fmt.Sprintf(`echo {i} >>%s; sleep 0.1; [ {i} != 13 ] || [ -e %s/fixed ]`, runs, dir)}
	marker := launchMarker(t)
	cmd := farmCmd(t, spmd, 2, marker, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(farmTimeout)
	for {
		b, _ := os.ReadFile(log)
		if bytes.Count(b, []byte("\n")) > 8 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the joblog did not grow")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL) // the launcher, by pid: the ranks and tasks must die with it
	cmd.Wait()
	launchNoneLeft(t, marker, 10*time.Second)
	before := joblogOf(t, log)
	if len(before) == 0 || len(before) == n {
		t.Fatalf("killed with %d of %d tasks logged; the test needs some of each", len(before), n)
	}
	os.Remove(runs)

	r := runFarm(t, 2, append([]string{"--resume"}, args...)...)
	if r.Code != 1 { // task 13 fails
		t.Fatalf("--resume: exit %d\n%v", r.Code, r)
	}
	b, _ := os.ReadFile(runs)
	ran := map[int]bool{}
	for _, f := range strings.Fields(string(b)) {
		s, _ := strconv.Atoi(f)
		if ran[s] || before[s] != nil {
			t.Errorf("--resume ran task %d, which was logged or already ran", s)
		}
		ran[s] = true
	}
	if len(ran)+len(before) != n {
		t.Errorf("--resume ran %d tasks and the log had %d; want %d in all", len(ran), len(before), n)
	}
	after := joblogOf(t, log)
	for s := 1; s <= n; s++ {
		if len(after[s]) != 1 {
			t.Errorf("after --resume, task %d is logged %d times", s, len(after[s]))
		}
	}

	os.Remove(runs)
	os.Mkdir(filepath.Join(dir, "fixed"), 0o755)
	r = runFarm(t, 2, append([]string{"--resume-failed"}, args...)...)
	if b, _ := os.ReadFile(runs); r.Code != 0 || strings.TrimSpace(string(b)) != "13" {
		t.Errorf("--resume-failed ran %q, exit %d; want task 13 alone, exit 0\n%v", b, r.Code, r)
	}
	checkLoggedOnce(t, log, n)
}

// TestFarmInterrupt: Ctrl-C (SIGINT to spmd run, which passes it on)
// stops the running tasks without logging them; the farm exits 130, and
// --resume runs the rest.
func TestFarmInterrupt(t *testing.T) {
	spmd := clustertest.BuildSpmd(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	const n = 20
	args := []string{"--grid", fmt.Sprintf("i=1:%d", n), "--joblog", log, "--", "sh", "-c", "sleep 0.3"}
	marker := launchMarker(t)
	cmd := farmCmd(t, spmd, 2, marker, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(farmTimeout)
	for {
		b, _ := os.ReadFile(log)
		if bytes.Count(b, []byte("\n")) > 2 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the joblog did not grow")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	launchNoneLeft(t, marker, 5*time.Second)
	if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(stderr.String(), "farm: got SIGINT; stopping") {
		t.Fatalf("exit %d, want 130 and the farm's word on it\n%s", code, stderr.String())
	}
	before := joblogOf(t, log)
	if len(before) == n {
		t.Fatal("every task finished before the signal")
	}
	if r := runFarm(t, 2, append([]string{"--resume"}, args...)...); r.Code != 0 || !strings.Contains(r.Stderr, fmt.Sprintf("%d skipped", len(before))) {
		t.Fatalf("--resume: %v", r)
	}
	checkLoggedOnce(t, log, n)
}

// TestFarm10000Tasks: ten thousand trivial tasks on 2 ranks, each logged
// once.
func TestFarm10000Tasks(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 processes")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	tasks := writeTestFile(t, dir, "tasks", strings.Repeat("true\n", 10000))
	r := runFarm(t, 2, "--tasks", tasks, "--joblog", log)
	if r.Code != 0 || !strings.Contains(r.Stderr, "farm: 10000 tasks: 10000 succeeded, 0 failed") {
		t.Fatalf("%v", r)
	}
	checkLoggedOnce(t, log, 10000)
}

// TestFarmBadInput: every mistake ends with one clear message, exit 2,
// before any task runs (each command would leave a file), on 2 ranks.
func TestFarmBadInput(t *testing.T) {
	dir := t.TempDir()
	touch := "touch " + filepath.Join(dir, "ran")
	empty := writeTestFile(t, dir, "empty", "")
	csv := writeTestFile(t, dir, "d.csv", "a,b\n1,2\n")
	other := writeTestFile(t, dir, "other.log", "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n"+
		"1\tn1\t1700000000.000\t     1.000\t0\t0\t0\t0\techo something else\n")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"empty task file", []string{"--tasks", empty}, "--tasks " + empty + ": no tasks"},
		{"unknown placeholder", []string{"--csv", csv, touch + "; echo {c}"}, "placeholder {c} names no column: the input has 2 columns: {a} or {1}, {b} or {2}"},
		{"malformed grid", []string{"--grid", "beta=0.1:x", touch}, `--grid beta=0.1:x: "0.1:x": "x" is not a number`},
		{"unreadable input", []string{"--input", filepath.Join(dir, "missing"), touch}, "--input: open " + filepath.Join(dir, "missing") + ": no such file or directory"},
		{"joblog of another task list", []string{"--csv", csv, "--joblog", other, "--resume", touch}, "the joblog is from another task list"},
		{"no command", []string{"--csv", csv}, "no command to run"},
		{"resume without joblog", []string{"--csv", csv, "--resume", touch}, "give --joblog FILE"},
		{"negative retries", []string{"--csv", csv, "--retries", "-1", touch}, "--retries -1: must not be negative"},
		{"flag after grid axes", []string{"--grid", "a=1", "b=2", "--quiet", touch}, "flags go before --grid's extra axes: --quiet after b=2"},
		{"negative slots", []string{"--csv", csv, "--slots", "-2", touch}, "--slots -2: must be at least 1 (or 0 for one per core)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runFarm(t, 2, tc.args...)
			if r.Code != 2 || strings.Count(r.Stderr, tc.want) != 1 {
				t.Errorf("exit %d, want 2 and %q once in stderr\n%v", r.Code, tc.want, r)
			}
			if strings.Contains(r.Stderr, "goroutine ") {
				t.Errorf("a Go panic:\n%s", r.Stderr)
			}
			if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
				t.Fatal("a task ran")
			}
		})
	}
	if b, _ := os.ReadFile(other); !strings.Contains(string(b), "echo something else") {
		t.Error("the refused joblog was changed")
	}
}

// TestFarmJoblogGNUParallel: the joblog is GNU parallel's. A farm's log
// lets `parallel --resume` skip those tasks, and parallel's log lets
// `spmd farm --resume` skip its tasks. Needs Debian's parallel package.
func TestFarmJoblogGNUParallel(t *testing.T) {
	parallel := requireParallel(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	in := writeTestFile(t, dir, "in", "1\n2\n3\n4\n")
	runs := filepath.Join(dir, "runs")
	cmd := "echo {} >> " + runs

	// parallel runs tasks 1 and 2 (the log is written as parallel writes
	// it), spmd farm the rest.
	two := writeTestFile(t, dir, "two", "1\n2\n")
	if out, err := exec.Command(parallel, "--will-cite", "--joblog", log, "-a", two, cmd).CombinedOutput(); err != nil {
		t.Fatalf("parallel: %v\n%s", err, out)
	}
	if r := runFarm(t, 2, "--input", in, "--joblog", log, "--resume", cmd); r.Code != 0 {
		t.Fatalf("spmd farm --resume on parallel's joblog: %v", r)
	}
	// And back: parallel --resume on spmd's log runs nothing.
	if out, err := exec.Command(parallel, "--will-cite", "--joblog", log, "--resume", "-a", in, cmd).CombinedOutput(); err != nil {
		t.Fatalf("parallel --resume: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(runs)
	got := strings.Fields(string(b))
	sort.Strings(got)
	if strings.Join(got, " ") != "1 2 3 4" {
		t.Errorf("tasks ran %v, want each of 1-4 once", got)
	}
}

// requireParallel returns the path of GNU parallel, or skips the test (a
// failure under SPMD_REQUIRE_CLUSTER=1, as in CI, which installs it).
func requireParallel(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("parallel")
	if err == nil {
		if out, _ := exec.Command(p, "--version").Output(); bytes.Contains(out, []byte("GNU parallel")) {
			return p
		}
	}
	if clustertest.RequireCluster() {
		t.Fatalf("GNU parallel is not installed (apt-get install parallel), and %s=1", clustertest.EnvRequireCluster)
	}
	t.Skip("GNU parallel is not installed (apt-get install parallel)")
	return ""
}
