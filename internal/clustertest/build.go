package clustertest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// SpmdPackage is the import path of the spmd command.
const SpmdPackage = "github.com/spmd-go/spmd/spmd"

// buildDirPrefix names the temporary directories BuildSpmd builds into:
// spmd-clustertest-PID-RANDOM.
const buildDirPrefix = "spmd-clustertest-"

var built struct {
	once sync.Once
	path string
	err  error
}

// BuildSpmd returns the absolute path of an spmd binary, building it at most
// once per test process (go build -o DIR/spmd github.com/spmd-go/spmd/spmd,
// with the test's own environment, so GOEXPERIMENT and GOFLAGS carry over).
// With SPMD_TEST_BIN set it returns that binary instead. A failed build fails
// the test.
//
// The binary lives in a temporary directory named after this process; since
// a test process has no hook at exit, each build first removes the
// directories of test processes that have ended.
func BuildSpmd(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv(EnvSpmdBin); bin != "" {
		if !filepath.IsAbs(bin) {
			t.Fatalf("clustertest: %s=%s must be an absolute path (ranks may run in another directory)", EnvSpmdBin, bin)
		}
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("clustertest: %s: %v", EnvSpmdBin, err)
		}
		return bin
	}
	built.once.Do(func() { built.path, built.err = buildSpmd() })
	if built.err != nil {
		t.Fatalf("clustertest: building spmd: %v", built.err)
	}
	return built.path
}

func buildSpmd() (string, error) {
	removeStaleBuilds(os.TempDir())
	dir, err := os.MkdirTemp("", buildDirPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "spmd")
	cmd := exec.Command("go", "build", "-o", bin, SpmdPackage)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	timer := time.AfterFunc(5*time.Minute, func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) })
	err = cmd.Wait()
	timer.Stop()
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("go build -o %s %s: %v\n%s", bin, SpmdPackage, err, out.Bytes())
	}
	return bin, nil
}

// removeStaleBuilds removes the build directories under tmp whose test
// process no longer exists.
func removeStaleBuilds(tmp string) {
	dirs, _ := filepath.Glob(filepath.Join(tmp, buildDirPrefix+"*"))
	for _, d := range dirs {
		pid, ok := buildDirPID(filepath.Base(d))
		if !ok || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			os.RemoveAll(d)
		}
	}
}

// buildDirPID parses the pid out of a build directory name.
func buildDirPID(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, buildDirPrefix)
	if !ok {
		return 0, false
	}
	digits, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(digits)
	return pid, err == nil && pid > 0
}
