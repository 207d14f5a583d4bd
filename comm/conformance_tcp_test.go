package comm_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/commtest"
	"github.com/spmd-go/spmd/comm/tcp"
)

// tcpWorld wires n ranks over real TCP sockets on loopback, each rank on
// its own 127.0.x.y address as if on its own host.
func tcpWorld(t *testing.T, n int) []*comm.Comm { return wireTCP(t, n) }

// wireTCP is tcpWorld for tests and benchmarks alike.
func wireTCP(t testing.TB, n int) []*comm.Comm {
	t.Helper()
	return wireTCPWith(t, n, 0)
}

// wireTCPWith is wireTCP with tcp.Config.SingleCopy set to singleCopy.
func wireTCPWith(t testing.TB, n, singleCopy int) []*comm.Comm {
	t.Helper()
	secret := make([]byte, 32)
	rand.Read(secret)
	lns := make([]*tcp.Listener, n)
	peers := make([]string, n)
	for i := range lns {
		ln, err := tcp.Listen(fmt.Sprintf("127.0.%d.%d:0", 10+i/200, 1+i%200))
		if err != nil {
			t.Fatal(err)
		}
		lns[i], peers[i] = ln, ln.Addr()
	}
	cfg := tcp.Config{Secret: secret, Job: t.Name(), ConnectTimeout: 20 * time.Second, SingleCopy: singleCopy}
	ts := make([]*tcp.Transport, n)
	errs := make(chan error, n)
	for i := range lns {
		go func() {
			tr, err := tcp.Connect(context.Background(), lns[i], i, peers, cfg)
			ts[i] = tr
			errs <- err
		}()
	}
	for range lns {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	cs := make([]*comm.Comm, n)
	for i, tr := range ts {
		c, err := comm.New(tr, comm.Config{})
		if err != nil {
			t.Fatal(err)
		}
		cs[i] = c
	}
	return cs
}

func TestConformanceTCP(t *testing.T) { commtest.Run(t, tcpWorld) }
