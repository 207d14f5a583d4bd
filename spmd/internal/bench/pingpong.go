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

// pingPong times a round trip between ranks 0 and 1 (the others wait at
// the barriers) and reports half of it, the one-way latency; bandwidth is
// size over that half. With cfg.Raw, the same exchange runs again over a
// bare TCP connection between the same two processes.
func pingPong(c *comm.Comm, size int, cfg Config) (Row, error) {
	if c.Size() < 2 {
		return Row{}, errors.New("pingpong needs at least 2 ranks")
	}
	buf := make([]byte, size)
	iters := cfg.iters(size)
	times := make([]float64, iters)
	if err := c.Barrier(); err != nil {
		return Row{}, err
	}
	switch c.Rank() {
	case 0:
		for i := -cfg.Warmup; i < iters; i++ {
			t0 := time.Now()
			if err := c.Send(buf, 1, 1); err != nil {
				return Row{}, err
			}
			if _, err := c.Recv(buf, 1, 1); err != nil {
				return Row{}, err
			}
			if i >= 0 {
				times[i] = time.Since(t0).Seconds() / 2
			}
		}
	case 1:
		for i := -cfg.Warmup; i < iters; i++ {
			if _, err := c.Recv(buf, 0, 1); err != nil {
				return Row{}, err
			}
			if err := c.Send(buf, 0, 1); err != nil {
				return Row{}, err
			}
		}
	}
	r := row("pingpong", 2, size, times)
	if cfg.Raw {
		raw, err := rawPingPong(c, size, cfg, iters)
		if err != nil {
			return Row{}, fmt.Errorf("raw baseline: %w", err)
		}
		if c.Rank() == 0 {
			s := Summarize(raw)
			r.RawMed = s.Median * 1e6
			if s.Median > 0 {
				r.RawMBps = float64(size) / s.Median / 1e6
				r.Ratio = r.Median / r.RawMed
			}
		}
	}
	return r, c.Barrier()
}

// rawPingPong: rank 1 listens on its host, tells rank 0 the address and a
// random token over the communicator; rank 0 dials, proves the token, and
// the two ping-pong on the bare socket (TCP_NODELAY, no framing).
func rawPingPong(c *comm.Comm, size int, cfg Config, iters int) ([]float64, error) {
	type invite struct {
		Addr  string
		Token []byte
	}
	buf := make([]byte, size)
	times := make([]float64, iters)
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
		defer conn.Close()
		got := make([]byte, len(token))
		if _, err := io.ReadFull(conn, got); err != nil || !bytes.Equal(got, token) {
			return nil, errors.New("raw baseline: the connection did not come from rank 0")
		}
		for i := -cfg.Warmup; i < iters; i++ {
			if _, err := io.ReadFull(conn, buf); err != nil {
				return nil, err
			}
			if _, err := conn.Write(buf); err != nil {
				return nil, err
			}
		}
	case 0:
		inv, _, err := comm.RecvValue[invite](c, 1, 2)
		if err != nil {
			return nil, err
		}
		conn, err := net.DialTimeout("tcp", inv.Addr, 10*time.Second)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		conn.(*net.TCPConn).SetNoDelay(true)
		if _, err := conn.Write(inv.Token); err != nil {
			return nil, err
		}
		for i := -cfg.Warmup; i < iters; i++ {
			t0 := time.Now()
			if _, err := conn.Write(buf); err != nil {
				return nil, err
			}
			if _, err := io.ReadFull(conn, buf); err != nil {
				return nil, err
			}
			if i >= 0 {
				times[i] = time.Since(t0).Seconds() / 2
			}
		}
	}
	return times, nil
}
