package shm_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/shm"
	"github.com/spmd-go/spmd/comm/tcp"
)

// world wires n ranks of this process over TCP on loopback, each rank on
// its own 127.0.x.y address, with the shared-memory layer on top; rank i
// says it runs on machine machines[i%len(machines)], so pairs on the same
// named machine share memory and the others keep TCP. It waits until
// every pair has settled and returns the communicators and the layers.
func world(t testing.TB, n int, cfg shm.Config, machines ...string) ([]*comm.Comm, []*shm.Transport) {
	t.Helper()
	return worldWith(t, n, func(i int) shm.Config {
		c := cfg
		if len(machines) > 0 {
			c.Machine = machines[i%len(machines)]
		}
		return c
	})
}

// worldWith is world with rank i's Config from cfg(i).
func worldWith(t testing.TB, n int, cfg func(i int) shm.Config) ([]*comm.Comm, []*shm.Transport) {
	t.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	lns := make([]*tcp.Listener, n)
	peers := make([]string, n)
	for i := range lns {
		ln, err := tcp.Listen(fmt.Sprintf("127.0.%d.%d:0", 40+i/200, 1+i%200))
		if err != nil {
			t.Fatal(err)
		}
		lns[i], peers[i] = ln, ln.Addr()
	}
	tcfg := tcp.Config{Secret: secret, Job: t.Name(), ConnectTimeout: 20 * time.Second}
	bases := make([]*tcp.Transport, n)
	errs := make(chan error, n)
	for i := range lns {
		go func() {
			tr, err := tcp.Connect(context.Background(), lns[i], i, peers, tcfg)
			bases[i] = tr
			errs <- err
		}()
	}
	for range lns {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	cs := make([]*comm.Comm, n)
	ts := make([]*shm.Transport, n)
	for i, b := range bases {
		tr, err := shm.New(b, cfg(i))
		if err != nil {
			t.Fatal(err)
		}
		cc, err := comm.New(tr, comm.Config{})
		if err != nil {
			t.Fatal(err)
		}
		cs[i], ts[i] = cc, tr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, tr := range ts {
		if err := tr.Settle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return cs, ts
}

// sharedWorld is a world on one machine: every pair shares memory. A
// first Barrier has made its window for comm's shared-memory collectives.
func sharedWorld(t *testing.T, n int) []*comm.Comm {
	cs, ts := world(t, n, shm.Config{}, "one")
	barrierOnce(t, cs)
	for i, tr := range ts {
		for j := range n {
			if r := tr.Route(j); j != i && r != "shm" {
				t.Fatalf("rank %d reaches rank %d by %q: %s", i, j, r, tr.Why(j))
			}
		}
	}
	return cs
}

// mixedWorld puts ranks on two pretended machines, alternately: pairs on
// one machine share memory, the others keep TCP.
func mixedWorld(t *testing.T, n int) []*comm.Comm {
	cs, ts := world(t, n, shm.Config{}, "a", "b")
	barrierOnce(t, cs)
	for i, tr := range ts {
		for j := range n {
			want := "shm"
			if i%2 != j%2 {
				want = "tcp"
			}
			if r := tr.Route(j); j != i && r != want {
				t.Fatalf("rank %d reaches rank %d by %q (%s), want %q", i, j, r, tr.Why(j), want)
			}
		}
	}
	return cs
}

// barrierOnce runs a first Barrier on every rank of cs (which decides
// whether comm's collectives meet in a shared window).
func barrierOnce(t testing.TB, cs []*comm.Comm) {
	t.Helper()
	errs := make(chan error, len(cs))
	for _, c := range cs {
		go func() { errs <- c.Barrier() }()
	}
	for range cs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
