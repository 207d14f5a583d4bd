package tcp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// childEnv names rank 0's address when this test binary runs as the rank
// 1 child process of TestProcessPeer.
const childEnv = "SPMD_TCP_TEST_CHILD_PEER"

// processConfig is shared by both processes: a short DeadAfter so the
// stopped peer is found quickly.
func processConfig() Config {
	cfg := testConfig()
	cfg.Heartbeat, cfg.DeadAfter = 50*time.Millisecond, time.Second
	return cfg
}

type nopHandler struct{ buf []byte }

func (h *nopHandler) Claim(hd comm.Header) []byte {
	if uint64(cap(h.buf)) < hd.Length {
		h.buf = make([]byte, hd.Length)
	}
	return h.buf[:hd.Length]
}
func (*nopHandler) Deliver(comm.Header, []byte, error) {}
func (*nopHandler) Lost(int, error)                    {}

// TestChildRank is rank 1 of TestProcessPeer when run as its child; on
// its own it does nothing.
func TestChildRank(t *testing.T) {
	peer0 := os.Getenv(childEnv)
	if peer0 == "" {
		t.Skip("only runs as the child of TestProcessPeer")
	}
	l, err := Listen("127.0.1.3:0")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Connect(context.Background(), l, 1, []string{peer0, l.Addr()}, processConfig())
	if err != nil {
		t.Fatal(err)
	}
	tr.Start(&nopHandler{})
	os.Stdout.WriteString("child: connected\n")
	select {} // compute forever; the heartbeat goroutines keep us alive
}

// TestProcessPeer runs rank 1 as a real process. Stopped with SIGSTOP,
// its heartbeats stop with it and rank 0 declares it lost after
// DeadAfter; killed with SIGKILL, the kernel closes its socket and rank 0
// learns at once, without a goodbye.
func TestProcessPeer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	for _, c := range []struct {
		name string
		sig  syscall.Signal
		want func(error) bool
	}{
		{"SIGSTOP", syscall.SIGSTOP, func(err error) bool { return errors.Is(err, ErrPeerSilent) }},
		{"SIGKILL", syscall.SIGKILL, func(err error) bool { return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := Listen("127.0.0.2:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestChildRank$", "-test.v")
			cmd.Env = append(os.Environ(), childEnv+"="+l.Addr())
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				cmd.Process.Signal(syscall.SIGKILL) // our own child, by pid
				cmd.Process.Signal(syscall.SIGCONT)
				cmd.Wait()
			}()
			lines := make(chan string, 16)
			go func() {
				s := bufio.NewScanner(out)
				for s.Scan() {
					lines <- s.Text()
				}
				close(lines)
			}()

			tr, err := Connect(ctx, l, 0, []string{l.Addr(), "127.0.1.3:0"}, processConfig())
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			rec := newRecorder()
			tr.Start(rec)
			for line := range lines {
				if strings.Contains(line, "child: connected") {
					break
				}
			}
			// Over a DeadAfter of a live, idle child: its heartbeats keep
			// it alive.
			time.Sleep(2 * processConfig().DeadAfter)
			if err, ok := rec.lostErr(1); ok {
				t.Fatalf("lost the idle child: %v", err)
			}
			if err := tr.Send(1, comm.Header{Type: comm.Float64, Length: 16}, make([]byte, 16)); err != nil {
				t.Fatal(err)
			}

			cmd.Process.Signal(c.sig)
			if err := rec.waitLost(t, 1); !c.want(err) {
				t.Errorf("after %v: Lost(1, %v)", c.sig, err)
			}
		})
	}
}
