package farm

import (
	"bytes"
	"io"
)

// A printer writes the tasks' outputs at the root: each final task's
// stdout to Params.Stdout and its stderr to Params.Stderr, one task's
// lines together (never interleaved with another's). With a tag, every
// line starts with the task's tag and a tab, and a last line without a
// newline gets one; without, the bytes go out as the task wrote them, so
// that with --keep-order the output is exactly what running the tasks one
// after another would print.
type printer struct {
	stdout, stderr io.Writer
	keepOrder      bool
	next           int              // keepOrder: the next seq to print
	held           map[int]*outcome // keepOrder: final tasks waiting for their turn
	tags           func(seq int) string
	beforeOutput   func() // clears a live progress line (on the terminal both streams share)
}

// final takes the final outcome of task seq (nil for a task with no
// output to print, such as one skipped by --resume).
func (pr *printer) final(seq int, o *outcome) {
	if !pr.keepOrder {
		if o != nil {
			pr.write(seq, o)
		}
		return
	}
	pr.held[seq] = o
	for {
		o, ok := pr.held[pr.next]
		if !ok {
			return
		}
		delete(pr.held, pr.next)
		if o != nil {
			pr.write(pr.next, o)
		}
		pr.next++
	}
}

func (pr *printer) write(seq int, o *outcome) {
	tag := pr.tags(seq)
	if len(o.Stdout) > 0 {
		pr.beforeOutput()
		pr.stdout.Write(tagLines(tag, o.Stdout))
	}
	if len(o.Stderr) > 0 {
		pr.beforeOutput()
		pr.stderr.Write(tagLines(tag, o.Stderr))
	}
}

// tagLines prefixes every line of b with tag and a tab; without a tag it
// returns b as it is.
func tagLines(tag string, b []byte) []byte {
	if tag == "" {
		return b
	}
	var out bytes.Buffer
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		out.WriteString(tag)
		out.WriteByte('\t')
		out.Write(line)
		out.WriteByte('\n')
		b = rest
	}
	return out.Bytes()
}
