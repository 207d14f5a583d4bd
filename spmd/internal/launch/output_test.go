package launch

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestForward checks line assembly: whole lines pass unchanged, a line
// longer than MaxLine is cut with a newline every MaxLine bytes, a last
// line without a newline gets one, and tags go before every line.
func TestForward(t *testing.T) {
	long := strings.Repeat("a", 2*MaxLine+10)
	for _, tc := range []struct {
		name, in, want string
		tag            bool
	}{
		{"empty", "", "", false},
		{"lines", "a\nbb\n\nccc\n", "a\nbb\n\nccc\n", false},
		{"partial-last", "a\nbb", "a\nbb\n", false},
		{"tagged", "a\nbb\n\nc", "[7] a\n[7] bb\n[7] \n[7] c\n", true},
		{"long", long + "\nz\n", long[:MaxLine] + "\n" + long[MaxLine:2*MaxLine] + "\n" + long[2*MaxLine:] + "\nz\n", false},
		{"exactly-max", strings.Repeat("b", MaxLine) + "\n", strings.Repeat("b", MaxLine) + "\n\n", false},
		{"long-tagged", long[:MaxLine+1], "[7] " + long[:MaxLine] + "\n[7] a\n", true},
	} {
		for _, rd := range []struct {
			name string
			wrap func(io.Reader) io.Reader
		}{
			{"whole", func(r io.Reader) io.Reader { return r }},
			{"bytewise", iotest.OneByteReader},
			{"half", iotest.HalfReader},
		} {
			t.Run(tc.name+"/"+rd.name, func(t *testing.T) {
				var out bytes.Buffer
				o := &output{stdout: &out, tag: tc.tag}
				o.sink(&out, 7).forward(rd.wrap(strings.NewReader(tc.in)))
				if got := out.String(); got != tc.want {
					t.Errorf("got %q, want %q", trim(got), trim(tc.want))
				}
			})
		}
	}
}

// A line of exactly MaxLine bytes fills the buffer before its newline is
// read, so it is cut there and the newline becomes an empty line: the
// documented cost of never holding more than MaxLine bytes of a line.

func trim(s string) string {
	if len(s) > 200 {
		return s[:100] + "…" + s[len(s)-100:]
	}
	return s
}

// TestForwardWritesWholeLines checks that every Write the destination sees
// ends at a line boundary, so writers sharing the lock cannot interleave
// inside a line.
func TestForwardWritesWholeLines(t *testing.T) {
	var w recordWriter
	o := &output{}
	o.sink(&w, 0).forward(iotest.HalfReader(strings.NewReader(strings.Repeat("0123456789\n", 10000) + "tail")))
	for i, p := range w.writes {
		if len(p) == 0 || p[len(p)-1] != '\n' {
			t.Fatalf("write %d of %d does not end a line: %q", i, len(w.writes), trim(string(p)))
		}
	}
	if got, want := strings.Join(w.strings(), ""), strings.Repeat("0123456789\n", 10000)+"tail\n"; got != want {
		t.Errorf("forwarded %d bytes, want %d", len(got), len(want))
	}
}

type recordWriter struct{ writes [][]byte }

func (w *recordWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, append([]byte(nil), p...))
	return len(p), nil
}

func (w *recordWriter) strings() []string {
	var s []string
	for _, p := range w.writes {
		s = append(s, string(p))
	}
	return s
}

// TestRemoteStderrHook checks how a remote rank's stderr is filtered:
// ssh's messages are held until _remote is ready (then forwarded), reports
// are removed wherever they appear in a line, and unknown reports pass.
func TestRemoteStderrHook(t *testing.T) {
	in := "Warning: ssh says hi\n" +
		reportMark + "ready\n" +
		"rank says a\n" +
		"no newline at end" + reportMark + "exit code=3\n"
	var out bytes.Buffer
	o := &output{tag: true}
	rr := &remoteRank{}
	s := o.sink(&out, 2)
	s.hook = rr.stderrLine
	s.forward(strings.NewReader(in))
	want := "[2] Warning: ssh says hi\n[2] rank says a\n[2] no newline at end\n"
	if out.String() != want {
		t.Errorf("forwarded %q, want %q", out.String(), want)
	}
	if !rr.ready || rr.rep == nil || *rr.rep != (report{kind: "exit", code: 3}) {
		t.Errorf("ready %v, report %+v; want ready and exit code=3", rr.ready, rr.rep)
	}

	// Never ready: ssh's words are kept for the error, not forwarded.
	out.Reset()
	rr = &remoteRank{}
	s = o.sink(&out, 2)
	s.hook = rr.stderrLine
	s.forward(strings.NewReader("ssh: connect to host x port 22: Connection refused\r\n"))
	if out.Len() != 0 || rr.ready {
		t.Errorf("forwarded %q (ready %v) before ready", out.String(), rr.ready)
	}
	if got := earlyText(rr.early); got != "ssh: connect to host x port 22: Connection refused" {
		t.Errorf("early text %q", got)
	}
}
