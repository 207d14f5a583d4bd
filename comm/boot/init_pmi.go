package boot

import (
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"strings"
)

// Init's steps for a launcher with a PMI server (pmi.go) and no secret
// from the user: srun --mpi=pmi2 or hydra's mpiexec on several nodes.

// secretGiven reports whether the user gave a secret, which then wins.
func secretGiven(getenv func(string) string, file string) bool {
	return file != "" || getenv("SPMD_SECRET_FILE") != "" || getenv("SPMD_SECRET") != ""
}

// planPMI opens the PMI channel. Rank 0 makes the secret and decides where
// it will serve the rendezvous, publishing both once it serves
// (publishPMI); every other rank waits for them at the PMI barrier.
func (b *booter) planPMI() error {
	p, err := dialPMI(b.ctx, b.getenv)
	if err != nil {
		return err
	}
	if b.job == "" {
		b.job = p.kvs // the same on every rank of the job, and only there
	}
	b.info.SecretFrom = "PMI"
	if b.env.Rank == 0 {
		b.pmi = p
		b.secret = make([]byte, 32)
		rand.Read(b.secret)
		host, err := b.pmiHost()
		if err != nil {
			return err // run's cleanup tells the others (failPMI)
		}
		b.serve = net.JoinHostPort(host, "0")
		return nil
	}
	defer p.finalize()
	if err := p.barrier(); err != nil {
		return err
	}
	rv, err := p.get(pmiKeyRendezvous)
	if err != nil {
		return err
	}
	if msg, failed := strings.CutPrefix(string(rv), pmiFailed); failed {
		return fmt.Errorf("boot: rank %d: rank 0 could not start the rendezvous: %s", b.env.Rank, msg)
	}
	if b.secret, err = p.get(pmiKeySecret); err != nil {
		return err
	}
	if len(b.secret) < MinSecret {
		return fmt.Errorf("boot: PMI gave a secret of %d bytes", len(b.secret))
	}
	b.rv = string(rv)
	b.info.Rendezvous = b.rv
	return nil
}

// pmiHost is the address rank 0 serves the rendezvous on: SPMD_HOST or
// Options.BindAddr, else this node's name as the launcher knows it (Slurm's
// SLURMD_NODENAME, hydra's interface host name), else this host's name,
// resolved.
func (b *booter) pmiHost() (string, error) {
	if a := firstNonEmpty(b.opts.BindAddr, b.env.Host); a != "" {
		h, _ := splitBind(a)
		return h, nil
	}
	name := firstNonEmpty(b.env.Node, b.getenv("MPIR_CVAR_CH3_INTERFACE_HOSTNAME"))
	if name == "" {
		var err error
		if name, err = os.Hostname(); err != nil {
			return "", fmt.Errorf("boot: rank 0: no host name to serve the rendezvous on: %v; set SPMD_HOST", err)
		}
	}
	ip, err := resolve(name)
	if err != nil {
		return "", fmt.Errorf("boot: rank 0: this node's name %s does not resolve: %v; set SPMD_HOST", name, err)
	}
	return ip, nil
}

// publishPMI is rank 0's side once its server runs: the rendezvous
// address and the secret go into the PMI store, then the barrier lets the
// other ranks read them.
func (b *booter) publishPMI() error {
	p := b.pmi
	b.pmi = nil
	defer p.finalize()
	b.rv = b.srv.Addr()
	b.info.Rendezvous = b.rv
	if err := p.put(pmiKeyRendezvous, []byte(b.rv)); err != nil {
		return err
	}
	if err := p.put(pmiKeySecret, b.secret); err != nil {
		return err
	}
	return p.barrier()
}

// failPMI is rank 0's side when it failed before publishing: the other
// ranks, waiting at the barrier, learn why instead of timing out.
func (b *booter) failPMI(err error) {
	p := b.pmi
	if p == nil {
		return
	}
	b.pmi = nil
	defer p.finalize()
	msg := "rank 0 failed before serving"
	if err != nil {
		msg = err.Error()
	}
	if len(msg) > pmiMaxValue/2-len(pmiFailed) {
		msg = msg[:pmiMaxValue/2-len(pmiFailed)]
	}
	if p.put(pmiKeyRendezvous, []byte(pmiFailed+msg)) == nil {
		p.barrier()
	}
}
