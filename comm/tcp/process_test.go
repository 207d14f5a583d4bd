package tcp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// childEnv names rank 0's address when this test binary runs as the rank
// 1 child process of TestProcessPeer.
const childEnv = "SPMD_TCP_TEST_CHILD_PEER"

// processConfig is shared by both processes: a DeadAfter short enough
// that the stopped peer is found quickly, and 60 heartbeats long, so that
// a loaded machine delaying the live child's pings does not make it a
// dead one.
func processConfig() Config {
	cfg := testConfig()
	cfg.Heartbeat, cfg.DeadAfter = 50*time.Millisecond, 3*time.Second
	return cfg
}

// childDeadEnv, when set, is the child's own DeadAfter (a duration).
const childDeadEnv = "SPMD_TCP_TEST_CHILD_DEAD_AFTER"

type nopHandler struct{ buf []byte }

func (h *nopHandler) Claim(hd comm.Header) []byte {
	if uint64(cap(h.buf)) < hd.Length {
		h.buf = make([]byte, hd.Length)
	}
	return h.buf[:hd.Length]
}
func (*nopHandler) Deliver(comm.Header, []byte, error) {}

// Lost tells the parent, on stdout, that the child lost it.
func (*nopHandler) Lost(peer int, err error) {
	fmt.Printf("child: lost rank %d: %v\n", peer, err)
}

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
	cfg := processConfig()
	if d, err := time.ParseDuration(os.Getenv(childDeadEnv)); err == nil {
		cfg.DeadAfter = d
	}
	testHookExcused = func(peer int, late time.Duration) {
		fmt.Printf("child: excused the silence of rank %d, %v late\n", peer, late.Round(time.Millisecond))
	}
	tr, err := Connect(context.Background(), l, 1, []string{peer0, l.Addr()}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr.Start(&nopHandler{})
	os.Stdout.WriteString("child: connected\n")
	select {} // compute forever; the heartbeat goroutines keep us alive
}

// childRank is a child process of the test running TestChildRank: rank
// 1 of a world of two whose rank 0 is the test, listening on l.
type childRank struct {
	l   *Listener
	cmd *exec.Cmd
	out syncLines // its stdout
}

// startChild starts the child with extra environment; it is killed when
// the test ends.
func startChild(t *testing.T, env ...string) *childRank {
	t.Helper()
	l, err := Listen("127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &childRank{l: l}
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestChildRank$", "-test.v")
	c.cmd.Env = append(append(os.Environ(), childEnv+"="+l.Addr()), env...)
	c.cmd.Stdout = &c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.cmd.Process.Signal(syscall.SIGKILL) // our own child, by pid
		c.cmd.Process.Signal(syscall.SIGCONT)
		c.cmd.Wait()
	})
	return c
}

// connect is rank 0's side of the wire-up with the child.
func (c *childRank) connect(t *testing.T, cfg Config) (*Transport, *recorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	tr, err := Connect(ctx, c.l, 0, []string{c.l.Addr(), "127.0.1.3:0"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	rec := newRecorder()
	tr.Start(rec)
	waitFor(t, "the child up", func() bool { return c.out.has("child: connected") })
	return tr, rec
}

// countPings counts the pings rank 0 receives from rank 1 while the test
// runs.
func countPings(t *testing.T) *atomic.Int64 {
	var pings atomic.Int64
	testHookPing = func(self, peer int) {
		if self == 0 && peer == 1 {
			pings.Add(1)
		}
	}
	t.Cleanup(func() { testHookPing = nil })
	return &pings
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
			pings := countPings(t)
			child := startChild(t)
			tr, rec := child.connect(t, processConfig())
			// A live, idle child keeps its link alive with heartbeats:
			// wait for several (however long a loaded machine makes that).
			waitFor(t, "pings from the idle child", func() bool { return pings.Load() >= 5 })
			if err, ok := rec.lostErr(1); ok {
				t.Fatalf("lost the idle child: %v", err)
			}
			if err := tr.Send(1, comm.Header{Type: comm.Float64, Length: 16}, make([]byte, 16)); err != nil {
				t.Fatal(err)
			}

			child.cmd.Process.Signal(c.sig)
			if err := rec.waitLost(t, 1); !c.want(err) {
				t.Errorf("after %v: Lost(1, %v)", c.sig, err)
			}
		})
	}
}

// TestStalledReaderNotLost: a rank whose own process does not run for
// longer than its DeadAfter (stopped here; on a loaded machine, starved)
// must not take the silence for its peer's: the peer's pings are waiting
// in its socket when it runs again. The child (rank 1, DeadAfter 1s) is
// stopped for 2s while this process (rank 0, DeadAfter 1m) keeps pinging
// it; after it runs again it must still hold its link and ping on.
func TestStalledReaderNotLost(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	pings := countPings(t)
	child := startChild(t, childDeadEnv+"=1s")
	cfg := processConfig()
	cfg.DeadAfter = time.Minute
	_, rec := child.connect(t, cfg)
	waitFor(t, "the child pinging", func() bool { return pings.Load() >= 3 })

	child.cmd.Process.Signal(syscall.SIGSTOP)
	time.Sleep(2 * time.Second) // the stall: twice the child's DeadAfter
	child.cmd.Process.Signal(syscall.SIGCONT)
	after := pings.Load()
	waitFor(t, "pings from the child after its stall", func() bool { return pings.Load() >= after+5 || child.out.has("child: lost") })
	// Whether the child's deadline or its pending input wakes it first
	// after the stop is the runtime's choice: when the deadline does, the
	// silence must be excused (the old code declared rank 0 lost there).
	if child.out.has("child: lost") {
		t.Errorf("the child, stopped for 2s with DeadAfter 1s, said:\n%s\nwant no loss", child.out.String())
	}
	t.Logf("the child said:\n%s", child.out.String())
	if err, ok := rec.lostErr(1); ok {
		t.Errorf("lost the child: %v", err)
	}
}

// syncLines collects a child's output for a test polling it.
type syncLines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncLines) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncLines) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncLines) has(sub string) bool { return strings.Contains(s.String(), sub) }
