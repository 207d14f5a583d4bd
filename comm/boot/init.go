package boot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spmd-go/spmd/comm"
	"github.com/spmd-go/spmd/comm/tcp"
)

// DefaultConnectTimeout bounds Init when neither its context nor
// Options.ConnectTimeout does.
const DefaultConnectTimeout = 60 * time.Second

// Options adjust Init. The zero value detects everything.
type Options struct {
	// Rendezvous is where ranks exchange addresses: "host:port" of a
	// rendezvous server (served by rank 0 unless spmd run serves it) or
	// "file:DIR" on a shared filesystem. "" means SPMD_RENDEZVOUS, then
	// what the environment allows (see Init).
	Rendezvous string
	// BindAddr is the address this rank listens on, "host" or
	// "host:port"; it beats SPMD_HOST. "" means Init chooses.
	BindAddr string
	// Peers, if set, is the listening address of every rank, indexed by
	// rank, and Rank is this process's rank: no detection and no
	// rendezvous; rank Rank listens on Peers[Rank] (btracey/mpi's
	// -mpi-alladdr style). The secret must come from SPMD_SECRET or a
	// secret file.
	Peers []string
	Rank  int
	// SecretFile is a file holding the job secret (mode 0600 or
	// stricter); "" means SPMD_SECRET_FILE, then SPMD_SECRET. There is
	// deliberately no way to pass the secret itself as an option: command
	// lines are visible to every user of a machine.
	SecretFile string
	// ConnectTimeout bounds the whole start-up when ctx has no deadline
	// (default DefaultConnectTimeout), and the TCP wire-up in any case.
	ConnectTimeout time.Duration
	// Liveness sets failure detection (see Liveness); zero fields come
	// from the environment, then the defaults.
	Liveness Liveness
	// OnFailure becomes the world's comm.Config.OnFailure.
	OnFailure func(error)
	// Loss and OnPeerLost become the world's comm.Config.Loss and
	// OnPeerLost: comm.LossIsolated keeps a rank's loss from breaking the
	// calls that do not involve it (see comm.LossPolicy). Every rank of a
	// job must ask for the same policy.
	Loss       comm.LossPolicy
	OnPeerLost func(rank int, err error)
	// Getenv reads the environment; nil means os.Getenv. Tests pass their
	// own to start several ranks in one process.
	Getenv func(string) string
}

// Info describes how Init set this rank up, for reports and messages.
type Info struct {
	Kind       string // how rank and size were found: a Kind constant
	Rank, Size int
	LocalRank  int    // -1 when unknown
	LocalSize  int    // ranks on this host; from the launcher, else counted in the address table
	Node       string // node name when the launcher gives one
	JobID      string // the job id used to authenticate (see Env.JobID)
	Host       string // the address this rank listens on, without port
	Addr       string // host:port this rank listens on ("" for size 1)
	// Rendezvous is where addresses were exchanged: "host:port",
	// "file:DIR", "local:DIR" (the private directory of a single-node
	// job), or "" (size 1, explicit peers).
	Rendezvous string
	Served     bool   // this rank ran the rendezvous server
	SecretFrom string // "SPMD_SECRET", "file PATH", "generated" or "PMI"; "" for size 1
}

// Init is the one call a rank makes: it finds out its rank and size, finds
// the other ranks, and returns the world communicator over TCP, or an
// in-process world of one when the process runs alone.
//
// Rank and size come from Detect, or from Options.Peers and Options.Rank.
// Then:
//
//   - Listen address: Options.BindAddr, else SPMD_HOST, else 127.0.0.1
//     when every rank is on this node, else this Slurm node's name
//     (SLURMD_NODENAME) resolved, else hydra's name for this host
//     (MPIR_CVAR_CH3_INTERFACE_HOSTNAME), else for rank 0 serving the
//     rendezvous its host, else this host's address on the route to the
//     rendezvous.
//   - Rendezvous and secret, the first that applies:
//     1. Options.Rendezvous or SPMD_RENDEZVOUS: that server or directory,
//     with the secret from Options.SecretFile, SPMD_SECRET_FILE or
//     SPMD_SECRET. Rank 0 serves a host:port rendezvous itself, unless
//     spmd run set SPMD_RENDEZVOUS (its launcher serves it).
//     2. Every rank on this node: rank 0 makes a secret and serves on
//     127.0.0.1, publishing both in $TMPDIR/spmd-<uid>/<jobkey> (mode
//     0700), so `mpirun -np 8 spmd JOB`, `mpiexec -n 8 spmd JOB` and
//     `srun -n 8 spmd JOB` on one node need no flags.
//     3. Several nodes, a launcher with a PMI server (PMI_FD: srun
//     --mpi=pmi2, MPICH's mpiexec) and no secret from the user: rank 0
//     makes a secret and serves the rendezvous on its node, and both reach
//     the other ranks through the launcher's key-value store (pmi.go).
//     4. A Slurm step on several nodes: rank 0 serves on the step's first
//     node, port 20000 + (SLURM_JOB_ID*31 + SLURM_STEP_ID) % 20000; the
//     secret must come from the environment (the batch script makes it).
//     5. Otherwise Init fails, saying what to set.
//
// Init gives up when ctx ends or, if ctx has no deadline, after
// Options.ConnectTimeout; its errors say which step failed.
func Init(ctx context.Context, opts Options) (*comm.Comm, Info, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	live, err := opts.Liveness.resolve(getenv)
	if err != nil {
		return nil, Info{}, err
	}
	opts.Liveness = live
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.ConnectTimeout)
		defer cancel()
	}
	if len(opts.Peers) > 0 {
		return initPeers(ctx, opts, getenv)
	}
	env, err := Detect(getenv)
	if err != nil {
		return nil, Info{}, err
	}
	info := Info{Kind: env.Kind, Rank: env.Rank, Size: env.Size, LocalRank: env.LocalRank, LocalSize: env.LocalSize, Node: env.Node, JobID: env.JobID}
	if env.Size == 1 {
		info.Host = "127.0.0.1"
		if h := firstNonEmpty(opts.BindAddr, env.Host); h != "" {
			info.Host, _ = splitBind(h)
		}
		return comm.NewMemWorld(1, comm.Config{})[0], info, nil
	}
	b := &booter{ctx: ctx, opts: opts, getenv: getenv, env: env, info: info}
	return b.run()
}

// booter carries Init's state through its steps.
type booter struct {
	ctx    context.Context
	opts   Options
	getenv func(string) string
	env    Env
	info   Info

	rv      string // host:port or file:DIR
	serve   string // for rank 0: the address to serve the rendezvous on
	secret  []byte
	job     string
	local   string // single-node directory, when used
	srv     *Server
	cleanup func()
	pmi     *pmiClient // rank 0's, until it has published (init_pmi.go)
}

func (b *booter) run() (c *comm.Comm, info Info, err error) {
	defer func() {
		b.failPMI(err)
		if b.srv != nil {
			b.srv.Close()
		}
		if b.cleanup != nil {
			b.cleanup()
		}
	}()
	if err := b.planRendezvous(); err != nil {
		return nil, b.info, err
	}
	host, port, err := b.listenAddr()
	if err != nil {
		return nil, b.info, err
	}
	l, err := tcp.Listen(net.JoinHostPort(host, port))
	if err != nil {
		return nil, b.info, fmt.Errorf("boot: rank %d: %v", b.env.Rank, err)
	}
	b.info.Host, b.info.Addr = host, l.Addr()
	if err := b.startRendezvous(); err != nil {
		l.Close()
		return nil, b.info, err
	}
	addrs, err := Exchange(b.ctx, b.rv, b.env.Rank, b.env.Size, l.Addr(), b.secret, b.job)
	if b.cleanup != nil { // every rank has read the local file
		b.cleanup()
		b.cleanup = nil
	}
	if err != nil {
		l.Close()
		return nil, b.info, fmt.Errorf("boot: rank %d: %v", b.env.Rank, err)
	}
	if b.info.LocalSize == 0 {
		b.info.LocalSize = countHost(addrs, l.Addr())
	}
	// The server stays up during the wire-up: a rank whose table got lost
	// can still fetch it. Connect to rank 0 implies every rank has it.
	tr, err := tcp.Connect(b.ctx, l, b.env.Rank, addrs, b.opts.Liveness.tcp(tcp.Config{Secret: b.secret, Job: b.job, ConnectTimeout: b.opts.ConnectTimeout}))
	if err != nil {
		return nil, b.info, fmt.Errorf("boot: rank %d: %v", b.env.Rank, err)
	}
	n := newNotifier(b.getenv) // see notice.go
	c, err = newWorld(b.ctx, n.transport(tr), b.opts.commConfig(n.onFailure(b.opts.OnFailure)), b.getenv)
	if err != nil {
		return nil, b.info, err
	}
	return c, b.info, nil
}

// planRendezvous decides b.rv, b.serve, b.secret (unless generated by rank
// 0 later), b.job and b.local.
func (b *booter) planRendezvous() error {
	e := b.env
	b.job = e.JobID
	b.rv = firstNonEmpty(b.opts.Rendezvous, e.Rendezvous)
	switch {
	case b.rv != "":
		launcherServes := e.Kind == KindSpmd && b.opts.Rendezvous == ""
		if e.Rank == 0 && !launcherServes && !strings.HasPrefix(b.rv, "file:") {
			b.serve = b.rv
		}
	case !e.SingleNode() && usesPMI(b.getenv) && !secretGiven(b.getenv, b.opts.SecretFile):
		return b.planPMI()
	case e.SingleNode():
		key, err := jobKey(e, b.getenv)
		if err != nil {
			return err
		}
		if b.local, err = localDir(b.getenv, key); err != nil {
			return err
		}
		b.job = key
		b.info.Rendezvous = "local:" + b.local
		return nil // the secret comes from rank 0
	default:
		rv, err := slurmRendezvous(e, b.getenv)
		if err != nil {
			return err
		}
		b.rv = rv
		if e.Rank == 0 {
			if e.NodeID > 0 {
				return fmt.Errorf("boot: rank 0 runs on node %d (%s), not on the first node %s of SLURM_STEP_NODELIST where the rendezvous is: set SPMD_RENDEZVOUS=host:port to a port free on rank 0's host", e.NodeID, e.Node, e.Nodes[0])
			}
			b.serve = rv
		}
	}
	b.info.Rendezvous = b.rv
	secret, from, err := loadSecret(b.getenv, b.opts.SecretFile)
	if err != nil {
		return err
	}
	if secret == nil {
		return fmt.Errorf("boot: %d ranks (%s) not all on this node need a shared secret: "+
			"run them with srun --mpi=pmi2 (or MPICH's mpiexec), which give the ranks a private channel, or "+
			"export SPMD_SECRET=$(openssl rand -hex 32) before srun/mpirun, or SPMD_SECRET_FILE=FILE (mode 0600) on a shared filesystem", e.Size, e.Kind)
	}
	b.secret, b.info.SecretFrom = secret, from
	return nil
}

// slurmRendezvous is the address every rank of a multi-node Slurm step can
// compute: the step's first node, port 20000 + (job*31 + step) % 20000.
func slurmRendezvous(e Env, getenv func(string) string) (string, error) {
	job, err1 := strconv.ParseUint(getenv("SLURM_JOB_ID"), 10, 64)
	step, err2 := strconv.ParseUint(getenv("SLURM_STEP_ID"), 10, 64)
	if len(e.Nodes) == 0 || err1 != nil || err2 != nil {
		return "", fmt.Errorf("boot: %d ranks (%s) on several nodes and no rendezvous: set SPMD_RENDEZVOUS=host:port "+
			"(a free port on rank 0's host; rank 0 serves it) or file:DIR on a shared filesystem, and SPMD_SECRET", e.Size, e.Kind)
	}
	port := 20000 + (job*31+step)%20000
	return net.JoinHostPort(e.Nodes[0], strconv.FormatUint(port, 10)), nil
}

// listenAddr chooses this rank's listening host and port (see Init).
func (b *booter) listenAddr() (host, port string, err error) {
	e := b.env
	if a := firstNonEmpty(b.opts.BindAddr, e.Host); a != "" {
		host, port = splitBind(a)
		return host, port, nil
	}
	if e.SingleNode() {
		return "127.0.0.1", "0", nil
	}
	if e.Node != "" && (e.Kind == KindSlurm || len(e.Nodes) > 0) {
		ip, err := resolve(e.Node)
		if err != nil {
			return "", "", fmt.Errorf("boot: this node's name %s (SLURMD_NODENAME) does not resolve: %v; set SPMD_HOST or --bind", e.Node, err)
		}
		return ip, "0", nil
	}
	if h := b.getenv("MPIR_CVAR_CH3_INTERFACE_HOSTNAME"); h != "" && e.Kind == KindMPICH {
		// Hydra's name for this rank's host (its -hosts entry).
		if ip, err := resolve(h); err == nil {
			return ip, "0", nil
		}
	}
	if b.serve != "" {
		h, _, err := net.SplitHostPort(b.serve)
		if err == nil {
			if ip, err := resolve(h); err == nil {
				return ip, "0", nil
			}
		}
	}
	if rvHost, _, err := net.SplitHostPort(b.rv); err == nil {
		if ip, err := routeTo(rvHost); err == nil {
			return ip, "0", nil
		}
	}
	return "", "", fmt.Errorf("boot: cannot tell which address of this host the other ranks can reach: set SPMD_HOST or --bind")
}

// startRendezvous starts rank 0's server, or waits for it in single-node
// mode.
func (b *booter) startRendezvous() error {
	if b.local != "" {
		var err error
		if b.env.Rank == 0 {
			b.srv, b.secret, b.cleanup, err = serveLocal(b.local, b.env.Size, b.job)
			if err != nil {
				return err
			}
			b.rv, b.info.Served, b.info.SecretFrom = b.srv.Addr(), true, secretGenerated
			return nil
		}
		b.rv, b.secret, err = awaitLocal(b.ctx, b.local)
		if err != nil {
			os.Remove(b.local) // only if empty: rank 0 may still be coming
		}
		b.info.SecretFrom = "file " + b.local
		return err
	}
	if b.serve == "" {
		return nil
	}
	h, p, err := net.SplitHostPort(b.serve)
	if err != nil {
		return fmt.Errorf("boot: rendezvous %q is not host:port or file:DIR", b.serve)
	}
	ip, err := resolve(h)
	if err != nil {
		return fmt.Errorf("boot: rendezvous host %s: %v", h, err)
	}
	b.srv, err = NewServer(net.JoinHostPort(ip, p), b.env.Size, b.secret, b.job)
	if err != nil {
		return fmt.Errorf("boot: rank 0 cannot serve the rendezvous on %s: %v (set SPMD_RENDEZVOUS=host:port to another port)", b.serve, err)
	}
	b.info.Served = true
	if b.pmi != nil {
		return b.publishPMI()
	}
	return nil
}

// initPeers is Init with an explicit address list.
func initPeers(ctx context.Context, opts Options, getenv func(string) string) (*comm.Comm, Info, error) {
	size := len(opts.Peers)
	if opts.Rank < 0 || opts.Rank >= size {
		return nil, Info{}, fmt.Errorf("boot: rank %d out of range for %d peers", opts.Rank, size)
	}
	info := Info{Kind: KindPeers, Rank: opts.Rank, Size: size, LocalRank: -1, JobID: getenv("SPMD_JOB"), Addr: opts.Peers[opts.Rank]}
	info.Host, _ = splitBind(info.Addr)
	info.LocalSize = countHost(opts.Peers, info.Addr)
	if size == 1 {
		return comm.NewMemWorld(1, comm.Config{})[0], info, nil
	}
	secret, from, err := loadSecret(getenv, opts.SecretFile)
	if err != nil {
		return nil, info, err
	}
	if secret == nil {
		return nil, info, errors.New("boot: an explicit peer list needs a shared secret: set SPMD_SECRET (hex, at least 16 bytes) or SPMD_SECRET_FILE (mode 0600)")
	}
	info.SecretFrom = from
	tr, err := tcp.Dial(ctx, opts.Rank, opts.Peers, opts.Liveness.tcp(tcp.Config{Secret: secret, Job: info.JobID, ConnectTimeout: opts.ConnectTimeout}))
	if err != nil {
		return nil, info, fmt.Errorf("boot: rank %d: %v", opts.Rank, err)
	}
	c, err := newWorld(ctx, tr, opts.commConfig(opts.OnFailure), getenv)
	if err != nil {
		return nil, info, err
	}
	return c, info, nil
}

// splitBind splits "host" or "host:port" (port "0" when absent).
func splitBind(a string) (host, port string) {
	if h, p, err := net.SplitHostPort(a); err == nil {
		return h, p
	}
	return strings.Trim(a, "[]"), "0"
}

// resolve returns host's first IPv4 address, else its first address.
func resolve(host string) (string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return host, nil
	}
	ips, err := net.LookupHost(host)
	if err != nil {
		return "", err
	}
	for _, ip := range ips {
		if net.ParseIP(ip).To4() != nil {
			return ip, nil
		}
	}
	if len(ips) == 0 {
		return "", fmt.Errorf("%s has no address", host)
	}
	return ips[0], nil
}

// routeTo returns this host's address on the route to host. A UDP
// "connection" only consults the routing table: nothing is sent.
func routeTo(host string) (string, error) {
	ip, err := resolve(host)
	if err != nil {
		return "", err
	}
	c, err := net.Dial("udp", net.JoinHostPort(ip, "9"))
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).IP.String(), nil
}

// countHost counts the addresses with the same host as mine.
func countHost(addrs []string, mine string) int {
	h, _ := splitBind(mine)
	n := 0
	for _, a := range addrs {
		if ah, _ := splitBind(a); ah == h {
			n++
		}
	}
	return n
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
