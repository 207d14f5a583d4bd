package launch

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The launcher → _remote protocol, on the stdin of `ssh HOST spmd _remote`:
//
//	one line:  JSON of remoteSpec, ending in '\n'
//	then:      frames, each a 5-byte header (type byte, big-endian uint32
//	           length) followed by length bytes of payload
//
//	frame 'd'  stdin data for the rank (length <= maxFrame)
//	frame 'e'  the launcher's stdin reached EOF: close the rank's stdin
//	frame 's'  deliver a signal: payload is one byte, the signal number
//
// The end of the byte stream itself (EOF without an 'e' frame having
// anything to do with it) means the launcher is gone.
//
// The _remote → launcher reports go on _remote's stderr, which it shares
// with the rank: each is a line starting with reportMark (0x1e, ASCII
// record separator), written with one write(2) so it stays whole:
//
//	\x1espmd-remote ready            _remote runs; the ssh link works
//	\x1espmd-remote start-error MSG  the program could not be started
//	\x1espmd-remote exit code=N      the program exited with code N
//	\x1espmd-remote exit signal=N    the program died by signal N
//	\x1espmd-remote stdin-ack N      the program has read N bytes of stdin
//
// Stdin is flow-controlled by those acks: the launcher keeps at most
// stdinWindow bytes sent but not yet read by the program. _remote must
// never stop reading frames (signals and the launcher's EOF come that
// way), so it queues data it cannot yet write; the window bounds that
// queue without dropping anything.
//
// A rank's last stderr line may lack its newline, so the launcher looks
// for reportMark anywhere in a line, not only at its start.

const (
	frameData   = 'd'
	frameEOF    = 'e'
	frameSignal = 's'

	frameHeaderLen = 5
	// maxFrame bounds a data frame so a corrupt stream cannot make
	// _remote allocate without bound.
	maxFrame = 1 << 20
	// maxSpecLine bounds the JSON line (argv plus environment).
	maxSpecLine = 4 << 20
)

const reportMark = "\x1espmd-remote "

// stdinWindow is the most stdin data in flight to one remote rank;
// _remote acks every stdinWindow/4 bytes the program reads.
const stdinWindow = 4 << 20

// remoteSpec is what _remote needs to start one rank.
type remoteSpec struct {
	Version int      `json:"v"`
	Argv    []string `json:"argv"`
	Env     []string `json:"env"`   // NAME=VALUE, added to _remote's own environment
	Dir     string   `json:"dir"`   // working directory, used if it exists there
	Stdin   bool     `json:"stdin"` // frames carry stdin (rank 0); otherwise /dev/null
}

const specVersion = 1

// writeSpec writes spec as the protocol's first line.
func writeSpec(w io.Writer, spec *remoteSpec) error {
	b, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// readSpec reads the protocol's first line.
func readSpec(r *bufio.Reader) (*remoteSpec, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxSpecLine {
			return nil, fmt.Errorf("spec line longer than %d bytes", maxSpecLine)
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil, errors.New("stdin closed before the spec line")
		}
		return nil, err
	}
	var spec remoteSpec
	if err := json.Unmarshal(line, &spec); err != nil {
		return nil, fmt.Errorf("bad spec line: %v", err)
	}
	if spec.Version != specVersion {
		return nil, fmt.Errorf("spec version %d, want %d (launcher and remote spmd differ?)", spec.Version, specVersion)
	}
	if len(spec.Argv) == 0 {
		return nil, errors.New("spec has an empty argv")
	}
	return &spec, nil
}

// appendFrame appends one frame to dst.
func appendFrame(dst []byte, typ byte, payload []byte) []byte {
	dst = append(dst, typ, 0, 0, 0, 0)
	binary.BigEndian.PutUint32(dst[len(dst)-4:], uint32(len(payload)))
	return append(dst, payload...)
}

// readFrame reads one frame into buf (grown as needed) and returns its
// type and payload. It returns io.EOF only at a clean frame boundary.
func readFrame(r io.Reader, buf []byte) (typ byte, payload []byte, err error) {
	var h [frameHeaderLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = errors.New("stream ended inside a frame header")
		}
		return 0, nil, err
	}
	typ = h[0]
	n := binary.BigEndian.Uint32(h[1:])
	switch typ {
	case frameData:
		if n > maxFrame {
			return 0, nil, fmt.Errorf("data frame of %d bytes exceeds %d", n, maxFrame)
		}
	case frameEOF:
		if n != 0 {
			return 0, nil, fmt.Errorf("eof frame with %d payload bytes", n)
		}
	case frameSignal:
		if n != 1 {
			return 0, nil, fmt.Errorf("signal frame with %d payload bytes, want 1", n)
		}
	default:
		return 0, nil, fmt.Errorf("unknown frame type %q", typ)
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	payload = buf[:n]
	if _, err := io.ReadFull(r, payload); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = errors.New("stream ended inside a frame")
		}
		return 0, nil, err
	}
	return typ, payload, nil
}

// report is one parsed _remote report line.
type report struct {
	kind   string // "ready", "start-error", "exit" or "stdin-ack"
	msg    string // start-error message
	code   int    // exit code (exit)
	signal int    // signal number (exit); 0 if it exited normally
	acked  int64  // stdin bytes read in all (stdin-ack)
}

func formatReport(r report) string {
	switch r.kind {
	case "ready":
		return reportMark + "ready\n"
	case "start-error":
		// One line: the launcher splits on newlines.
		return reportMark + "start-error " + strings.ReplaceAll(r.msg, "\n", " ") + "\n"
	case "exit":
		if r.signal != 0 {
			return reportMark + "exit signal=" + strconv.Itoa(r.signal) + "\n"
		}
		return reportMark + "exit code=" + strconv.Itoa(r.code) + "\n"
	case "stdin-ack":
		return reportMark + "stdin-ack " + strconv.FormatInt(r.acked, 10) + "\n"
	}
	panic("launch: unknown report kind " + r.kind)
}

// parseReport parses the text after reportMark (without the newline).
func parseReport(s string) (report, bool) {
	s = strings.TrimRight(s, "\r\n")
	kind, rest, _ := strings.Cut(s, " ")
	switch kind {
	case "ready":
		return report{kind: kind}, true
	case "start-error":
		return report{kind: kind, msg: rest}, true
	case "stdin-ack":
		n, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || n < 0 {
			return report{}, false
		}
		return report{kind: kind, acked: n}, true
	case "exit":
		key, val, ok := strings.Cut(rest, "=")
		n, err := strconv.Atoi(val)
		if !ok || err != nil || n < 0 {
			return report{}, false
		}
		switch key {
		case "code":
			return report{kind: kind, code: n}, true
		case "signal":
			return report{kind: kind, signal: n}, true
		}
	}
	return report{}, false
}
