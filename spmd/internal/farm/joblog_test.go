package farm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func tasksOf(lines ...string) []task {
	ts := make([]task, len(lines))
	for i, l := range lines {
		ts[i] = task{Seq: i + 1, Command: lineCommand(l, false)}
	}
	return ts
}

// logOutcome writes task seq's final line with exit code exit.
func logOutcome(t *testing.T, j *joblog, tasks []task, seq, exit int) {
	t.Helper()
	o := &outcome{Seq: seq, Host: "n1", Start: time.Unix(1700000000, 123e6), Runtime: 1500 * time.Millisecond, Exit: exit, Output: 6}
	if err := j.write(&tasks[seq-1], o); err != nil {
		t.Fatal(err)
	}
}

// TestJoblogFormat pins GNU parallel's columns and formats.
func TestJoblogFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	tasks := tasksOf("echo a\tb", "sleep 1")
	j, skip, err := openJoblog(&Params{JobLog: path}, tasks)
	if err != nil || len(skip) != 0 {
		t.Fatal(err, skip)
	}
	logOutcome(t, j, tasks, 2, 0)
	if err := j.write(&tasks[0], &outcome{Seq: 1, Host: "n2", Start: time.Unix(1700000001, 0), Exit: 0, Signal: 9}); err != nil {
		t.Fatal(err)
	}
	j.close()
	b, _ := os.ReadFile(path)
	want := "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n" +
		"2\tn1\t1700000000.123\t     1.500\t0\t6\t0\t0\tsleep 1\n" +
		"1\tn2\t1700000001.000\t     0.000\t0\t0\t-1\t9\techo a\\tb\n"
	if string(b) != want {
		t.Errorf("joblog:\n%s\nwant:\n%s", b, want)
	}
}

// TestJoblogResume: --resume skips every logged task, --resume-failed
// only the succeeded ones and drops the failed lines, a torn last line is
// ignored, and a log from another task list is refused.
func TestJoblogResume(t *testing.T) {
	tasks := tasksOf("t1", "t2", "t3", "t4")
	dir := t.TempDir()
	write := func() string {
		path := filepath.Join(dir, "log")
		j, _, err := openJoblog(&Params{JobLog: path}, tasks)
		if err != nil {
			t.Fatal(err)
		}
		logOutcome(t, j, tasks, 1, 0)
		logOutcome(t, j, tasks, 3, 2)
		j.close()
		return path
	}
	path := write()
	j, skip, err := openJoblog(&Params{JobLog: path, Resume: true}, tasks)
	if err != nil || len(skip) != 2 || !skip[1] || !skip[3] {
		t.Fatalf("--resume: skip %v, %v; want 1 and 3", skip, err)
	}
	j.close()

	j, skip, err = openJoblog(&Params{JobLog: path, ResumeFailed: true}, tasks)
	if err != nil || len(skip) != 1 || !skip[1] {
		t.Fatalf("--resume-failed: skip %v, %v; want 1", skip, err)
	}
	logOutcome(t, j, tasks, 3, 0)
	j.close()
	b, _ := os.ReadFile(path)
	if strings.Count(string(b), "\tt3\n") != 1 || strings.Count(string(b), "\n") != 3 {
		t.Errorf("after --resume-failed re-ran task 3 the log should have it once:\n%s", b)
	}

	// A crash in the middle of a line: the torn line is dropped.
	path = write()
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("4\tn1\t17000")
	f.Close()
	j, skip, err = openJoblog(&Params{JobLog: path, Resume: true}, tasks)
	if err != nil || len(skip) != 2 || skip[4] {
		t.Fatalf("torn line: skip %v, %v", skip, err)
	}
	logOutcome(t, j, tasks, 4, 0)
	j.close()
	if entries, torn, err := readJoblog(mustRead(t, path), tasks); err != nil || torn || len(entries) != 3 {
		t.Errorf("after a torn line and a resume: %d entries, torn %v, %v", len(entries), torn, err)
	}

	for _, tc := range []struct {
		name  string
		tasks []task
		want  string
	}{
		{"other commands", tasksOf("t1", "t2", "other", "t4"), `line 3: task 3 ran "t3", but task 3 of this task list is "other": the joblog is from another task list`},
		{"fewer tasks", tasksOf("t1", "t2"), "line 3 is task 3, but this task list has 2 tasks"},
	} {
		_, _, err := openJoblog(&Params{JobLog: write(), Resume: true}, tc.tasks)
		if _, usage := err.(*UsageError); !usage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want a usage error containing %q", tc.name, err, tc.want)
		}
	}
	notLog := filepath.Join(dir, "notlog")
	os.WriteFile(notLog, []byte("hello\n"), 0o644)
	if _, _, err := openJoblog(&Params{JobLog: notLog, Resume: true}, tasks); err == nil || !strings.Contains(err.Error(), "not a joblog") {
		t.Errorf("a file that is not a joblog: %v", err)
	}
	if j, skip, err := openJoblog(&Params{JobLog: filepath.Join(dir, "new"), Resume: true}, tasks); err != nil || len(skip) != 0 {
		t.Errorf("--resume with no log yet: %v %v", skip, err)
	} else {
		j.close()
	}
}

func mustRead(t *testing.T, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
