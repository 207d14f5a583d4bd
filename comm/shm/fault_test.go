package shm_test

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
	"github.com/spmd-go/spmd/comm/shm"
	"github.com/spmd-go/spmd/comm/tcp"
)

// The fault cases of commtest over shared memory: the survivors are ranks
// of this process, the victim a process of its own (this test binary run
// again as TestFaultVictim), all of them on one machine, so every pair
// shares memory; the test's kill is SIGKILL.

const (
	victimEnv    = "SPMD_SHM_FAULT_VICTIM" // "RANK SIZE POLICY"
	victimSecret = "SPMD_SHM_FAULT_SECRET" // hex
)

func faultAddr(r int) string { return fmt.Sprintf("127.0.43.%d:0", r+1) }

// faultyWorld is commtest.NewFaultyWorld on shared memory with the victim
// in a child process, which prints its address, reads everyone's from its
// stdin, wires up, and then keeps quiet until killed (or until its stdin
// ends: this process died).
func faultyWorld(t *testing.T, n int, cfg comm.Config, victim int) ([]*comm.Comm, func()) {
	t.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	child := exec.Command(os.Args[0], "-test.run=^TestFaultVictim$")
	child.Env = append(os.Environ(), fmt.Sprintf("%s=%d %d %d", victimEnv, victim, n, int(cfg.Loss)), victimSecret+"="+hex.EncodeToString(secret))
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
	var once sync.Once
	kill := func() {
		once.Do(func() {
			child.Process.Signal(syscall.SIGKILL) // our own child, by pid
			child.Wait()
		})
	}
	t.Cleanup(kill)
	lines := bufio.NewScanner(stdout)
	addrs := make([]string, n)
	if lines.Scan() {
		addrs[victim], _ = strings.CutPrefix(lines.Text(), "addr ")
	}
	if addrs[victim] == "" {
		t.Fatalf("the victim process printed no address: %v", lines.Err())
	}
	go io.Copy(io.Discard, stdout)
	lns := make([]*tcp.Listener, n)
	for r := range n {
		if r != victim {
			if lns[r], err = tcp.Listen(faultAddr(r)); err != nil {
				t.Fatal(err)
			}
			addrs[r] = lns[r].Addr()
		}
	}
	fmt.Fprintln(stdin, strings.Join(addrs, " "))
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
			cs[r], errs[r] = faultRank(lns[r], r, addrs, secret, cfg)
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

// faultRank wires one rank: TCP, the shared-memory layer, comm, and waits
// until every pair has settled.
func faultRank(ln *tcp.Listener, rank int, addrs []string, secret []byte, cfg comm.Config) (*comm.Comm, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commtest.Timeout)
	defer cancel()
	base, err := tcp.Connect(ctx, ln, rank, addrs, tcp.Config{Secret: secret, Job: "shm-faults", ConnectTimeout: commtest.Timeout})
	if err != nil {
		return nil, err
	}
	tr, err := shm.New(base, shm.Config{Machine: "one"})
	if err != nil {
		return nil, err
	}
	c, err := comm.New(tr, cfg)
	if err != nil {
		return nil, err
	}
	for r := range addrs {
		if r != rank && c.Route(r) != "shm" && tr.Settle(ctx) == nil && c.Route(r) != "shm" {
			return nil, fmt.Errorf("rank %d reaches rank %d by %q: %s", rank, r, c.Route(r), tr.Why(r))
		}
	}
	return c, nil
}

// TestFaultVictim is the victim rank of faultyWorld when run as its
// child; on its own it does nothing.
func TestFaultVictim(t *testing.T) {
	spec := os.Getenv(victimEnv)
	if spec == "" {
		t.Skip("only runs as the victim process of the shared-memory fault cases")
	}
	var rank, size, policy int
	if _, err := fmt.Sscan(spec, &rank, &size, &policy); err != nil {
		t.Fatal(err)
	}
	secret, err := hex.DecodeString(os.Getenv(victimSecret))
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
	go func() {
		for in.Scan() {
		}
		os.Exit(0) // the test process is gone: do not outlive it
	}()
	c, err := faultRank(ln, rank, addrs, secret, comm.Config{Loss: comm.LossPolicy(policy)})
	if err != nil {
		t.Fatal(err)
	}
	c.Recv(make([]byte, 1), comm.AnySource, 0) // silent until killed; an abort ends the wait
	time.Sleep(time.Hour)
}

// TestFaultsShared runs commtest's fault cases with every pair of ranks on
// shared memory.
func TestFaultsShared(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process per case")
	}
	commtest.RunFaults(t, faultyWorld)
}
