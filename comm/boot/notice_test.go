package boot

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/tcp"
)

func TestNoticeRoundTrip(t *testing.T) {
	for _, n := range []Notice{{Follows: 0}, {Follows: 7, Aborted: true, Code: 3}, {Follows: 2, Aborted: true, Code: -1}} {
		s := n.String()
		if s[:len(NoticeMark)] != NoticeMark || s[len(s)-1] != '\n' {
			t.Errorf("%+v.String() = %q", n, s)
		}
		got, ok := ParseNotice(s[len(NoticeMark):])
		if !ok || got != n {
			t.Errorf("ParseNotice(%q) = %+v, %v; want %+v", s, got, ok, n)
		}
	}
	for _, bad := range []string{"", "follows=", "follows=-1", "follows=1 abort=", "abort=1 follows=2", "follows=1 abort=1 x=2", "rank=1"} {
		if n, ok := ParseNotice(bad); ok {
			t.Errorf("ParseNotice(%q) = %+v, want a refusal", bad, n)
		}
	}
}

// syncBuf is a bytes.Buffer for a notifier another goroutine writes.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// noticeWorld wires n ranks over TCP on loopback, each transport wrapped
// by a notifier writing to its own buffer.
func noticeWorld(t *testing.T, n int) ([]*comm.Comm, []*syncBuf) {
	t.Helper()
	addrs := make([]string, n)
	for i := range addrs {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", 2+i))
		if err != nil {
			t.Fatal(err)
		}
		addrs[i] = l.Addr().String()
		l.Close()
	}
	cs := make([]*comm.Comm, n)
	bufs := make([]*syncBuf, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for r := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr, err := tcp.Dial(context.Background(), r, addrs, tcp.Config{Secret: testSecret, Job: "notice", ConnectTimeout: 20 * time.Second})
			if err != nil {
				errs[r] = err
				return
			}
			bufs[r] = &syncBuf{}
			nt := &notifier{w: bufs[r]}
			cs[r], errs[r] = comm.New(nt.transport(tr), comm.Config{OnFailure: nt.onFailure(nil)})
		}()
	}
	wg.Wait()
	for r, err := range errs {
		if err != nil {
			t.Fatalf("rank %d: %v", r, err)
		}
	}
	return cs, bufs
}

// TestNotices: when rank 2 aborts, ranks 0 and 1 each write one notice
// naming it, before their Barrier returns the abort; rank 2 writes none.
// A job whose ranks all close normally writes no notice at all.
func TestNotices(t *testing.T) {
	cs, bufs := noticeWorld(t, 3)
	var wg sync.WaitGroup
	for r := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := cs[r].Barrier()
			// The notice is out before the error reaches the caller.
			want := Notice{Follows: 2, Aborted: true, Code: 3}.String()
			if got := bufs[r].String(); err == nil || got != want {
				t.Errorf("rank %d: Barrier = %v with notice %q; want an abort and %q", r, err, got, want)
			}
			cs[r].Close()
		}()
	}
	cs[2].Abort(3)
	wg.Wait()
	if got := bufs[2].String(); got != "" {
		t.Errorf("the aborting rank wrote %q", got)
	}

	cs, bufs = noticeWorld(t, 3)
	for r := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cs[r].Barrier(); err != nil {
				t.Errorf("rank %d: %v", r, err)
			}
			cs[r].Close()
		}()
	}
	wg.Wait()
	for r, b := range bufs {
		if got := b.String(); got != "" {
			t.Errorf("rank %d of a job that ended well wrote %q", r, got)
		}
	}
}
