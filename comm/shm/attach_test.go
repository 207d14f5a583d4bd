package shm

import (
	"os"
	"strings"
	"testing"
)

// TestAttachChecksTheSegment: an offer naming a real segment with the
// wrong nonce, another rank's segment, or a descriptor that is no segment
// at all is refused, saying why; only the right one is mapped.
func TestAttachChecksTheSegment(t *testing.T) {
	ts, _ := pair(t)
	defer ts[0].Close()
	defer ts[1].Close()
	good := offer{willing: true, pid: os.Getpid(), segFd: ts[1].memfd, bellFd: ts[1].bellFd, ringLen: ts[1].cfg.RingLen, nonce: ts[1].nonce, machine: "one"}
	wrongNonce := good
	wrongNonce.nonce[0] ^= 1
	otherRank := good
	otherRank.segFd, otherRank.nonce = ts[0].memfd, ts[0].nonce
	notSegment := good
	notSegment.segFd = ts[1].bellFd
	for _, c := range []struct {
		name string
		o    offer
		want string
	}{
		{"wrong nonce", wrongNonce, "not rank 1's"},
		{"another rank's segment", otherRank, "not rank 1's"},
		{"not a segment", notSegment, "peer's segment"},
	} {
		if err := ts[0].attach(1, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: attach = %v, want an error saying %q", c.name, err, c.want)
		}
	}
	if err := ts[0].attach(1, good); err != nil {
		t.Errorf("the right offer: %v", err)
	}
}
