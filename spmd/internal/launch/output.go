package launch

import (
	"bytes"
	"io"
	"strconv"
	"sync"
)

// MaxLine is the longest line forwarded whole. A longer line is split
// with a newline after every MaxLine bytes, so no rank can hold the
// output lock for a line of unbounded length or make others wait for it.
const MaxLine = 64 << 10

// output serializes everything written to the launcher's stdout and
// stderr: one mutex for both streams, so that even when they are the same
// terminal a line is never broken by another.
type output struct {
	mu     sync.Mutex
	stdout io.Writer
	stderr io.Writer
	tag    bool
}

// sink is one rank's stdout or stderr.
type sink struct {
	o      *output
	w      io.Writer
	prefix []byte // "[rank] " when tagging, else nil
	// hook, if set, sees every line (with its newline) and returns what to
	// forward in its place: nil to drop it, or one or more whole lines.
	// It runs on the forwarding goroutine only.
	hook func(line []byte) []byte
	buf  []byte // batch being built, reused
}

func (o *output) sink(w io.Writer, rank int) *sink {
	s := &sink{o: o, w: w}
	if o.tag {
		s.prefix = []byte("[" + strconv.Itoa(rank) + "] ")
	}
	return s
}

// logf writes one launcher message line to stderr, under the lock.
func (o *output) log(line string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	io.WriteString(o.stderr, "spmd run: "+line+"\n")
}

// forward copies r to s until r ends, in whole lines. It never returns
// an error: a failing destination only loses output; a read error ends
// the stream like EOF.
func (s *sink) forward(r io.Reader) {
	buf := make([]byte, MaxLine)
	n := 0
	for {
		m, err := r.Read(buf[n:])
		n += m
		// buf[:n-m] holds no newline: search only the new bytes, or a
		// writer trickling a long line byte by byte costs quadratic time.
		if i := bytes.LastIndexByte(buf[n-m:n], '\n'); i >= 0 {
			end := n - m + i + 1
			s.emit(buf[:end], false)
			n = copy(buf, buf[end:n])
		} else if n == len(buf) {
			s.emit(buf, true)
			n = 0
		}
		if n > 0 && buf[0] == '\r' {
			// A line rewritten in place ("\r" then the new text, no
			// newline: a progress line on a terminal) is shown as it
			// comes, or nothing would appear until its final newline.
			s.emit(buf[:n], false)
			n = 0
		}
		if err != nil {
			if n > 0 {
				s.emit(buf[:n], true)
			}
			return
		}
	}
}

// emit writes data, which is whole lines, the last one missing its
// newline if addNL, with a single Write under the lock.
func (s *sink) emit(data []byte, addNL bool) {
	out := data
	if s.prefix != nil || s.hook != nil || addNL {
		s.buf = s.buf[:0]
		for len(data) > 0 {
			var line []byte
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				line, data = data[:i+1], data[i+1:]
			} else {
				line, data = data, nil
				if addNL {
					line = append(line[:len(line):len(line)], '\n')
				}
			}
			if s.hook != nil {
				line = s.hook(line)
			}
			s.buf = appendTagged(s.buf, s.prefix, line)
		}
		out = s.buf
	}
	if len(out) == 0 {
		return
	}
	s.o.mu.Lock()
	s.w.Write(out)
	s.o.mu.Unlock()
}

// appendTagged appends lines to dst with prefix before each line.
func appendTagged(dst, prefix, lines []byte) []byte {
	if prefix == nil {
		return append(dst, lines...)
	}
	for len(lines) > 0 {
		i := bytes.IndexByte(lines, '\n') + 1
		if i == 0 {
			i = len(lines)
		}
		dst = append(dst, prefix...)
		dst = append(dst, lines[:i]...)
		lines = lines[i:]
	}
	return dst
}
