package boot

import (
	"context"
	"fmt"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/shm"
)

// Shared memory between the ranks of one machine (package comm/shm) is on
// by default: Init layers it over the TCP links, so pairs of ranks on one
// machine talk through shared memory and the others through TCP. The
// environment tunes it, alike on every rank:
//
//	SPMD_SHM        "off" keeps every pair on TCP
//	SPMD_SHM_SPIN   how long a waiting call polls before it blocks (a
//	                duration such as 20us; "0" or "off" never polls;
//	                default calibrated on this machine)

// newWorld makes the world communicator over base (the connected TCP
// transport, perhaps wrapped by the notifier), with the shared-memory
// layer between them, and waits (a little) until every pair knows how it
// talks (comm.Comm.Route tells). The layer goes on top, so the core sees
// it as it is (it implements comm.Progresser and comm.Router) and every
// loss passes the notifier before it reaches the core.
func newWorld(ctx context.Context, tr comm.Transport, ccfg comm.Config, getenv func(string) string) (*comm.Comm, error) {
	cfg, err := shmConfig(getenv)
	if err != nil {
		tr.Close()
		return nil, err
	}
	sh, err := shm.New(tr, cfg)
	if err != nil {
		tr.Close()
		return nil, err
	}
	c, err := comm.New(sh, ccfg)
	if err != nil {
		sh.Close()
		return nil, err
	}
	// Every rank of a job offers and answers at once, in milliseconds; a
	// peer that has not after settleWait does not speak the shared-memory
	// layer (a rank wired by hand with tcp.Connect) and stays on TCP.
	sctx, cancel := context.WithTimeout(ctx, settleWait)
	defer cancel()
	sh.Settle(sctx)
	return c, nil
}

// settleWait bounds how long Init waits for every peer to say whether it
// shares memory.
const settleWait = 5 * time.Second

// shmConfig reads SPMD_SHM and SPMD_SHM_SPIN.
func shmConfig(getenv func(string) string) (shm.Config, error) {
	var cfg shm.Config
	switch s := getenv("SPMD_SHM"); s {
	case "", "on":
	case "off":
		cfg.Off = true
	default:
		return cfg, fmt.Errorf("boot: SPMD_SHM=%q: want on or off", s)
	}
	switch s := getenv("SPMD_SHM_SPIN"); s {
	case "":
	case "0", "off":
		cfg.Spin = -1
	default:
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return cfg, fmt.Errorf("boot: SPMD_SHM_SPIN=%q: want a duration such as 20us, or off", s)
		}
		cfg.Spin = d
	}
	return cfg, nil
}
