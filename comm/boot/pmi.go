package boot

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// A PMI client: the trusted channel of a launcher that gives one.
//
// MPICH's hydra (mpiexec) and Slurm's pmi2 plugin (srun --mpi=pmi2) hand
// every rank a socket, PMI_FD, to the launcher's own key-value store:
// what a rank puts there, after a barrier, every rank of the job can get,
// and no one else. Both speak the PMI-1 wire protocol (MPICH's "simple
// PMI") on it: one line per message, "cmd=NAME key=value ...", each
// request answered by one line. Init uses it to share what a job started
// that way would otherwise need from the user: rank 0 makes the job
// secret, serves the rendezvous, and puts both in the store; the others
// get them after the barrier. The store is as private as the launcher's
// own channel: Slurm's travels between its daemons, authenticated by
// munge; hydra's proxies use plain TCP between nodes, as MPI itself does.
//
// Hydra kills a job whose rank exits after PMI init without finalize, so
// the client is finalized as soon as the exchange is done, on any path.

// PMI store keys (at most 64 bytes) and value bound (1024 bytes in both
// launchers). Values are hex, so no space or '=' can break a line.
const (
	pmiKeyRendezvous = "spmd-rendezvous"
	pmiKeySecret     = "spmd-secret"
	pmiMaxValue      = 1024
	pmiFailed        = "!" // prefix of a rendezvous value that is rank 0's error
)

// pmiClient is one rank's connection to the launcher's PMI server.
type pmiClient struct {
	conn net.Conn
	r    *bufio.Reader
	kvs  string // the job's store, from get_my_kvsname
	stop func() bool
}

// usesPMI reports whether the launcher offers a PMI server (PMI_FD).
func usesPMI(getenv func(string) string) bool { return getenv("PMI_FD") != "" }

// dialPMI opens the PMI socket named by PMI_FD and initializes the
// protocol. Every call then ends when ctx does.
func dialPMI(ctx context.Context, getenv func(string) string) (*pmiClient, error) {
	v := getenv("PMI_FD")
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 0 {
		return nil, fmt.Errorf("boot: PMI_FD=%q is not a file descriptor", v)
	}
	f := os.NewFile(uintptr(fd), "PMI_FD")
	conn, err := net.FileConn(f) // a duplicate; f's descriptor is ours to close
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("boot: PMI_FD=%d: %v", fd, err)
	}
	p := &pmiClient{conn: conn, r: bufio.NewReader(conn)}
	p.stop = context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	if _, err := p.call("init pmi_version=1 pmi_subversion=1", "response_to_init"); err != nil {
		p.close()
		return nil, err
	}
	m, err := p.call("get_my_kvsname", "my_kvsname")
	if err != nil {
		p.finalize()
		return nil, err
	}
	if p.kvs = m["kvsname"]; p.kvs == "" {
		p.finalize()
		return nil, errors.New("boot: PMI: the launcher named no key-value store")
	}
	return p, nil
}

// call sends "cmd=req" and reads the answer, which must be cmd=want with
// rc=0 (or no rc): its fields come back by name.
func (p *pmiClient) call(req, want string) (map[string]string, error) {
	if _, err := p.conn.Write([]byte("cmd=" + req + "\n")); err != nil {
		return nil, fmt.Errorf("boot: PMI %s: %v", firstWord(req), err)
	}
	line, err := p.r.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("boot: PMI %s: no answer from the launcher: %v", firstWord(req), err)
	}
	m := parsePMI(line)
	switch {
	case m["cmd"] != want:
		return nil, fmt.Errorf("boot: PMI %s: the launcher answered %q", firstWord(req), strings.TrimSpace(line))
	case m["rc"] != "" && m["rc"] != "0":
		return nil, fmt.Errorf("boot: PMI %s failed: rc=%s %s", firstWord(req), m["rc"], m["msg"])
	}
	return m, nil
}

// parsePMI splits one PMI-1 line into its key=value fields.
func parsePMI(line string) map[string]string {
	m := map[string]string{}
	for _, f := range strings.Fields(line) {
		if k, v, ok := strings.Cut(f, "="); ok {
			m[k] = v
		}
	}
	return m
}

func firstWord(s string) string { w, _, _ := strings.Cut(s, " "); return w }

func (p *pmiClient) put(key string, value []byte) error {
	v := hex.EncodeToString(value)
	if len(v) > pmiMaxValue {
		return fmt.Errorf("boot: PMI put %s: %d bytes, at most %d", key, len(v), pmiMaxValue)
	}
	_, err := p.call("put kvsname="+p.kvs+" key="+key+" value="+v, "put_result")
	return err
}

func (p *pmiClient) get(key string) ([]byte, error) {
	m, err := p.call("get kvsname="+p.kvs+" key="+key, "get_result")
	if err != nil {
		return nil, err
	}
	v, err := hex.DecodeString(m["value"])
	if err != nil {
		return nil, fmt.Errorf("boot: PMI get %s: a value that is not ours: %q", key, m["value"])
	}
	return v, nil
}

func (p *pmiClient) barrier() error {
	_, err := p.call("barrier_in", "barrier_out")
	return err
}

// finalize tells the launcher this rank is done with PMI, and closes the
// socket; hydra would kill a rank that exits without it.
func (p *pmiClient) finalize() error {
	_, err := p.call("finalize", "finalize_ack")
	p.close()
	return err
}

func (p *pmiClient) close() {
	p.stop()
	p.conn.Close()
}
