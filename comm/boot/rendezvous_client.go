package boot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"time"
)

// Client retry timing: the first retries come quickly (the server is
// usually starting at the same moment), later ones at most every
// maxRetryDelay. One connection attempt or challenge wait is bounded by
// attemptTimeout, so a server that accepts but says nothing is retried.
var (
	minRetryDelay  = 10 * time.Millisecond
	maxRetryDelay  = time.Second
	attemptTimeout = 5 * time.Second
)

// refusedError is a refusal or an authentication failure: retrying cannot
// help, so Exchange returns it at once.
type refusedError struct{ msg string }

func (e *refusedError) Error() string { return e.msg }

// exchangeTCP is Exchange with a rendezvous server at addr.
func exchangeTCP(ctx context.Context, addr string, rank, size int, myAddr string, secret []byte, job string) ([]string, error) {
	start := time.Now()
	var (
		lastErr     error
		lastStatus  *statusMsg // the last status the server sent, if any
		reached     bool       // the last attempt got an answer from the server
		everReached bool
	)
	delay := minRetryDelay
	for {
		addrs, st, ok, err := exchangeOnce(ctx, addr, rank, size, myAddr, secret, job)
		reached = ok
		everReached = everReached || ok
		if st != nil {
			lastStatus = st
		}
		if err == nil {
			return addrs, nil
		}
		var re *refusedError
		if errors.As(err, &re) {
			return nil, fmt.Errorf("rendezvous at %s: rank %d: %v", addr, rank, err)
		}
		lastErr = err
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			after := time.Since(start).Round(100 * time.Millisecond)
			switch {
			case reached && lastStatus != nil:
				return nil, fmt.Errorf("rendezvous: %v at %s after %v", lastStatus, addr, after)
			case lastStatus != nil:
				return nil, fmt.Errorf("rendezvous: lost the server at %s (%v); it last reported %v; gave up after %v", addr, lastErr, lastStatus, after)
			case everReached:
				return nil, fmt.Errorf("rendezvous at %s: no table after %v: %v", addr, after, lastErr)
			}
			return nil, fmt.Errorf("rendezvous: no server at %s after %v: %v", addr, after, lastErr)
		case <-t.C:
		}
		delay = min(2*delay, maxRetryDelay)
	}
}

// exchangeOnce is one connection to the server: register, then wait for
// the table. It returns the last status received, if any, and whether the
// server answered (reached: it sent a challenge).
func exchangeOnce(ctx context.Context, addr string, rank, size int, myAddr string, secret []byte, job string) (addrs []string, last *statusMsg, reached bool, err error) {
	dctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	var d net.Dialer
	c, err := d.DialContext(dctx, "tcp", addr)
	cancel()
	if err != nil {
		return nil, nil, false, err
	}
	defer c.Close()
	// Unblock reads when ctx ends.
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c.SetDeadline(time.Now().Add(attemptTimeout))
	kind, nonceS, err := readMsg(c, func(k rvKind) (int, bool) {
		switch k {
		case rvChallenge:
			return nonceSize, true
		case rvRefuse:
			return maxRefuseBody, true
		}
		return 0, false
	})
	if err != nil {
		return nil, nil, false, fmt.Errorf("waiting for the challenge: %v", err)
	}
	if kind == rvRefuse {
		_, msg := decodeRefuse(nonceS)
		return nil, nil, true, &refusedError{"refused: " + msg}
	}
	if len(nonceS) != nonceSize {
		return nil, nil, false, fmt.Errorf("%w: challenge of %d bytes", errMalformed, len(nonceS))
	}
	m := registerMsg{rank: rank, size: size, nonce: make([]byte, nonceSize), job: job, addr: myAddr}
	rand.Read(m.nonce)
	if err := writeMsg(c, rvRegister, m.encode(secret, nonceS)); err != nil {
		return nil, nil, true, fmt.Errorf("registering: %v", err)
	}

	// The server now answers with statuses until the table: no deadline
	// but ctx's.
	c.SetDeadline(time.Time{})
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	for {
		kind, body, err := readMsg(c, func(k rvKind) (int, bool) {
			switch k {
			case rvStatus:
				return maxStatusBody, true
			case rvTable:
				return tableMaxBody(size), true
			case rvRefuse:
				return maxRefuseBody, true
			}
			return 0, false
		})
		if err != nil {
			return nil, last, true, fmt.Errorf("waiting for the table: %v", err)
		}
		switch kind {
		case rvStatus:
			if st, ok := decodeStatus(body); ok {
				last = &st
			}
		case rvRefuse:
			_, msg := decodeRefuse(body)
			return nil, last, true, &refusedError{"refused: " + msg}
		case rvTable:
			addrs, err := decodeTable(body, size, secret, m.nonce, nonceS, job)
			if err != nil {
				return nil, last, true, &refusedError{err.Error()}
			}
			return addrs, last, true, nil
		}
	}
}
