package bench

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// rawRounds is how many alternating rounds of comm and bare-socket
// ping-pongs a --raw measurement takes. Interleaving them means both see
// the same moments of a shared machine: measured one after the other, a
// burst of someone else's work could land on either and make the ratio
// anything from 0.4 to 3.
const rawRounds = 10

// pingPong times a round trip between ranks 0 and 1 (the others wait at
// the barriers) and reports half of it, the one-way latency; bandwidth is
// size over that half. With cfg.Raw, the same exchange also runs over a
// bare TCP connection between the same two processes, in rounds that
// alternate with the comm ones.
func pingPong(c *comm.Comm, size int, cfg Config) (Row, error) {
	if c.Size() < 2 {
		return Row{}, errors.New("pingpong needs at least 2 ranks")
	}
	buf := make([]byte, size)
	iters := cfg.iters(size)
	times := make([]float64, iters)
	var raw net.Conn
	var rawTimes []float64
	if cfg.Raw {
		var err error
		if raw, err = dialRaw(c, cfg); err != nil {
			return Row{}, fmt.Errorf("raw baseline: %w", err)
		}
		if raw != nil {
			defer raw.Close()
		}
		rawTimes = make([]float64, iters)
	}
	if err := c.Barrier(); err != nil {
		return Row{}, err
	}
	rounds := 1
	if cfg.Raw {
		rounds = min(rawRounds, iters)
	}
	for round := range rounds {
		lo, hi := round*iters/rounds, (round+1)*iters/rounds
		warm := 0
		if round == 0 {
			warm = cfg.Warmup
		}
		if err := commPingPong(c, buf, times[lo:hi], warm); err != nil {
			return Row{}, err
		}
		if raw != nil {
			if err := rawPingPong(raw, c.Rank(), buf, rawTimes[lo:hi], warm); err != nil {
				return Row{}, fmt.Errorf("raw baseline: %w", err)
			}
		}
	}
	r := row("pingpong", 2, size, times)
	if cfg.Raw && c.Rank() == 0 {
		s := Summarize(rawTimes)
		r.RawMed = s.Median * 1e6
		if s.Median > 0 {
			r.RawMBps = float64(size) / s.Median / 1e6
			r.Ratio = r.Median / r.RawMed
		}
	}
	return r, c.Barrier()
}

// commPingPong runs warm untimed and len(times) timed round trips through
// c between ranks 0 and 1; rank 0 records half of each.
func commPingPong(c *comm.Comm, buf []byte, times []float64, warm int) error {
	switch c.Rank() {
	case 0:
		for i := -warm; i < len(times); i++ {
			t0 := time.Now()
			if err := c.Send(buf, 1, 1); err != nil {
				return err
			}
			if _, err := c.Recv(buf, 1, 1); err != nil {
				return err
			}
			if i >= 0 {
				times[i] = time.Since(t0).Seconds() / 2
			}
		}
	case 1:
		for i := -warm; i < len(times); i++ {
			if _, err := c.Recv(buf, 0, 1); err != nil {
				return err
			}
			if err := c.Send(buf, 0, 1); err != nil {
				return err
			}
		}
	}
	return nil
}

// rawPingPong is commPingPong on the bare connection.
func rawPingPong(conn net.Conn, rank int, buf []byte, times []float64, warm int) error {
	for i := -warm; i < len(times); i++ {
		t0 := time.Now()
		if rank == 0 {
			if _, err := conn.Write(buf); err != nil {
				return err
			}
		}
		if _, err := io.ReadFull(conn, buf); err != nil {
			return err
		}
		if rank == 1 {
			if _, err := conn.Write(buf); err != nil {
				return err
			}
		} else if i >= 0 {
			times[i] = time.Since(t0).Seconds() / 2
		}
	}
	return nil
}

// dialRaw connects ranks 0 and 1 by a bare TCP socket (TCP_NODELAY, no
// framing): rank 1 listens on its host and tells rank 0 the address and a
// random token over the communicator; rank 0 dials and proves the token.
// Other ranks get a nil connection.
func dialRaw(c *comm.Comm, cfg Config) (net.Conn, error) {
	type invite struct {
		Addr  string
		Token []byte
	}
	switch c.Rank() {
	case 1:
		host := cfg.Host
		if host == "" {
			host = "127.0.0.1"
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, err
		}
		defer ln.Close()
		token := make([]byte, 16)
		rand.Read(token)
		if err := comm.SendValue(c, invite{ln.Addr().String(), token}, 0, 2); err != nil {
			return nil, err
		}
		ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
		conn, err := ln.Accept()
		if err != nil {
			return nil, err
		}
		got := make([]byte, len(token))
		if _, err := io.ReadFull(conn, got); err != nil || !bytes.Equal(got, token) {
			conn.Close()
			return nil, errors.New("the connection did not come from rank 0")
		}
		return conn, nil
	case 0:
		inv, _, err := comm.RecvValue[invite](c, 1, 2)
		if err != nil {
			return nil, err
		}
		conn, err := net.DialTimeout("tcp", inv.Addr, 10*time.Second)
		if err != nil {
			return nil, err
		}
		conn.(*net.TCPConn).SetNoDelay(true)
		if _, err := conn.Write(inv.Token); err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	}
	return nil, nil
}
