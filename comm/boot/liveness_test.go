package boot

import (
	"strings"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
)

func TestLivenessResolve(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	got, err := Liveness{Heartbeat: 2 * time.Second}.resolve(env(map[string]string{
		"SPMD_DEAD_AFTER": "1m", "SPMD_HEARTBEAT": "5s", "SPMD_TIMEOUT": "90s", "SPMD_MAX_MESSAGE": "1024",
		"SPMD_SINGLE_COPY": "65536",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := Liveness{DeadAfter: time.Minute, Heartbeat: 2 * time.Second, Timeout: 90 * time.Second, MaxMessage: 1024, SingleCopy: 65536}
	if got != want {
		t.Errorf("resolve = %+v, want %+v (options beat the environment)", got, want)
	}
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"SPMD_DEAD_AFTER": "soon"}, "SPMD_DEAD_AFTER"},
		{map[string]string{"SPMD_TIMEOUT": "-1s"}, "SPMD_TIMEOUT"},
		{map[string]string{"SPMD_MAX_MESSAGE": "0"}, "SPMD_MAX_MESSAGE"},
		{map[string]string{"SPMD_SINGLE_COPY": "no"}, "SPMD_SINGLE_COPY"},
		{map[string]string{"SPMD_SINGLE_COPY": "-5"}, "SPMD_SINGLE_COPY"},
		{map[string]string{"SPMD_DEAD_AFTER": "1s", "SPMD_HEARTBEAT": "2s"}, "shorter"},
	} {
		if _, err := (Liveness{}).resolve(env(c.env)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want an error naming %q", c.env, err, c.want)
		}
	}
	if got, err := (Liveness{}).resolve(env(map[string]string{"SPMD_SINGLE_COPY": "off"})); err != nil || got.SingleCopy >= 0 {
		t.Errorf("SPMD_SINGLE_COPY=off: SingleCopy %d (%v), want < 0", got.SingleCopy, err)
	}
}

// The world's comm.Config carries every setting Options has for it: the
// wait timeout, OnFailure, and the loss policy with its callback (which
// spmd farm needs, to outlive a worker).
func TestCommConfig(t *testing.T) {
	failed, lost := 0, 0
	o := Options{
		Liveness:   Liveness{Timeout: 3 * time.Second},
		OnFailure:  func(error) { failed++ },
		Loss:       comm.LossIsolated,
		OnPeerLost: func(int, error) { lost++ },
	}
	c := o.commConfig(o.OnFailure)
	c.OnFailure(nil)
	c.OnPeerLost(1, nil)
	if c.Timeout != 3*time.Second || c.Loss != comm.LossIsolated || failed != 1 || lost != 1 {
		t.Errorf("commConfig = %+v (OnFailure called %d, OnPeerLost %d), want every field from Options", c, failed, lost)
	}
	if (Options{}).commConfig(nil).Loss != comm.LossBreaksWorld {
		t.Error("the default loss policy is not LossBreaksWorld")
	}
}
