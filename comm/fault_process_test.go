package comm_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/commtest"
	"github.com/spmd-go/spmd/comm/tcp"
)

// The fault cases of commtest over TCP, with the victim rank in a real
// process of its own (this test binary run again as TestFaultVictim): the
// test's kill is SIGKILL, and the survivors learn of it the way they
// would in a job, from the kernel closing the victim's sockets.

// Environment of the victim process.
const (
	victimEnv       = "SPMD_COMM_FAULT_VICTIM" // "RANK SIZE POLICY"
	victimSecretEnv = "SPMD_COMM_FAULT_SECRET" // hex
	victimJobEnv    = "SPMD_COMM_FAULT_JOB"
)

// faultAddr is rank r's listening address: one loopback address per rank,
// as if each were on its own host.
func faultAddr(r int) string { return fmt.Sprintf("127.0.42.%d:0", r+1) }

// tcpProcessFaultyWorld is commtest.NewFaultyWorld over TCP with the victim
// in a child process. The child prints its address, reads everyone's from
// its stdin, wires up, and then only keeps its links alive; it exits when
// its stdin ends (this process died) or when killed.
func tcpProcessFaultyWorld(t *testing.T, n int, cfg comm.Config, victim int) ([]*comm.Comm, func()) {
	t.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	job := t.Name()

	ctx, cancel := context.WithTimeout(context.Background(), commtest.Timeout)
	defer cancel()
	child := exec.Command(os.Args[0], "-test.run=^TestFaultVictim$")
	child.Env = append(os.Environ(),
		fmt.Sprintf("%s=%d %d %d", victimEnv, victim, n, int(cfg.Loss)),
		victimSecretEnv+"="+hex.EncodeToString(secret),
		victimJobEnv+"="+job)
	child.Stderr = os.Stderr
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	var killOnce sync.Once
	kill := func() {
		killOnce.Do(func() {
			child.Process.Signal(syscall.SIGKILL) // our own child, by pid
			child.Wait()
		})
	}
	t.Cleanup(kill)
	lines := bufio.NewScanner(stdout)
	victimAddr := ""
	if lines.Scan() {
		victimAddr, _ = strings.CutPrefix(lines.Text(), "addr ")
	}
	if victimAddr == "" {
		t.Fatalf("the victim process printed no address: %v", lines.Err())
	}
	go io.Copy(io.Discard, stdout)

	lns := make([]*tcp.Listener, n)
	addrs := make([]string, n)
	for r := range n {
		if r == victim {
			addrs[r] = victimAddr
			continue
		}
		if lns[r], err = tcp.Listen(faultAddr(r)); err != nil {
			t.Fatal(err)
		}
		addrs[r] = lns[r].Addr()
	}
	if _, err := fmt.Fprintln(stdin, strings.Join(addrs, " ")); err != nil {
		t.Fatal(err)
	}
	tc := tcp.Config{Secret: secret, Job: job, ConnectTimeout: commtest.Timeout}
	cs := make([]*comm.Comm, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for r := range n {
		if r == victim {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr, err := tcp.Connect(ctx, lns[r], r, addrs, tc)
			if err != nil {
				errs[r] = err
				return
			}
			cs[r], errs[r] = comm.New(tr, cfg)
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		var wg sync.WaitGroup
		for _, c := range cs {
			if c != nil {
				wg.Add(1)
				go func() { defer wg.Done(); c.Close() }()
			}
		}
		wg.Wait()
		stdin.Close()
	})
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	return cs, kill
}

// TestFaultVictim is the victim rank of tcpProcessFaultyWorld when run as
// its child; on its own it does nothing.
func TestFaultVictim(t *testing.T) {
	spec := os.Getenv(victimEnv)
	if spec == "" {
		t.Skip("only runs as the victim process of the TCP fault cases")
	}
	var rank, size, policy int
	if _, err := fmt.Sscan(spec, &rank, &size, &policy); err != nil {
		t.Fatalf("%s=%q: %v", victimEnv, spec, err)
	}
	secret, err := hex.DecodeString(os.Getenv(victimSecretEnv))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tcp.Listen(faultAddr(rank))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("addr " + ln.Addr())
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() {
		t.Fatal("no address table on stdin")
	}
	addrs := strings.Fields(in.Text())
	if len(addrs) != size {
		t.Fatalf("address table of %d ranks, want %d", len(addrs), size)
	}
	go func() {
		for in.Scan() {
		}
		os.Exit(0) // the test process is gone: do not outlive it
	}()
	tr, err := tcp.Connect(context.Background(), ln, rank, addrs,
		tcp.Config{Secret: secret, Job: os.Getenv(victimJobEnv), ConnectTimeout: commtest.Timeout})
	if err != nil {
		t.Fatal(err)
	}
	c, err := comm.New(tr, comm.Config{Loss: comm.LossPolicy(policy)})
	if err != nil {
		t.Fatal(err)
	}
	// Silent until killed; an abort by a survivor ends the wait.
	c.Recv(make([]byte, 1), comm.AnySource, 0)
	time.Sleep(time.Hour)
}

func TestFaultsTCPProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process per case")
	}
	commtest.RunFaults(t, tcpProcessFaultyWorld)
}
