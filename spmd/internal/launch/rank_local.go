package launch

import (
	"github.com/spmd-go/spmd/spmd/internal/procgroup"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"

	"github.com/spmd-go/spmd/comm/boot"
)

// localRank is a rank started by fork/exec on this machine.
type localRank struct {
	g      *pgroup
	outs   sync.WaitGroup
	stdout *os.File // read ends of the rank's output pipes
	stderr *os.File
	notice *boot.Notice // set by the stderr hook; read after outs.Wait
}

// startLocal starts rank r of j, running path with argv j.cfg.Program.
func (j *job) startLocal(r int, path string) (*localRank, error) {
	cmd := &exec.Cmd{
		Path:        path,
		Args:        j.cfg.Program,
		Env:         append(j.localEnv[:len(j.localEnv):len(j.localEnv)], j.rankEnv(r)...),
		Dir:         j.cfg.Dir,
		SysProcAttr: procgroup.Attr(),
	}
	// Our own pipes rather than cmd.StdoutPipe: the rank's *os.File ends go
	// to the child directly (no copying goroutine in exec), and Wait does
	// not close the read ends before we have drained them.
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = outW, errW

	var stdinW *os.File
	if r == 0 && j.cfg.Stdin != nil {
		if f, ok := j.cfg.Stdin.(*os.File); ok && !isCharDevice(f) {
			cmd.Stdin = f // a file or pipe: hand it over as is
		} else {
			// A terminal must stay with the launcher: a rank in its own
			// process group reading it would be stopped by SIGTTIN.
			var stdinR *os.File
			if stdinR, stdinW, err = os.Pipe(); err != nil {
				outR.Close()
				outW.Close()
				errR.Close()
				errW.Close()
				return nil, err
			}
			defer stdinR.Close()
			cmd.Stdin = stdinR
		}
	}

	if j.cpus != nil && j.cpus[r] != nil {
		err = startBound(cmd, j.cpus[r])
	} else {
		err = cmd.Start()
	}
	outW.Close()
	errW.Close()
	if err != nil {
		outR.Close()
		errR.Close()
		if stdinW != nil {
			stdinW.Close()
		}
		return nil, err
	}
	if stdinW != nil {
		go func() {
			io.Copy(stdinW, j.cfg.Stdin)
			stdinW.Close()
		}()
	}
	lr := &localRank{g: newPgroup(cmd, j.wd), stdout: outR, stderr: errR}
	lr.outs.Add(2)
	go func() { defer lr.outs.Done(); j.out.sink(j.out.stdout, r).forward(outR) }()
	errSink := j.out.sink(j.out.stderr, r)
	errSink.hook = func(line []byte) []byte { return takeNotice(line, &lr.notice) }
	go func() { defer lr.outs.Done(); errSink.forward(errR) }()
	return lr, nil
}

func (lr *localRank) signal(sig syscall.Signal) { lr.g.signal(sig) }
func (lr *localRank) kill()                     { lr.g.signal(syscall.SIGKILL) }

func (lr *localRank) wait() status {
	ps := lr.g.wait()
	drain(&lr.outs, lr.stdout, lr.stderr)
	st := statusOf(ps)
	st.follows = lr.notice
	return st
}

func isCharDevice(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
