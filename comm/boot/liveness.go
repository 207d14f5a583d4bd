package boot

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/tcp"
)

// Liveness holds the settings that decide how fast a failure is noticed.
// Zero fields take the environment's value, then the default:
//
//	DeadAfter   SPMD_DEAD_AFTER    a peer silent this long is lost (tcp default 15s)
//	Heartbeat   SPMD_HEARTBEAT     idle links send a ping this often (tcp default 1s)
//	Timeout     SPMD_TIMEOUT       bound on every wait of a blocking call (default none)
//	MaxMessage  SPMD_MAX_MESSAGE   largest message accepted, bytes (tcp default 2 GiB)
//	SingleCopy  SPMD_SINGLE_COPY   messages this large or larger (bytes) go between ranks
//	                               of one machine by single copy (tcp default 1 MiB);
//	                               "off" sends everything through the sockets
//
// A rank computing for hours is never mistaken for a dead one: heartbeats
// come from the transport's own goroutines, so only a stopped, hung or
// unreachable process falls silent. Timeout, by contrast, also fires on a
// live peer that is merely slow to send; leave it unset unless every wait
// in the program is known to be short. The environment carries these to
// every rank alike under any launcher (mpirun needs -x NAME).
type Liveness struct {
	DeadAfter  time.Duration
	Heartbeat  time.Duration
	Timeout    time.Duration
	MaxMessage uint64
	SingleCopy int // the one setting here not about failure: < 0 is off
}

// resolve fills zero fields from the environment.
func (l Liveness) resolve(getenv func(string) string) (Liveness, error) {
	dur := func(name string, v *time.Duration) error {
		s := getenv(name)
		if *v != 0 || s == "" {
			return nil
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("boot: %s=%q: want a positive duration such as 30s", name, s)
		}
		*v = d
		return nil
	}
	for _, f := range []struct {
		name string
		v    *time.Duration
	}{{"SPMD_DEAD_AFTER", &l.DeadAfter}, {"SPMD_HEARTBEAT", &l.Heartbeat}, {"SPMD_TIMEOUT", &l.Timeout}} {
		if err := dur(f.name, f.v); err != nil {
			return l, err
		}
	}
	if s := getenv("SPMD_MAX_MESSAGE"); l.MaxMessage == 0 && s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || n == 0 {
			return l, fmt.Errorf("boot: SPMD_MAX_MESSAGE=%q: want a positive number of bytes", s)
		}
		l.MaxMessage = n
	}
	if s := getenv("SPMD_SINGLE_COPY"); l.SingleCopy == 0 && s != "" {
		if s == "off" {
			l.SingleCopy = -1
		} else if n, err := strconv.Atoi(s); err == nil && n > 0 {
			l.SingleCopy = n
		} else {
			return l, fmt.Errorf("boot: SPMD_SINGLE_COPY=%q: want a positive number of bytes, or off", s)
		}
	}
	if l.Heartbeat != 0 && l.DeadAfter != 0 && l.Heartbeat >= l.DeadAfter {
		return l, fmt.Errorf("boot: heartbeat %v must be shorter than dead-after %v", l.Heartbeat, l.DeadAfter)
	}
	return l, nil
}

func (l Liveness) tcp(cfg tcp.Config) tcp.Config {
	cfg.DeadAfter, cfg.Heartbeat, cfg.MaxMessage, cfg.SingleCopy = l.DeadAfter, l.Heartbeat, l.MaxMessage, l.SingleCopy
	return cfg
}

// commConfig is the world's comm.Config, with onFailure (Options.OnFailure,
// maybe wrapped) as its OnFailure.
func (o Options) commConfig(onFailure func(error)) comm.Config {
	return comm.Config{Timeout: o.Liveness.Timeout, OnFailure: onFailure, Loss: o.Loss, OnPeerLost: o.OnPeerLost}
}
