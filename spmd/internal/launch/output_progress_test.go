package launch

import (
	"io"
	"strings"
	"testing"
)

// TestForwardProgressLine: a line rewritten in place ("\r" and new text,
// no newline, as a progress line on a terminal is drawn) is forwarded as
// each piece comes, not held until the newline; the bytes are unchanged.
func TestForwardProgressLine(t *testing.T) {
	r, w := io.Pipe()
	var out syncBuffer
	o := &output{stdout: &out}
	done := make(chan struct{})
	go func() { o.sink(&out, 0).forward(r); close(done) }()
	pieces := []string{"\rfarm: 1/3 done\033[K", "\rfarm: 2/3 done\033[K", "\r\033[K", "summary\n"}
	want := ""
	for _, p := range pieces {
		io.WriteString(w, p)
		want += p
		waitFor(t, "the piece "+strings.TrimSpace(p)+" forwarded", func() bool { return out.String() == want })
	}
	w.Close()
	<-done
	if out.String() != strings.Join(pieces, "") {
		t.Errorf("forwarded %q", out.String())
	}
}
