package launch

import (
	"bufio"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startRemote runs this test binary as `_remote` with the given spec and
// returns it with the write end of its stdin and its stdout and stderr.
func startRemote(t *testing.T, spec *remoteSpec) (*exec.Cmd, *bufio.Reader, *strings.Builder, func(typ byte, p []byte), func()) {
	t.Helper()
	cmd := exec.Command(self(t), "_remote")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); cmd.Wait() })
	spec.Version = specVersion
	if err := writeSpec(stdin, spec); err != nil {
		t.Fatal(err)
	}
	send := func(typ byte, p []byte) { stdin.Write(appendFrame(nil, typ, p)) }
	return cmd, bufio.NewReader(stdout), &stderr, send, func() { stdin.Close() }
}

// waitTimeout waits for cmd with a bound.
func waitTimeout(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatal("_remote did not exit")
	}
	return cmd.ProcessState.ExitCode()
}

// TestRemoteLauncherGone checks the orphan rule: when _remote's stdin
// ends without an EOF frame (the launcher or its ssh died), _remote kills
// the rank and the rank's children.
func TestRemoteLauncherGone(t *testing.T) {
	cmd, out, stderr, _, closeStdin := startRemote(t, &remoteSpec{
		Argv: []string{"sh", "-c", `sleep 60 & echo $$ $!; wait`},
	})
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, f := range strings.Fields(line) {
		pid, _ := strconv.Atoi(f)
		pids = append(pids, pid)
	}
	closeStdin()
	if code := waitTimeout(t, cmd); code != 128+9 {
		t.Errorf("_remote exit %d, want %d", code, 128+9)
	}
	// SIGKILL is delivered asynchronously: give the children a moment.
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for alive(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if alive(pid) {
			t.Errorf("pid %d survived the launcher's EOF", pid)
		}
	}
	if want := reportMark + "ready\n" + reportMark + "exit signal=9\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}

// TestRemoteFrames checks stdin data and EOF frames, a signal frame, and
// the exit report.
func TestRemoteFrames(t *testing.T) {
	cmd, out, stderr, send, closeStdin := startRemote(t, &remoteSpec{
		Argv:  []string{"sh", "-c", `x=$(cat); echo "[$x] $FOO"; trap 'echo got TERM; exit 7' TERM; echo waiting; sleep 60 & wait`},
		Env:   []string{"FOO=bar"},
		Stdin: true,
	})
	defer closeStdin()
	send(frameData, []byte("hel"))
	send(frameData, []byte("lo"))
	send(frameEOF, nil)
	for _, want := range []string{"[hello] bar\n", "waiting\n"} {
		if got, _ := out.ReadString('\n'); got != want {
			t.Fatalf("stdout %q, want %q", got, want)
		}
	}
	send(frameSignal, []byte{byte(syscall.SIGTERM)})
	if got, _ := out.ReadString('\n'); got != "got TERM\n" {
		t.Errorf("stdout %q after SIGTERM", got)
	}
	if code := waitTimeout(t, cmd); code != 7 {
		t.Errorf("_remote exit %d, want 7", code)
	}
	if want := reportMark + "ready\n" + reportMark + "exit code=7\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}

// TestRemoteStartError checks the report for a program that cannot start.
func TestRemoteStartError(t *testing.T) {
	cmd, _, stderr, _, closeStdin := startRemote(t, &remoteSpec{Argv: []string{"/no/such/program"}})
	defer closeStdin()
	if code := waitTimeout(t, cmd); code != 127 {
		t.Errorf("_remote exit %d, want 127", code)
	}
	want := reportMark + "ready\n" + reportMark + "start-error fork/exec /no/such/program: no such file or directory\n"
	if stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
}
