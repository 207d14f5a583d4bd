package launch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"github.com/spmd-go/spmd/spmd/internal/procgroup"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// rank is one started rank, local or remote.
type rank interface {
	signal(sig syscall.Signal) // best effort, never blocks
	kill()                     // SIGKILL, by every means available
	wait() status              // once: blocks until the rank ended and its output is drained
}

type job struct {
	cfg        Config
	out        *output
	places     []placement
	dir        string // working directory sent to remote ranks
	secret     string // hex
	id         string
	rendezvous string // "" when no server runs
	ranks      []rank
	wd         *procgroup.Watchdog
	localEnv   []string // environment of local ranks, before rankEnv
	cpus       [][]int  // the CPUs each local rank is bound to; nil: unbound
}

// outerRankVars are the variables by which MPI launchers tell a process its
// rank. A launcher started under mpirun (or mpiexec) must not pass them on:
// its ranks would take themselves for the outer job's. (Slurm's are left
// alone; package boot tells an srun step from spmd run's ranks itself.)
var outerRankVars = map[string]bool{
	"OMPI_COMM_WORLD_RANK": true, "OMPI_COMM_WORLD_SIZE": true,
	"OMPI_COMM_WORLD_LOCAL_RANK": true, "OMPI_COMM_WORLD_LOCAL_SIZE": true,
	"PMI_RANK": true, "PMI_SIZE": true, "PMI_FD": true,
	"MPI_LOCALRANKID": true, "MPI_LOCALNRANKS": true, "PMIX_RANK": true,
}

// localEnvOf is the launcher's environment without outerRankVars, plus
// extra.
func localEnvOf(environ, extra []string) []string {
	env := make([]string, 0, len(environ)+len(extra))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !outerRankVars[name] {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// rankEnv is rank r's SPMD_* environment.
func (j *job) rankEnv(r int) []string {
	p := j.places[r]
	env := []string{
		"SPMD_RANK=" + strconv.Itoa(r),
		"SPMD_SIZE=" + strconv.Itoa(len(j.places)),
		"SPMD_LOCAL_RANK=" + strconv.Itoa(p.localRank),
		"SPMD_LOCAL_SIZE=" + strconv.Itoa(p.localSize),
		"SPMD_HOST=" + p.addr,
		"SPMD_SECRET=" + j.secret,
		"SPMD_JOB=" + j.id,
		"SPMD_NOTICES=1", // see blame.go
	}
	switch {
	case !p.local && (j.cfg.Bind == BindAuto || j.cfg.Bind == BindCore):
		env = append(env, bindVar+"="+string(j.cfg.Bind)) // spmd _remote binds the rank and says how
	case j.cpus != nil && j.cpus[r] != nil:
		env = append(env, bindVar+"="+string(j.cfg.Bind))
	default: // also replaces a value inherited from an outer job
		env = append(env, bindVar+"="+string(BindNone))
	}
	if j.rendezvous != "" {
		env = append(env, "SPMD_RENDEZVOUS="+j.rendezvous)
	}
	if stderrIsTerminal() {
		// A rank's stderr is a pipe to the launcher; this tells the root
		// that a person is watching, so it may show progress.
		env = append(env, "SPMD_STDERR_TTY=1")
	}
	return env
}

func stderrIsTerminal() bool {
	st, err := os.Stderr.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Run starts the job cfg describes and supervises it to the end (see the
// package documentation). It returns the launcher's exit code. A non-nil
// error means the job could not start (bad program, unreachable
// rendezvous address, a local rank that failed to exec); no rank is left
// running then, and the error has not been printed. Everything else,
// including a remote rank that could not start, is reported on
// cfg.Stderr and reflected in the code.
//
// Hosts named localhost, 127.0.0.1, ::1, this machine's host name or one
// of its interface addresses, or listed in cfg.LocalHosts, run locally.
// Run panics if cfg.Program or cfg.Hosts is empty.
func Run(ctx context.Context, cfg Config) (int, error) {
	cfg.check()
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if cfg.KillAfter <= 0 {
		cfg.KillAfter = DefaultKillAfter
	}
	ssh := cfg.SSH
	if len(ssh) == 0 {
		ssh = DefaultSSH
	}

	places, launcherIP, err := place(cfg.Hosts, cfg.LocalHosts)
	if err != nil {
		return 1, err
	}
	var localPath string
	anyRemote := false
	for _, p := range places {
		if !p.local {
			anyRemote = true
		} else if localPath == "" {
			if localPath, err = exec.LookPath(cfg.Program[0]); err != nil {
				return 127, fmt.Errorf("cannot run %s: %v", cfg.Program[0], err)
			}
		}
	}
	if anyRemote {
		if cfg.RemoteSpmd == "" {
			return 1, fmt.Errorf("no remote spmd path for the remote hosts")
		}
		if _, err := exec.LookPath(ssh[0]); err != nil {
			return 127, fmt.Errorf("cannot run the ssh command %s: %v", ssh[0], err)
		}
	}

	j := &job{cfg: cfg, places: places, dir: cfg.Dir, localEnv: localEnvOf(os.Environ(), cfg.Env)}
	if cfg.Bind == BindCore || cfg.Bind == BindAuto && !autoUnbound(j.localEnv) {
		// Every local rank's CPUs are known before the first starts.
		cpus, err := allowedCPUs()
		if err != nil {
			return 1, err
		}
		j.cpus = make([][]int, len(places))
		for r, p := range places {
			if p.local {
				if j.cpus[r], err = cpusFor(cfg.Bind, cpus, p.localRank, p.localSize); err != nil {
					return 1, err
				}
			}
		}
	}
	j.out = &output{stdout: cfg.Stdout, stderr: cfg.Stderr, tag: cfg.TagOutput}
	if j.dir == "" {
		j.dir, _ = os.Getwd()
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	j.secret = hex.EncodeToString(secret)
	id := make([]byte, 8)
	rand.Read(id)
	j.id = hex.EncodeToString(id)

	if cfg.StartRendezvous != nil {
		addr := cfg.RendezvousAddr
		if addr == "" {
			addr = launcherIP + ":0"
		}
		rv, err := cfg.StartRendezvous(addr, len(places), secret, j.id)
		if err != nil {
			return 1, fmt.Errorf("rendezvous server on %s: %v", addr, err)
		}
		defer rv.Close()
		j.rendezvous = rv.Addr()
	}

	j.wd = procgroup.StartWatchdog(cfg.Watchdog)
	defer j.wd.Stop()
	for r, p := range places {
		var rk rank
		var err error
		if p.local {
			rk, err = j.startLocal(r, localPath)
		} else {
			rk, err = j.startRemote(r, p.host, ssh)
		}
		if err != nil {
			for _, started := range j.ranks {
				started.kill()
			}
			for _, started := range j.ranks {
				started.wait()
			}
			return 1, fmt.Errorf("could not start rank %d on %s: %v", r, p.host, err)
		}
		j.ranks = append(j.ranks, rk)
	}
	return j.supervise(ctx), nil
}

type exitEvent struct {
	rank int
	st   status
}

// supervise waits for every rank, stopping the job on the first failure,
// signal or timeout, and returns the exit code.
func (j *job) supervise(ctx context.Context) int {
	exits := make(chan exitEvent, len(j.ranks))
	for r, rk := range j.ranks {
		go func() { exits <- exitEvent{r, rk.wait()} }()
	}
	var timeout <-chan time.Time
	if j.cfg.Timeout > 0 {
		t := time.NewTimer(j.cfg.Timeout)
		defer t.Stop()
		timeout = t.C
	}

	var (
		code     int              // the exit code, once decided
		stopping bool             // the launcher is ending the job
		killC    <-chan time.Time // the grace period's end
		rootDone <-chan time.Time // RootDecides: the grace after rank 0 ended well
		left     = len(j.ranks)
		done     = ctx.Done()
	)
	// stop ends the job with exit code c: sig now, SIGKILL after the
	// grace period. Ranks that fail from here on are our doing and are
	// not reported.
	stop := func(c int, sig syscall.Signal) {
		stopping, code = true, c
		j.signalAll(sig)
		killC = time.After(j.cfg.KillAfter)
	}
	b := newBlame(j)
	defer b.stop()
	for left > 0 {
		select {
		case ev := <-exits:
			left--
			if stopping {
				continue
			}
			if j.cfg.RootDecides {
				// No blame to work out: only rank 0's end counts.
				switch {
				case ev.rank != 0 && ev.st.failed():
					j.out.log(ev.st.describe(ev.rank, j.places[ev.rank].host) + "; the job goes on (rank 0 decides)")
				case ev.rank == 0 && ev.st.failed():
					j.out.log(ev.st.describe(ev.rank, j.places[ev.rank].host))
					stop(ev.st.exitCode(), syscall.SIGTERM)
				case ev.rank == 0 && left > 0:
					rootDone = time.After(j.cfg.KillAfter)
				}
				continue
			}
			if line, c, ok := b.exited(ev); ok {
				j.out.log(line)
				stop(c, syscall.SIGTERM)
			}
		case <-b.timeout():
			if !stopping {
				line, c := b.graceOver()
				j.out.log(line)
				stop(c, syscall.SIGTERM)
			}
		case <-rootDone:
			if !stopping {
				what := fmt.Sprintf("the %d ranks", left)
				if left == 1 {
					what = "the rank"
				}
				j.out.log(fmt.Sprintf("rank 0 ended; stopping %s still running %v later", what, j.cfg.KillAfter))
				stop(0, syscall.SIGTERM)
			}
		case s := <-j.cfg.Signals:
			sig, _ := s.(syscall.Signal)
			if sig == 0 {
				sig = syscall.SIGTERM
			}
			if stopping {
				j.out.log(fmt.Sprintf("got SIG%s again; killing %d ranks", signalName(sig), left))
				j.killAll()
				killC = nil
				continue
			}
			j.out.log(fmt.Sprintf("got SIG%s; forwarding it to %d ranks (again to kill)", signalName(sig), left))
			stop(128+int(sig), sig)
		case <-timeout:
			if !stopping {
				j.out.log(fmt.Sprintf("job timed out after %v; stopping %d ranks", j.cfg.Timeout, left))
				stop(TimeoutExitCode, syscall.SIGTERM)
			}
		case <-done:
			done = nil // closed for good: do not spin on it
			if !stopping {
				j.out.log(fmt.Sprintf("%v; stopping %d ranks", context.Cause(ctx), left))
				stop(1, syscall.SIGTERM)
			}
		case <-killC:
			what := fmt.Sprintf("%d ranks", left)
			if left == 1 {
				what = "1 rank"
			}
			j.out.log(fmt.Sprintf("%s still running %v after being told to stop; killing them", what, j.cfg.KillAfter))
			j.killAll()
			killC = nil
		}
	}
	return code
}

func (j *job) signalAll(sig syscall.Signal) {
	for _, rk := range j.ranks {
		rk.signal(sig)
	}
}

func (j *job) killAll() {
	for _, rk := range j.ranks {
		rk.kill()
	}
}
