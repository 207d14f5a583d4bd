package boot

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// pmiServer is a launcher's side of PMI-1 for n ranks, as hydra and
// Slurm's pmi2 plugin serve it on PMI_FD (see pmi.go): each rank gets one
// end of a socket pair, whose descriptor number goes in its PMI_FD. The
// answers are hydra's (fields after cmd, "msg=success"); the real ones
// are exercised by the cluster tests.
type pmiServer struct {
	n int

	mu        sync.Mutex
	kvs       map[string]string
	waiting   []net.Conn // at the barrier
	finalized int
	fds       []int // the ranks' ends, by rank
}

func newPMIServer(t *testing.T, n int) *pmiServer {
	t.Helper()
	s := &pmiServer{n: n, kvs: map[string]string{}}
	for range n {
		fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		f := os.NewFile(uintptr(fds[0]), "pmi-server")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		s.fds = append(s.fds, fds[1])
		go s.serve(c)
	}
	return s
}

func (s *pmiServer) serve(c net.Conn) {
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		m := parsePMI(line)
		s.mu.Lock()
		switch m["cmd"] {
		case "init":
			fmt.Fprintf(c, "cmd=response_to_init pmi_version=1 pmi_subversion=1 rc=0\n")
		case "get_my_kvsname":
			fmt.Fprintf(c, "cmd=my_kvsname kvsname=kvs_test_1\n")
		case "put":
			s.kvs[m["key"]] = m["value"]
			fmt.Fprintf(c, "cmd=put_result rc=0 msg=success\n")
		case "get":
			if v, ok := s.kvs[m["key"]]; ok {
				fmt.Fprintf(c, "cmd=get_result rc=0 msg=success value=%s\n", v)
			} else {
				fmt.Fprintf(c, "cmd=get_result rc=-1 msg=key_%s_not_found\n", m["key"])
			}
		case "barrier_in":
			if s.waiting = append(s.waiting, c); len(s.waiting) == s.n {
				for _, w := range s.waiting {
					fmt.Fprintf(w, "cmd=barrier_out\n")
				}
				s.waiting = nil
			}
		case "finalize":
			s.finalized++
			fmt.Fprintf(c, "cmd=finalize_ack\n")
		default:
			fmt.Fprintf(c, "cmd=unknown\n")
		}
		s.mu.Unlock()
	}
}

func (s *pmiServer) finalizedRanks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finalized
}

// pmiEnvs is the environment hydra gives 3 ranks on 3 hosts (one rank
// each, named 127.0.7.1-3), with no secret.
func pmiEnvs(s *pmiServer) []map[string]string {
	envs := make([]map[string]string, s.n)
	for r := range envs {
		envs[r] = map[string]string{
			"PMI_RANK": strconv.Itoa(r), "PMI_SIZE": strconv.Itoa(s.n), "PMI_FD": strconv.Itoa(s.fds[r]),
			"MPI_LOCALRANKID": "0", "MPI_LOCALNRANKS": "1",
			"MPIR_CVAR_CH3_INTERFACE_HOSTNAME": fmt.Sprintf("127.0.7.%d", r+1),
		}
	}
	return envs
}

// TestInitPMI: ranks on several nodes under a PMI launcher, with no
// secret exported, start: rank 0 makes the secret and serves the
// rendezvous, the others learn both through the launcher's store; every
// rank finalizes PMI (hydra kills a job whose rank does not).
func TestInitPMI(t *testing.T) {
	s := newPMIServer(t, 3)
	infos, errs := initRanks(t, 30*time.Second, pmiEnvs(s), nil)
	checkNoErrors(t, errs)
	for r, info := range infos {
		if info.Kind != KindMPICH || info.SecretFrom != "PMI" || info.Served != (r == 0) || info.Host != fmt.Sprintf("127.0.7.%d", r+1) || info.Rendezvous != infos[0].Rendezvous {
			t.Errorf("rank %d: Info %+v", r, info)
		}
	}
	if !strings.HasPrefix(infos[0].Rendezvous, "127.0.7.1:") {
		t.Errorf("rank 0 served the rendezvous on %s, want its own host 127.0.7.1", infos[0].Rendezvous)
	}
	s.mu.Lock()
	secret := s.kvs[pmiKeySecret]
	s.mu.Unlock()
	if got := len(secret); got != 64 {
		t.Errorf("the secret in the store is %d hex digits, want 64", got)
	}
	if got := s.finalizedRanks(); got != 3 {
		t.Errorf("%d ranks finalized PMI, want 3", got)
	}
}

// TestInitPMIRank0Fails: when rank 0 cannot serve the rendezvous, it says
// so through the store, and the others fail at once with its reason
// instead of waiting for their deadline; every rank still finalizes.
func TestInitPMIRank0Fails(t *testing.T) {
	s := newPMIServer(t, 3)
	envs := pmiEnvs(s)
	envs[0]["MPIR_CVAR_CH3_INTERFACE_HOSTNAME"] = "no..such-host" // fails in the resolver: no query leaves
	start := time.Now()
	_, errs := initRanks(t, time.Minute, envs, nil)
	if errs[0] == nil || !strings.Contains(errs[0].Error(), "no..such-host") {
		t.Errorf("rank 0: %v, want an error naming its host", errs[0])
	}
	for r := 1; r < 3; r++ {
		if errs[r] == nil || !strings.Contains(errs[r].Error(), "rank 0 could not start the rendezvous: ") || !strings.Contains(errs[r].Error(), "no..such-host") {
			t.Errorf("rank %d: %v, want rank 0's reason", r, errs[r])
		}
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the ranks took %v: they waited for a deadline", took)
	}
	if got := s.finalizedRanks(); got != 3 {
		t.Errorf("%d ranks finalized PMI, want 3", got)
	}
}

// TestPMIErrors: a PMI_FD that is no number, and a store that does not
// have the key, give errors naming what went wrong.
func TestPMIErrors(t *testing.T) {
	if _, err := dialPMI(t.Context(), getenvOf(map[string]string{"PMI_FD": "x"})); err == nil || !strings.Contains(err.Error(), `PMI_FD="x" is not a file descriptor`) {
		t.Errorf("PMI_FD=x: %v", err)
	}
	s := newPMIServer(t, 1)
	p, err := dialPMI(t.Context(), getenvOf(map[string]string{"PMI_FD": strconv.Itoa(s.fds[0])}))
	if err != nil {
		t.Fatal(err)
	}
	defer p.finalize()
	if _, err := p.get("nothing"); err == nil || !strings.Contains(err.Error(), "PMI get failed: rc=-1 key_nothing_not_found") {
		t.Errorf("get of a missing key: %v", err)
	}
}
