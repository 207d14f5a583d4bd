package farm

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The joblog has GNU parallel's --joblog format, so tools written for it
// read ours: a header line, then one tab-separated line per finished task
//
//	Seq  Host  Starttime  JobRuntime  Send  Receive  Exitval  Signal  Command
//
// Starttime is seconds since 1970 and JobRuntime seconds, both with three
// decimals; Send is 0 (nothing is transferred); Receive is the bytes the
// task wrote to stdout and stderr; Exitval is -1 when a signal (Signal)
// ended the task or it could not start. A tab, newline or carriage return
// in a command is written as \t, \n or \r. Each line is written whole in
// one write(2) when its task finishes, so a crash, a lost root or Ctrl-C
// loses no finished task, and a half-written last line (a machine crash)
// is ignored by --resume.
const joblogHeader = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand"

// A joblog is the open log at the root.
type joblog struct {
	f    *os.File
	path string
}

// logEntry is one line of a joblog read back.
type logEntry struct {
	seq          int
	exit, signal int
	line         string // the whole line, for rewriting
}

func (e logEntry) ok() bool { return e.exit == 0 && e.signal == 0 }

// openJoblog opens the joblog for a farm over tasks. Without resume it
// starts a new log (replacing any old one, as GNU parallel does). With
// Resume or ResumeFailed it reads the old log, refuses one written for
// another task list, and returns the tasks not to run again: every task in
// the log for Resume, the succeeded ones for ResumeFailed, whose failed
// lines are then removed (rewriting the log), so that every task is in the
// log once. A log that does not exist yet or is empty starts afresh.
func openJoblog(p *Params, tasks []task) (*joblog, map[int]bool, error) {
	skip := map[int]bool{}
	if !p.Resume && !p.ResumeFailed {
		j, err := newJoblog(p.JobLog)
		return j, skip, err
	}
	old, err := os.ReadFile(p.JobLog)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(old) == 0) {
		j, err := newJoblog(p.JobLog)
		return j, skip, err
	}
	if err != nil {
		return nil, nil, usagef("--joblog: %v", err)
	}
	entries, torn, err := readJoblog(old, tasks)
	if err != nil {
		return nil, nil, &UsageError{fmt.Errorf("--joblog %s: %w", p.JobLog, err)}
	}
	var kept []logEntry
	for _, e := range entries {
		if p.Resume || e.ok() {
			skip[e.seq] = true
			kept = append(kept, e)
		}
	}
	if torn || len(kept) != len(entries) {
		if err := rewriteJoblog(p.JobLog, kept); err != nil {
			return nil, nil, fmt.Errorf("--joblog: %v", err)
		}
	}
	f, err := os.OpenFile(p.JobLog, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, nil, usagef("--joblog: %v", err)
	}
	return &joblog{f: f, path: p.JobLog}, skip, nil
}

func newJoblog(path string) (*joblog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return nil, usagef("--joblog: %v", err)
	}
	if _, err := io.WriteString(f, joblogHeader+"\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("--joblog: %v", err)
	}
	return &joblog{f: f, path: path}, nil
}

// readJoblog parses an old log and checks it against tasks: each line's
// Seq must be a task of this list with the very same command. When a task
// appears more than once (GNU parallel's --resume-failed appends), its
// last line counts. torn reports a last line cut short by a crash, which
// is ignored.
func readJoblog(b []byte, tasks []task) (entries []logEntry, torn bool, err error) {
	header, rest, found := bytes.Cut(b, []byte("\n"))
	if !found || string(bytes.TrimRight(header, "\r")) != joblogHeader {
		return nil, false, errors.New("not a joblog: its first line is not the header Seq, Host, Starttime, ... Command")
	}
	if len(rest) > 0 && rest[len(rest)-1] != '\n' {
		torn = true // the last line has no newline: cut short by a crash
		rest = rest[:bytes.LastIndexByte(rest, '\n')+1]
	}
	at := map[int]int{} // seq -> index in entries
	sc := bufio.NewScanner(bytes.NewReader(rest))
	sc.Buffer(make([]byte, 64*1024), len(b)+1)
	for n := 2; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		f := strings.SplitN(line, "\t", 9)
		if len(f) != 9 {
			return nil, false, fmt.Errorf("line %d has %d tab-separated fields, want 9", n, len(f))
		}
		seq, err1 := strconv.Atoi(f[0])
		exit, err2 := strconv.Atoi(strings.TrimSpace(f[6]))
		sig, err3 := strconv.Atoi(strings.TrimSpace(f[7]))
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, false, fmt.Errorf("line %d: Seq, Exitval and Signal must be integers", n)
		}
		if seq < 1 || seq > len(tasks) {
			return nil, false, fmt.Errorf("line %d is task %d, but this task list has %d tasks: the joblog is from another task list (remove it, or give another --joblog)", n, seq, len(tasks))
		}
		if want := escapeCommand(tasks[seq-1].Command.Line); f[8] != want {
			return nil, false, fmt.Errorf("line %d: task %d ran %q, but task %d of this task list is %q: the joblog is from another task list (remove it, or give another --joblog)", n, seq, f[8], seq, want)
		}
		e := logEntry{seq: seq, exit: exit, signal: sig, line: line}
		if i, dup := at[seq]; dup {
			entries[i] = e
		} else {
			at[seq] = len(entries)
			entries = append(entries, e)
		}
	}
	return entries, torn, sc.Err()
}

// rewriteJoblog replaces the log with the header and the kept lines, by a
// rename, so a crash leaves either the old log or the new one.
func rewriteJoblog(path string, kept []logEntry) error {
	var b bytes.Buffer
	b.WriteString(joblogHeader + "\n")
	for _, e := range kept {
		b.WriteString(e.line + "\n")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".joblog-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if st, err := os.Stat(path); err == nil {
		os.Chmod(tmp.Name(), st.Mode().Perm())
	}
	return os.Rename(tmp.Name(), path)
}

// write appends the line of a task's final outcome, in one write.
func (j *joblog) write(t *task, o *outcome) error {
	if j == nil {
		return nil
	}
	exit := o.Exit
	if o.Signal != 0 || o.Err != "" {
		exit = -1
	}
	host := strings.NewReplacer("\t", " ", "\n", " ").Replace(o.Host)
	line := fmt.Sprintf("%d\t%s\t%.3f\t%10.3f\t0\t%d\t%d\t%d\t%s\n", t.Seq, host,
		float64(o.Start.UnixNano())/1e9, o.Runtime.Seconds(), o.Output, exit, o.Signal, escapeCommand(t.Command.Line))
	_, err := io.WriteString(j.f, line)
	return err
}

func (j *joblog) close() error {
	if j == nil {
		return nil
	}
	return j.f.Close()
}

var commandEscaper = strings.NewReplacer("\t", `\t`, "\n", `\n`, "\r", `\r`)

// escapeCommand keeps a command on one joblog line.
func escapeCommand(s string) string { return commandEscaper.Replace(s) }
