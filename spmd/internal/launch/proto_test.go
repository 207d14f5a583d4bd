package launch

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestFrameRoundTrip writes frames and reads them back, whole and one
// byte at a time (partial reads).
func TestFrameRoundTrip(t *testing.T) {
	type frame struct {
		typ     byte
		payload string
	}
	frames := []frame{
		{frameData, "hello"}, {frameData, ""}, {frameSignal, "\x0f"},
		{frameData, strings.Repeat("z", maxFrame)}, {frameEOF, ""},
	}
	var stream []byte
	for _, f := range frames {
		stream = appendFrame(stream, f.typ, []byte(f.payload))
	}
	for name, r := range map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(stream) },
		"bytewise": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(stream)) },
	} {
		t.Run(name, func(t *testing.T) {
			rd := r()
			var buf []byte
			for i, want := range frames {
				typ, payload, err := readFrame(rd, buf)
				if err != nil || typ != want.typ || string(payload) != want.payload {
					t.Fatalf("frame %d: %q, %d bytes, %v; want %q, %d bytes", i, typ, len(payload), err, want.typ, len(want.payload))
				}
				buf = payload[:0]
			}
			if _, _, err := readFrame(rd, buf); err != io.EOF {
				t.Errorf("after the last frame: %v, want io.EOF", err)
			}
		})
	}
}

// TestFrameErrors checks that malformed streams are errors, and that a
// stream cut inside a frame is not mistaken for a clean EOF.
func TestFrameErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stream []byte
		err    string
	}{
		{"cut-header", []byte{frameData, 0, 0}, "stream ended inside a frame header"},
		{"cut-payload", appendFrame(nil, frameData, []byte("hello"))[:7], "stream ended inside a frame"},
		{"unknown-type", appendFrame(nil, 'x', nil), `unknown frame type 'x'`},
		{"huge-data", []byte{frameData, 0xff, 0xff, 0xff, 0xff}, "data frame of 4294967295 bytes exceeds 1048576"},
		{"eof-with-payload", appendFrame(nil, frameEOF, []byte("x")), "eof frame with 1 payload bytes"},
		{"signal-too-long", appendFrame(nil, frameSignal, []byte("xy")), "signal frame with 2 payload bytes, want 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readFrame(bytes.NewReader(tc.stream), nil)
			if err == nil || err.Error() != tc.err {
				t.Errorf("err %v, want %q", err, tc.err)
			}
		})
	}
}

func TestSpecRoundTrip(t *testing.T) {
	want := &remoteSpec{Version: specVersion, Argv: []string{"sh", "-c", "echo\n$X"}, Env: []string{"X=a\nb"}, Dir: "/tmp", Stdin: true}
	var b bytes.Buffer
	if err := writeSpec(&b, want); err != nil {
		t.Fatal(err)
	}
	b.Write(appendFrame(nil, frameEOF, nil))
	br := bufio.NewReaderSize(&b, 16) // smaller than the line: exercises ErrBufferFull
	got, err := readSpec(br)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Argv, "|") != strings.Join(want.Argv, "|") || got.Env[0] != want.Env[0] || got.Dir != want.Dir || !got.Stdin {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if typ, _, err := readFrame(br, nil); typ != frameEOF || err != nil {
		t.Errorf("frame after the spec: %q, %v", typ, err)
	}
}

func TestSpecErrors(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{"", "stdin closed before the spec line"},
		{`{"v":1,"argv":["x"]}`, "stdin closed before the spec line"},
		{"not json\n", "bad spec line: invalid character 'o' in literal null (expecting 'u')"},
		{`{"v":2,"argv":["x"]}` + "\n", "spec version 2, want 1 (launcher and remote spmd differ?)"},
		{`{"v":1,"argv":[]}` + "\n", "spec has an empty argv"},
	} {
		_, err := readSpec(bufio.NewReader(strings.NewReader(tc.in)))
		if err == nil || err.Error() != tc.err {
			t.Errorf("readSpec(%q) = %v, want %q", tc.in, err, tc.err)
		}
	}
}

func TestReportRoundTrip(t *testing.T) {
	for _, r := range []report{
		{kind: "ready"}, {kind: "start-error", msg: "exec: no such file"},
		{kind: "exit", code: 0}, {kind: "exit", code: 255}, {kind: "exit", signal: 9},
		{kind: "stdin-ack", acked: 0}, {kind: "stdin-ack", acked: 1 << 40},
	} {
		line := formatReport(r)
		if !strings.HasPrefix(line, reportMark) || !strings.HasSuffix(line, "\n") || strings.Count(line, "\n") != 1 {
			t.Errorf("%+v formats as %q: want one line starting with the mark", r, line)
		}
		got, ok := parseReport(strings.TrimPrefix(line, reportMark))
		if !ok || got != r {
			t.Errorf("%+v round-trips to %+v, %v", r, got, ok)
		}
	}
	if got := formatReport(report{kind: "start-error", msg: "two\nlines"}); got != reportMark+"start-error two lines\n" {
		t.Errorf("multi-line message formats as %q", got)
	}
	for _, bad := range []string{"", "exit", "exit code=x", "exit code=-1", "exit sig=1", "other", "stdin-ack", "stdin-ack -1", "stdin-ack x"} {
		if r, ok := parseReport(bad); ok {
			t.Errorf("parseReport(%q) = %+v, want not ok", bad, r)
		}
	}
}
