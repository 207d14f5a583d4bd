package launch

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"github.com/spmd-go/spmd/spmd/internal/procgroup"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary doubles as the programs the tests launch:
//
//	launch.test _remote                 RunRemote, as `spmd _remote`
//	launch.test _watchdog               RunWatchdog, as `spmd _watchdog`
//	launch.test _lines COUNT LEN        prints COUNT lines "RANK I xxx…" of
//	                                    LEN x's each, RANK from SPMD_RANK
//	launch.test _launch HOSTS ARGV...   a launcher: Run with Hosts from the
//	                                    comma-separated HOSTS, fake ssh, a
//	                                    watchdog, and $LAUNCH_TEST_MARKER
//	                                    passed to the ranks
func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "_remote":
			os.Exit(RunRemote(os.Stdin, os.Stdout, os.Stderr))
		case "_watchdog":
			os.Exit(procgroup.RunWatchdog(os.Stdin))
		case "_launch":
			exe, _ := os.Executable()
			code, err := Run(context.Background(), Config{
				Hosts:      strings.Split(os.Args[2], ","),
				Program:    os.Args[3:],
				SSH:        fakeSSH,
				RemoteSpmd: exe,
				Watchdog:   []string{exe, "_watchdog"},
				Env:        []string{"LAUNCH_TEST_MARKER=" + os.Getenv("LAUNCH_TEST_MARKER")},
			})
			if err != nil {
				fmt.Fprintln(os.Stderr, "spmd run:", err)
			}
			os.Exit(code)
		case "_lines":
			count, _ := strconv.Atoi(os.Args[2])
			n, _ := strconv.Atoi(os.Args[3])
			w := bufio.NewWriterSize(os.Stdout, 4096)
			pad := strings.Repeat("x", n)
			for i := range count {
				fmt.Fprintf(w, "%s %d %s\n", os.Getenv("SPMD_RANK"), i, pad)
			}
			w.Flush()
			os.Exit(0)
		}
	}
	os.Exit(m.Run())
}

// testTimeout bounds every job a test runs.
const testTimeout = 60 * time.Second

func self(t *testing.T) string {
	t.Helper()
	p, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fakeSSH stands in for ssh without an sshd: `sh -c SCRIPT fakessh HOST
// CMD...` drops the host and runs the command words through a shell, as
// sshd does. setsid -f -w puts the "remote" side in a session of its own,
// out of reach of the launcher's signals and death signal to the "ssh"
// process, as a real remote side would be: only the frames and the EOF
// on its stdin reach it.
var fakeSSH = []string{"sh", "-c", `shift; exec setsid -f -w sh -c "$*"`, "fakessh"}

// standIn is a rendezvous server stand-in: a listener nobody talks to.
type standIn struct{ ln net.Listener }

func (s *standIn) Addr() string { return s.ln.Addr().String() }
func (s *standIn) Close() error { return s.ln.Close() }

func startStandIn(addr string, size int, secret []byte, job string) (Rendezvous, error) {
	if size < 1 || len(secret) != 32 || job == "" {
		return nil, fmt.Errorf("bad rendezvous arguments: size %d, %d-byte secret, job %q", size, len(secret), job)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &standIn{ln}, nil
}

// syncBuffer is a bytes.Buffer safe for the concurrent reads a test makes
// while the job writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines counts the complete lines written so far.
func (s *syncBuffer) lines() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Count(s.b.Bytes(), []byte("\n"))
}

type result struct {
	code           int
	err            error
	stdout, stderr string
}

// run runs cfg with a marker in every rank's environment, bounded by
// testTimeout, and checks afterwards that no process of the job remains.
func run(t *testing.T, cfg Config) result {
	t.Helper()
	var out, errb syncBuffer
	if cfg.Stdout == nil {
		cfg.Stdout = &out
	}
	if cfg.Stderr == nil {
		cfg.Stderr = &errb
	}
	marker := markEnv(t, &cfg)
	if cfg.StartRendezvous == nil {
		cfg.StartRendezvous = startStandIn
	}
	if cfg.Watchdog == nil {
		cfg.Watchdog = []string{self(t), "_watchdog"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	code, err := Run(ctx, cfg)
	if ctx.Err() != nil {
		t.Errorf("job hit the test timeout of %v", testTimeout)
	}
	checkNoneLeft(t, marker)
	return result{code, err, out.String(), errb.String()}
}

// markEnv adds a unique marker variable to cfg.Env and returns it.
func markEnv(t *testing.T, cfg *Config) string {
	marker := fmt.Sprintf("LAUNCH_TEST_MARKER=%d-%d-%s", os.Getpid(), time.Now().UnixNano(), strings.ReplaceAll(t.Name(), "/", "_"))
	cfg.Env = append(append([]string{}, cfg.Env...), marker)
	return marker
}

// jobProcs lists the live (non-zombie) processes whose environment holds
// marker.
func jobProcs(marker string) []int {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var pids []int
	for _, d := range dirs {
		env, err := os.ReadFile(d + "/environ")
		if err != nil || !bytes.Contains(env, []byte(marker+"\x00")) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(d))
		if alive(pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || (stat[i+2] != 'Z' && stat[i+2] != 'X')
}

// checkNoneLeft fails the test if processes with marker are still alive
// 5 s from now (remote kills are asynchronous, so it polls).
func checkNoneLeft(t *testing.T, marker string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := jobProcs(marker)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("processes of the job still alive after it ended: %v", left)
			for _, pid := range left {
				b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
				t.Logf("  pid %d: %q", pid, b)
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor polls cond for up to testTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// hosts returns n copies of h.
func hosts(n int, h ...string) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, h[i%len(h)])
	}
	return out
}
