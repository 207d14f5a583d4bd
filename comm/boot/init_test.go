package boot

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spmd-go/spmd/comm"
)

// initRanks runs Init for every environment in envs concurrently (one
// goroutine per rank, as separate processes would), checks each world
// with an Allreduce of the ranks, closes it, and returns the Infos and
// errors by index.
func initRanks(t *testing.T, timeout time.Duration, envs []map[string]string, opts func(i int) Options) ([]Info, []error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	infos := make([]Info, len(envs))
	errs := make([]error, len(envs))
	var wg sync.WaitGroup
	for i, env := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := Options{}
			if opts != nil {
				o = opts(i)
			}
			o.Getenv = getenvOf(env)
			c, info, err := Init(ctx, o)
			infos[i] = info
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Close()
			if c.Rank() != info.Rank || c.Size() != info.Size {
				errs[i] = fmt.Errorf("comm says rank %d of %d, Info %d of %d", c.Rank(), c.Size(), info.Rank, info.Size)
				return
			}
			sum := []int64{0}
			if err := c.Allreduce([]int64{int64(c.Rank())}, sum, comm.Sum); err != nil {
				errs[i] = err
				return
			}
			if want := int64(c.Size()*(c.Size()-1)) / 2; sum[0] != want {
				errs[i] = fmt.Errorf("allreduce of the ranks = %d, want %d", sum[0], want)
			}
		}()
	}
	wg.Wait()
	return infos, errs
}

func checkNoErrors(t *testing.T, errs []error) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Errorf("rank %d: %v", i, err)
		}
	}
}

var testSecretHex = hex.EncodeToString(testSecret)

// TestInitSpmdRun starts 3 ranks the way spmd run does: its rendezvous
// server, and SPMD_* variables with a different loopback host per rank.
func TestInitSpmdRun(t *testing.T) {
	const size = 3
	srv, err := NewServer("127.0.0.1:0", size, testSecret, "job-run")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	envs := make([]map[string]string, size)
	for r := range envs {
		envs[r] = map[string]string{
			"SPMD_RANK": strconv.Itoa(r), "SPMD_SIZE": strconv.Itoa(size),
			"SPMD_LOCAL_RANK": "0", "SPMD_LOCAL_SIZE": "1",
			"SPMD_HOST":       fmt.Sprintf("127.0.2.%d", r+1),
			"SPMD_RENDEZVOUS": srv.Addr(), "SPMD_SECRET": testSecretHex, "SPMD_JOB": "job-run",
		}
	}
	infos, errs := initRanks(t, 30*time.Second, envs, nil)
	checkNoErrors(t, errs)
	for r, info := range infos {
		want := Info{Kind: KindSpmd, Rank: r, Size: size, LocalRank: 0, LocalSize: 1, JobID: "job-run",
			Host: fmt.Sprintf("127.0.2.%d", r+1), Addr: info.Addr, Rendezvous: srv.Addr(), SecretFrom: "SPMD_SECRET"}
		if info != want {
			t.Errorf("rank %d: Info %+v, want %+v", r, info, want)
		}
		if !strings.HasPrefix(info.Addr, want.Host+":") {
			t.Errorf("rank %d: listens on %s, want host %s", r, info.Addr, want.Host)
		}
	}
}

// TestInitSingleNodeOpenMPI: `mpirun -np 3 spmd JOB` on one node, no
// flags: the ranks meet through the private directory, which is gone
// afterwards.
func TestInitSingleNodeOpenMPI(t *testing.T) {
	tmp := t.TempDir()
	const size = 3
	envs := make([]map[string]string, size)
	for r := range envs {
		envs[r] = with(envOpenMPI,
			"OMPI_COMM_WORLD_RANK", strconv.Itoa(r), "OMPI_COMM_WORLD_SIZE", "3",
			"OMPI_COMM_WORLD_LOCAL_RANK", strconv.Itoa(r), "OMPI_COMM_WORLD_LOCAL_SIZE", "3",
			"PMIX_RANK", strconv.Itoa(r), "TMPDIR", tmp)
	}
	infos, errs := initRanks(t, 30*time.Second, envs, nil)
	checkNoErrors(t, errs)
	key, _ := jobKey(Env{Kind: KindOpenMPI}, getenvOf(envs[0]))
	dir := filepath.Join(tmp, "spmd-"+strconv.Itoa(os.Getuid()), key)
	for r, info := range infos {
		if info.Kind != KindOpenMPI || info.Host != "127.0.0.1" || info.Rendezvous != "local:"+dir || info.Served != (r == 0) {
			t.Errorf("rank %d: Info %+v", r, info)
		}
		if wantFrom := map[bool]string{true: "generated", false: "file " + dir}[r == 0]; info.SecretFrom != wantFrom {
			t.Errorf("rank %d: secret from %q, want %q", r, info.SecretFrom, wantFrom)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("private directory %s left behind (%v)", dir, err)
	}
	if fi, err := os.Stat(filepath.Dir(dir)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("parent directory: %v, %v; want mode 0700", fi.Mode().Perm(), err)
	}
}

// TestInitSingleNodeMPICH: `mpiexec -n 2 spmd JOB`; the job key comes from
// the parent process, shared by the goroutine "ranks" here.
func TestInitSingleNodeMPICH(t *testing.T) {
	tmp := t.TempDir()
	envs := []map[string]string{
		{"PMI_RANK": "0", "PMI_SIZE": "2", "MPI_LOCALRANKID": "0", "MPI_LOCALNRANKS": "2", "TMPDIR": tmp},
		{"PMI_RANK": "1", "PMI_SIZE": "2", "MPI_LOCALRANKID": "1", "MPI_LOCALNRANKS": "2", "TMPDIR": tmp},
	}
	_, errs := initRanks(t, 30*time.Second, envs, nil)
	checkNoErrors(t, errs)
}

// TestInitSlurmMultiNode: srun over two nodes. The node names are
// loopback addresses so no /etc/hosts entry is needed; rank 0 serves the
// rendezvous on the first node at the port derived from the job and step.
func TestInitSlurmMultiNode(t *testing.T) {
	base := map[string]string{
		"SLURM_JOB_ID": "4242", "SLURM_STEP_ID": "3", "SLURM_STEP_NUM_TASKS": "3",
		"SLURM_STEP_NODELIST": "127.0.3.1,127.0.3.2", "SLURM_STEP_NUM_NODES": "2",
		"SLURM_STEP_TASKS_PER_NODE": "2,1", "SPMD_SECRET": testSecretHex,
	}
	place := []struct{ node, nodeID, localID string }{{"127.0.3.1", "0", "0"}, {"127.0.3.1", "0", "1"}, {"127.0.3.2", "1", "0"}}
	envs := make([]map[string]string, len(place))
	for r, p := range place {
		envs[r] = with(base, "SLURM_PROCID", strconv.Itoa(r), "SLURMD_NODENAME", p.node, "SLURM_NODEID", p.nodeID, "SLURM_LOCALID", p.localID)
	}
	infos, errs := initRanks(t, 30*time.Second, envs, nil)
	checkNoErrors(t, errs)
	wantRV := "127.0.3.1:" + strconv.Itoa(20000+(4242*31+3)%20000)
	for r, info := range infos {
		if info.Kind != KindSlurm || info.Host != place[r].node || info.Rendezvous != wantRV || info.Served != (r == 0) ||
			info.JobID != "4242.3" || info.SecretFrom != "SPMD_SECRET" || info.LocalSize != []int{2, 2, 1}[r] {
			t.Errorf("rank %d: Info %+v", r, info)
		}
	}
}

// TestInitFileRendezvous: mpirun over "two nodes" with file:DIR and a
// secret file, the way a shared filesystem is used.
func TestInitFileRendezvous(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte(testSecretHex+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rv := "file:" + filepath.Join(dir, "rv")
	envs := make([]map[string]string, 4)
	for r := range envs {
		envs[r] = map[string]string{
			"OMPI_COMM_WORLD_RANK": strconv.Itoa(r), "OMPI_COMM_WORLD_SIZE": "4",
			"OMPI_COMM_WORLD_LOCAL_RANK": strconv.Itoa(r % 2), "OMPI_COMM_WORLD_LOCAL_SIZE": "2",
			"PMIX_NAMESPACE": "ns-77", "SPMD_SECRET_FILE": secretFile,
			"SPMD_HOST": fmt.Sprintf("127.0.4.%d", r/2+1),
		}
	}
	infos, errs := initRanks(t, 30*time.Second, envs, func(int) Options { return Options{Rendezvous: rv} })
	checkNoErrors(t, errs)
	for r, info := range infos {
		if info.Rendezvous != rv || info.Served || info.SecretFrom != "file "+secretFile || info.JobID != "ns-77" {
			t.Errorf("rank %d: Info %+v", r, info)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "rv")); len(left) != 0 {
		t.Errorf("%d files left in the rendezvous directory", len(left))
	}
}

// TestInitRankZeroServes: a multi-node mpirun with --rendezvous host:port
// and no spmd run: rank 0 serves it.
func TestInitRankZeroServes(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.5.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rv := ln.Addr().String()
	ln.Close()
	envs := make([]map[string]string, 3)
	for r := range envs {
		envs[r] = map[string]string{
			"PMI_RANK": strconv.Itoa(r), "PMI_SIZE": "3", "MPI_LOCALRANKID": "0", "MPI_LOCALNRANKS": "1",
			"SPMD_RENDEZVOUS": rv, "SPMD_SECRET": testSecretHex, "SPMD_JOB": "j5",
		}
	}
	// Rank 0 listens on the rendezvous host; the others on the address
	// routing to it (127.0.0.1 on loopback).
	infos, errs := initRanks(t, 30*time.Second, envs, nil)
	checkNoErrors(t, errs)
	for r, info := range infos {
		wantHost := map[bool]string{true: "127.0.5.1", false: "127.0.0.1"}[r == 0]
		if info.Served != (r == 0) || info.Host != wantHost || info.Rendezvous != rv || info.LocalSize != 1 {
			t.Errorf("rank %d: Info %+v", r, info)
		}
	}
}

// TestInitPeers: an explicit address list, no rendezvous.
func TestInitPeers(t *testing.T) {
	peers := make([]string, 3)
	for r := range peers {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.6.%d:0", r+1))
		if err != nil {
			t.Fatal(err)
		}
		peers[r] = ln.Addr().String()
		ln.Close()
	}
	envs := []map[string]string{{"SPMD_SECRET": testSecretHex}, {"SPMD_SECRET": testSecretHex}, {"SPMD_SECRET": testSecretHex}}
	infos, errs := initRanks(t, 30*time.Second, envs, func(i int) Options { return Options{Peers: peers, Rank: i} })
	checkNoErrors(t, errs)
	for r, info := range infos {
		if info.Kind != KindPeers || info.Rank != r || info.Addr != peers[r] || info.Host != fmt.Sprintf("127.0.6.%d", r+1) {
			t.Errorf("rank %d: Info %+v", r, info)
		}
	}
}

func TestInitAlone(t *testing.T) {
	c, info, err := Init(context.Background(), Options{Getenv: getenvOf(envBatch)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Size() != 1 || c.Rank() != 0 {
		t.Errorf("rank %d of %d, want 0 of 1", c.Rank(), c.Size())
	}
	want := Info{Kind: KindSingle, Size: 1, LocalSize: 1, Host: "127.0.0.1"}
	if info != want {
		t.Errorf("Info %+v, want %+v", info, want)
	}
	sum := []int64{0}
	if err := c.Allreduce([]int64{7}, sum, comm.Sum); err != nil || sum[0] != 7 {
		t.Errorf("Allreduce alone: %v, %v", sum, err)
	}
}

func TestInitErrors(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte(testSecretHex), 0o644)
	os.Chmod(secretFile, 0o644)
	slurm := with(envSlurm, "SLURMD_NODENAME", "127.0.0.1")
	for _, tc := range []struct {
		name string
		env  map[string]string
		opts Options
		want string
	}{
		{"malformed environment", with(envOpenMPI, "OMPI_COMM_WORLD_SIZE", "x"), Options{}, `OMPI_COMM_WORLD_SIZE="x"`},
		{"slurm without secret", slurm, Options{}, "need a shared secret: run them with srun --mpi=pmi2 (or MPICH's mpiexec), which give the ranks a private channel, or export SPMD_SECRET=$(openssl rand -hex 32)"},
		{"secret file too open", with(slurm, "SPMD_SECRET_FILE", secretFile), Options{}, "has mode 0644: it must be 0600 or stricter"},
		{"open mpi on two nodes, no rendezvous", with(envOpenMPI, "OMPI_COMM_WORLD_SIZE", "4", "OMPI_MCA_orte_num_nodes", "2", "SPMD_SECRET", testSecretHex), Options{},
			"on several nodes and no rendezvous: set SPMD_RENDEZVOUS=host:port"},
		{"peers without secret", nil, Options{Peers: []string{"127.0.0.1:1", "127.0.0.1:2"}}, "explicit peer list needs a shared secret"},
		{"peers rank out of range", nil, Options{Peers: []string{"127.0.0.1:1"}, Rank: 1}, "rank 1 out of range for 1 peers"},
		{"bad rendezvous", with(envSpmd, "SPMD_RANK", "0"), Options{Rendezvous: "nowhere"}, `rendezvous "nowhere" is not host:port or file:DIR`},
	} {
		tc.opts.Getenv = getenvOf(tc.env)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _, err := Init(ctx, tc.opts)
		cancel()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// TestInitMissingRank: with one rank of three never started, the others
// fail within their deadline naming it.
func TestInitMissingRank(t *testing.T) {
	fastStatus(t)
	srv, err := NewServer("127.0.0.1:0", 3, testSecret, "j")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	envs := make([]map[string]string, 2)
	for r := range envs {
		envs[r] = map[string]string{"SPMD_RANK": strconv.Itoa(r), "SPMD_SIZE": "3", "SPMD_HOST": "127.0.0.1",
			"SPMD_RENDEZVOUS": srv.Addr(), "SPMD_SECRET": testSecretHex, "SPMD_JOB": "j"}
	}
	_, errs := initRanks(t, time.Second, envs, nil)
	for r, err := range errs {
		want := fmt.Sprintf("boot: rank %d: rendezvous: 1 of 3 ranks never registered (rank 2) at %s", r, srv.Addr())
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("rank %d: %v, want an error starting %q", r, err, want)
		}
	}
}

func TestJobKey(t *testing.T) {
	pid, start := launcherProcess()
	for _, tc := range []struct {
		env    Env
		getenv map[string]string
		want   string
	}{
		{Env{Kind: KindSlurm, JobID: "25.0"}, nil, "slurm-25.0"},
		{Env{Kind: KindSpmd, JobID: "abc"}, nil, "spmd-abc"},
		{Env{Kind: KindMPICH, Size: 4}, nil, fmt.Sprintf("mpich-%d-%s-4", pid, start)},
	} {
		got, err := jobKey(tc.env, getenvOf(tc.getenv))
		if err != nil || got != tc.want {
			t.Errorf("jobKey(%+v) = %q, %v; want %q", tc.env, got, err, tc.want)
		}
	}
	a, _ := jobKey(Env{Kind: KindOpenMPI}, getenvOf(envOpenMPI))
	b, _ := jobKey(Env{Kind: KindOpenMPI}, getenvOf(with(envOpenMPI, "OMPI_MCA_orte_hnp_uri", "476184576.0;tcp://127.0.0.1:35540")))
	if !strings.HasPrefix(a, "openmpi-") || len(a) != len("openmpi-")+24 || a == b {
		t.Errorf("Open MPI keys %q and %q: want distinct openmpi-<24 hex>", a, b)
	}
	if _, err := jobKey(Env{Kind: KindOpenMPI}, getenvOf(nil)); err == nil || !strings.Contains(err.Error(), "set SPMD_RENDEZVOUS") {
		t.Errorf("Open MPI without ids: %v", err)
	}
}

func TestPrivateDirChecks(t *testing.T) {
	tmp := t.TempDir()
	parent := filepath.Join(tmp, "spmd-"+strconv.Itoa(os.Getuid()))
	if err := os.Mkdir(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(parent, 0o755)
	if _, err := localDir(getenvOf(map[string]string{"TMPDIR": tmp}), "k"); err == nil || !strings.Contains(err.Error(), "has mode 0755, want 0700") {
		t.Errorf("open parent: %v", err)
	}
	os.Remove(parent)
	os.Symlink(tmp, parent)
	if _, err := localDir(getenvOf(map[string]string{"TMPDIR": tmp}), "k"); err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("symlinked parent: %v", err)
	}
}

func TestResolve(t *testing.T) {
	for in, want := range map[string]string{"localhost": "127.0.0.1", "127.0.1.2": "127.0.1.2", "::1": "::1"} {
		if got, err := resolve(in); err != nil || got != want {
			t.Errorf("resolve(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if got, err := routeTo("127.0.0.5"); err != nil || !strings.HasPrefix(got, "127.") {
		t.Errorf("routeTo(127.0.0.5) = %q, %v; want a loopback address", got, err)
	}
}
