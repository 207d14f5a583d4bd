package shm_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/boot"
)

// The tests in this file run ranks as real processes (children of the
// test binary, wired by boot.Init over TCP with shared memory between
// them), because what they check happens to processes: a rank killed by
// SIGKILL holds no lock and says no goodbye; a rank stopped by SIGSTOP
// keeps its memory mapped but never answers.

// Environment of a child rank.
const (
	envWorkload = "SPMD_SHM_TEST_WORKLOAD"
	envRank     = "SPMD_SHM_TEST_RANK"
	envPeers    = "SPMD_SHM_TEST_PEERS"
)

// deadAfter is the children's liveness bound (SPMD_DEAD_AFTER), and
// reportLimit how long the test waits for every survivor to report an
// error: generous, for a loaded machine, but finite, so a hang fails.
const (
	deadAfter   = 3 * time.Second
	reportLimit = 60 * time.Second
)

// TestRankProcess is one rank of a process test when run as a child; on
// its own it does nothing.
func TestRankProcess(t *testing.T) {
	work := os.Getenv(envWorkload)
	if work == "" {
		t.Skip("only runs as a child of the process tests")
	}
	rank, _ := strconv.Atoi(os.Getenv(envRank))
	peers := strings.Split(os.Getenv(envPeers), ",")
	c, _, err := boot.Init(context.Background(), boot.Options{Peers: peers, Rank: rank})
	if err != nil {
		fmt.Printf("rank %d: init: %v\n", rank, err)
		os.Exit(1)
	}
	for r := range c.Size() {
		if r != rank && c.Route(r) != "shm" {
			fmt.Printf("rank %d: init: reaches rank %d by %q, not shm\n", rank, r, c.Route(r))
			os.Exit(1)
		}
	}
	err = childWork(c, work)
	fmt.Printf("rank %d: error: %v\n", rank, err)
	// Stay: a survivor that exited now would be one more lost rank, and
	// another survivor could hear of that loss before the victim's.
	select {}
}

// childWork runs a workload until it fails, printing "ready" once under
// way.
func childWork(c *comm.Comm, work string) error {
	ready := func() { fmt.Printf("rank %d: ready\n", c.Rank()) }
	switch work {
	case "pingpong": // ranks 0 and 1 ping-pong 8 bytes; the others wait for a message
		buf := make([]byte, 8)
		for i := 0; ; i++ {
			if i == 1000 || (c.Rank() > 1 && i == 0) {
				ready()
			}
			var err error
			switch c.Rank() {
			case 0:
				if err = c.Send(buf, 1, 0); err == nil {
					_, err = c.Recv(buf, 1, 0)
				}
			case 1:
				if _, err = c.Recv(buf, 0, 0); err == nil {
					err = c.Send(buf, 0, 0)
				}
			default:
				_, err = c.Recv(buf, comm.AnySource, 0)
			}
			if err != nil {
				return err
			}
		}
	case "allreduce": // every rank, 1 Mi float64 at a time: long messages through the rings
		x := make([]float64, 1<<20)
		y := make([]float64, len(x))
		for i := 0; ; i++ {
			if i == 3 {
				ready()
			}
			if err := c.Allreduce(x, y, comm.Sum); err != nil {
				return err
			}
		}
	case "barrier": // every rank, Barrier after Barrier: the shared window of comm's collectives
		for i := 0; ; i++ {
			if i == 1000 {
				ready()
			}
			if err := c.Barrier(); err != nil {
				return err
			}
		}
	case "barrier-wait": // after one Barrier (the window is made), rank 0 waits in one rank 1 never joins
		if err := c.Barrier(); err != nil {
			return err
		}
		ready()
		if c.Rank() == 0 {
			return c.Barrier()
		}
		select {}
	case "wait": // after one message (so the pair has switched to its ring), rank 0 waits for one rank 1 never sends
		buf := make([]byte, 8)
		if c.Rank() == 0 {
			if _, err := c.Recv(buf, 1, 0); err != nil {
				return err
			}
			ready()
			_, err := c.Recv(buf, 1, 0)
			return err
		}
		if err := c.Send(buf, 0, 0); err != nil {
			return err
		}
		ready()
		select {}
	}
	return fmt.Errorf("unknown workload %q", work)
}

// child is a rank process of a test.
type child struct {
	cmd   *exec.Cmd
	lines chan string
}

// startRanks starts n rank processes running work and waits until each
// has printed ready.
func startRanks(t *testing.T, n int, work string) []*child {
	t.Helper()
	if testing.Short() {
		t.Skip("starts rank processes")
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	peers := make([]string, n)
	for i := range peers {
		peers[i] = freeAddr(t, fmt.Sprintf("127.0.77.%d", i+1))
	}
	cs := make([]*child, n)
	for i := range cs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRankProcess$", "-test.v")
		cmd.Env = append(os.Environ(), envWorkload+"="+work, envRank+"="+strconv.Itoa(i), envPeers+"="+strings.Join(peers, ","),
			"SPMD_SECRET="+hex.EncodeToString(secret), "SPMD_JOB="+filepath.Base(t.Name()), "SPMD_DEAD_AFTER="+deadAfter.String(),
			"SPMD_HEARTBEAT=200ms", "SPMD_SHM=on")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = cmd.Stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		c := &child{cmd: cmd, lines: make(chan string, 64)}
		go func() {
			s := bufio.NewScanner(out)
			for s.Scan() {
				c.lines <- s.Text()
			}
			close(c.lines)
		}()
		cs[i] = c
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGCONT)
			cmd.Process.Kill() // our own child, by pid
			cmd.Wait()
		})
	}
	for i, c := range cs {
		if line, ok := c.await(reportLimit, "ready", "error", "init"); !ok || !strings.Contains(line, "ready") {
			t.Fatalf("rank %d did not get under way: %q", i, line)
		}
	}
	return cs
}

// await returns the first line of c's output that contains one of words,
// or false after limit (or at the end of its output).
func (c *child) await(limit time.Duration, words ...string) (string, bool) {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				return "(no more output)", false
			}
			for _, w := range words {
				if strings.Contains(line, w) {
					return line, true
				}
			}
		case <-timer.C:
			return fmt.Sprintf("(nothing within %v)", limit), false
		}
	}
}

// freeAddr returns host:port with a port free on host right now.
func freeAddr(t *testing.T, host string) string {
	l, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// expectErrorsNaming checks that every rank but victim reports an error
// naming the victim.
func expectErrorsNaming(t *testing.T, cs []*child, victim int) {
	t.Helper()
	for i, c := range cs {
		if i == victim {
			continue
		}
		line, ok := c.await(reportLimit, "error")
		if !ok {
			t.Errorf("rank %d reported no error after rank %d died: %s", i, victim, line)
			continue
		}
		if !strings.Contains(line, fmt.Sprintf("rank %d", victim)) {
			t.Errorf("rank %d's error does not name rank %d: %s", i, victim, line)
		}
	}
}

// TestKillMidPingPong: rank 1 is killed (SIGKILL) while it ping-pongs
// with rank 0 through shared memory and rank 2 waits for a message; both
// survivors return an error naming rank 1.
func TestKillMidPingPong(t *testing.T) {
	cs := startRanks(t, 3, "pingpong")
	cs[1].cmd.Process.Kill()
	expectErrorsNaming(t, cs, 1)
}

// TestKillMidAllreduce: rank 1 of 3 is killed while they run Allreduce on
// 1 Mi float64 (messages longer than a ring, so some are half-written and
// half-read when it dies); both survivors return an error naming it.
func TestKillMidAllreduce(t *testing.T) {
	cs := startRanks(t, 3, "allreduce")
	time.Sleep(50 * time.Millisecond) // somewhere in the middle of one
	cs[1].cmd.Process.Kill()
	expectErrorsNaming(t, cs, 1)
}

// TestKillMidBarrier: rank 1 of 3 is killed while they meet in Barrier
// after Barrier in comm's shared window (no messages at all); both
// survivors return an error naming it.
func TestKillMidBarrier(t *testing.T) {
	cs := startRanks(t, 3, "barrier")
	cs[1].cmd.Process.Kill()
	expectErrorsNaming(t, cs, 1)
}

// TestStoppedPeerDoesNotBurnCPU: rank 1 is stopped (SIGSTOP) while rank 0
// waits for it, in a receive (the rings) or in a Barrier (comm's shared
// window). Rank 0 spins for a moment and then sleeps: over a second of
// the stop its threads are on a core or waiting for one (a spinning
// thread always is, however loaded the machine) for well under half of
// the time. After the liveness bound it returns an error naming rank 1.
func TestStoppedPeerDoesNotBurnCPU(t *testing.T) {
	for _, work := range []string{"wait", "barrier-wait"} {
		t.Run(work, func(t *testing.T) {
			cs := startRanks(t, 2, work)
			time.Sleep(100 * time.Millisecond) // rank 0 is in its wait
			cs[1].cmd.Process.Signal(syscall.SIGSTOP)
			before, err := busyTime(cs[0].cmd.Process.Pid)
			if err != nil {
				t.Skipf("no scheduler statistics: %v", err)
			}
			const window = time.Second
			t0 := time.Now()
			time.Sleep(window)
			after, err := busyTime(cs[0].cmd.Process.Pid)
			wall := time.Since(t0)
			if err != nil {
				t.Fatal(err)
			}
			if busy := after - before; busy > wall/2 {
				t.Errorf("while rank 1 was stopped, rank 0 was on a core or waiting for one %v of %v", busy, wall)
			} else {
				t.Logf("while rank 1 was stopped, rank 0 was on a core or waiting for one %v of %v", busy, wall)
			}
			expectErrorsNaming(t, cs, 1)
		})
	}
}

// busyTime sums, over every thread of process pid, the time spent on a
// core and waiting on a run queue (/proc/PID/task/*/schedstat).
func busyTime(pid int) (time.Duration, error) {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(tasks) == 0 {
		return 0, errors.Join(err, errors.New("no /proc/PID/task/*/schedstat"))
	}
	var sum time.Duration
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended
		}
		var run, wait int64
		if _, err := fmt.Sscan(string(b), &run, &wait); err != nil {
			return 0, fmt.Errorf("%s: %v", f, err)
		}
		sum += time.Duration(run + wait)
	}
	return sum, nil
}
