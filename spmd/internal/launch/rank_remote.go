package launch

import (
	"bytes"
	"fmt"
	"github.com/spmd-go/spmd/spmd/internal/procgroup"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spmd-go/spmd/comm/boot"
)

// sshKillDelay is how long a remote rank gets, after its SIGKILL frame was
// sent, before the launcher kills the ssh client itself; that closes the
// session, and _remote kills the rank on the EOF.
const sshKillDelay = 2 * time.Second

// Bounds on what is kept of ssh's stderr before _remote reports ready: it
// becomes the "could not start" message, or is forwarded once ready.
const (
	maxEarlyLines = 20
	maxEarlyBytes = 4 << 10
)

// remoteRank is a rank started through `ssh HOST spmd _remote`.
type remoteRank struct {
	g      *pgroup // the local ssh client
	outs   sync.WaitGroup
	stdout *os.File
	stderr *os.File

	wmu   sync.Mutex
	stdin *os.File // write end of ssh's stdin: the frame stream

	// Stdin flow control (see stdinWindow): bytes sent and acked, and
	// whether the rank is gone (no ack will come).
	flow  sync.Mutex
	acks  sync.Cond
	sent  int64
	acked int64
	ended bool

	// Filled by the stderr hook on the forwarding goroutine; read after
	// outs.Wait.
	ready  bool
	early  [][]byte     // ssh's stderr before ready
	rep    *report      // start-error or exit
	notice *boot.Notice // the rank's own notice (see blame.go)
}

func (j *job) startRemote(r int, host string, ssh []string) (*remoteRank, error) {
	argv := append(append([]string{}, ssh[1:]...), host, shellQuote(j.cfg.RemoteSpmd), "_remote")
	cmd := exec.Command(ssh[0], argv...)
	cmd.Dir = j.cfg.Dir
	cmd.SysProcAttr = procgroup.Attr()

	var files []*os.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	pipe := func() (rd, wr *os.File, err error) {
		if rd, wr, err = os.Pipe(); err == nil {
			files = append(files, rd, wr)
		}
		return
	}
	inR, inW, err := pipe()
	if err != nil {
		closeAll()
		return nil, err
	}
	outR, outW, err := pipe()
	if err != nil {
		closeAll()
		return nil, err
	}
	errR, errW, err := pipe()
	if err != nil {
		closeAll()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	if err := cmd.Start(); err != nil {
		closeAll()
		return nil, err
	}
	inR.Close()
	outW.Close()
	errW.Close()

	rr := &remoteRank{g: newPgroup(cmd, j.wd), stdout: outR, stderr: errR, stdin: inW}
	rr.acks.L = &rr.flow
	argvRemote := j.cfg.RemoteProgram
	if argvRemote == nil {
		argvRemote = j.cfg.Program
	}
	spec := &remoteSpec{
		Version: specVersion,
		Argv:    argvRemote,
		Env:     append(append([]string{}, j.cfg.Env...), j.rankEnv(r)...),
		Dir:     j.dir,
		Stdin:   r == 0 && j.cfg.Stdin != nil,
	}
	// The spec (argv and environment) is normally far smaller than the
	// pipe's 64 KiB, so this does not wait for ssh to connect. A failure
	// here shows up as ssh's exit.
	writeSpec(inW, spec)

	errSink := j.out.sink(j.out.stderr, r)
	errSink.hook = rr.stderrLine
	rr.outs.Add(2)
	go func() { defer rr.outs.Done(); j.out.sink(j.out.stdout, r).forward(outR) }()
	go func() { defer rr.outs.Done(); errSink.forward(errR) }()
	if spec.Stdin {
		go rr.copyStdin(j.cfg.Stdin)
	}
	return rr, nil
}

// send writes one frame to _remote. Callers that must not block (signal,
// kill) run it on a goroutine of its own: a stalled ssh connection must
// not stall the launcher.
func (rr *remoteRank) send(typ byte, payload []byte) error {
	frame := appendFrame(nil, typ, payload)
	rr.wmu.Lock()
	defer rr.wmu.Unlock()
	_, err := rr.stdin.Write(frame)
	return err
}

func (rr *remoteRank) copyStdin(in io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := in.Read(buf)
		if n > 0 {
			rr.flow.Lock()
			for rr.sent-rr.acked >= stdinWindow && !rr.ended {
				rr.acks.Wait()
			}
			ended := rr.ended
			rr.sent += int64(n)
			rr.flow.Unlock()
			if ended || rr.send(frameData, buf[:n]) != nil {
				return
			}
		}
		if err != nil {
			rr.send(frameEOF, nil)
			return
		}
	}
}

func (rr *remoteRank) signal(sig syscall.Signal) {
	go rr.send(frameSignal, []byte{byte(sig)})
}

func (rr *remoteRank) kill() {
	go rr.send(frameSignal, []byte{byte(syscall.SIGKILL)})
	time.AfterFunc(sshKillDelay, func() { rr.g.signal(syscall.SIGKILL) })
}

// stderrLine is the stderr hook: it strips _remote's reports and holds
// back ssh's own messages until _remote is known to run.
func (rr *remoteRank) stderrLine(line []byte) []byte {
	if line = takeNotice(line, &rr.notice); line == nil {
		return nil
	}
	i := bytes.Index(line, []byte(reportMark))
	if i < 0 {
		if rr.ready {
			return line
		}
		if len(rr.early) < maxEarlyLines && len(line) <= maxEarlyBytes {
			rr.early = append(rr.early, append([]byte(nil), line...))
		}
		return nil
	}
	var out []byte
	if i > 0 { // the rank's last line, lacking its newline
		out = append(append(out, line[:i]...), '\n')
	}
	rep, ok := parseReport(string(line[i+len(reportMark):]))
	switch {
	case !ok:
		return append(out, line[i:]...)
	case rep.kind == "stdin-ack":
		rr.flow.Lock()
		rr.acked = max(rr.acked, rep.acked)
		rr.flow.Unlock()
		rr.acks.Broadcast()
	case rep.kind == "ready":
		rr.ready = true
		for _, l := range rr.early {
			out = append(out, l...)
		}
		rr.early = nil
	default:
		rr.rep = &rep
	}
	return out
}

func (rr *remoteRank) wait() status {
	ps := rr.g.wait()
	drain(&rr.outs, rr.stdout, rr.stderr)
	rr.flow.Lock()
	rr.ended = true
	rr.flow.Unlock()
	rr.acks.Broadcast()
	rr.wmu.Lock()
	rr.stdin.Close()
	rr.wmu.Unlock()

	sshCode := ps.ExitCode()
	if sshCode < 0 {
		sshCode = 128 + int(statusOf(ps).signal)
	}
	switch {
	case rr.rep != nil && rr.rep.kind == "exit":
		return status{code: rr.rep.code, signal: syscall.Signal(rr.rep.signal), follows: rr.notice}
	case rr.rep != nil:
		return status{startErr: rr.rep.msg, sshCode: 127}
	case !rr.ready:
		msg := earlyText(rr.early)
		if msg == "" {
			msg = fmt.Sprintf("ssh exited with code %d", sshCode)
		}
		return status{startErr: msg, sshCode: sshCode}
	}
	return status{lostErr: fmt.Sprintf("ssh exited with code %d before the rank did", sshCode), sshCode: sshCode}
}

func earlyText(lines [][]byte) string {
	var parts []string
	for _, l := range lines {
		if s := strings.TrimSpace(string(l)); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}
