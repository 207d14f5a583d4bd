package shm_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm/shm"
)

// TestSendNeedsNoCallAtReceiver checks that a rank which has just polled
// (and so, for a while, keeps its senders from ringing its doorbell) and
// then stays away from comm still takes in a message longer than its
// ring: its drainer must deliver, or the Send would wait for the
// receiving program's next call.
func TestSendNeedsNoCallAtReceiver(t *testing.T) {
	cs, _ := world(t, 2, shm.Config{RingLen: 64 << 10}, "one")
	defer cs[0].Close()
	defer cs[1].Close()
	// Ping-pongs: the pair switches to its rings, and rank 0 polls for
	// the answers and takes the hold.
	const rounds = 5
	go func() {
		pong := []byte{0}
		for range rounds {
			if _, err := cs[1].Recv(pong, 0, 0); err != nil {
				return
			}
			cs[1].Send(pong, 0, 0)
		}
	}()
	ping := []byte{1}
	for range rounds {
		if err := cs[0].Send(ping, 1, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := cs[0].Recv(ping, 1, 0); err != nil {
			t.Fatal(err)
		}
	}
	if r := cs[0].Route(1); r != "shm" {
		t.Fatalf("rank 0 reaches rank 1 by %q, not shm", r)
	}
	// Rank 0 makes no call now; rank 1 sends 16 rings' worth.
	msg := make([]byte, 1<<20)
	for i := range msg {
		msg[i] = byte(i * 7)
	}
	sent := make(chan error, 1)
	go func() { sent <- cs[1].Send(msg, 0, 1) }()
	select {
	case err := <-sent:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a Send longer than the ring waited for the receiver to call comm")
	}
	got := make([]byte, len(msg))
	if _, err := cs[0].Recv(got, 1, 1); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatal("the message arrived changed")
	}
}
