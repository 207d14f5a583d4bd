package boot

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Single-node jobs started by mpirun, mpiexec or srun need no flags: the
// ranks meet in a private directory that only this user can enter,
//
//	$TMPDIR/spmd-<uid>/<jobkey>/rendezvous
//
// where jobkey names this run of the launcher. Rank 0 makes a random
// secret, starts a rendezvous server on 127.0.0.1, and writes the
// server's address and the secret into that file (mode 0600, atomically);
// the other ranks wait for the file. Rank 0 removes file and directory
// once every rank has registered, which implies every rank has read it.

// localFile is the name of the file rank 0 writes.
const localFile = "rendezvous"

// jobKey names this run of the launcher, the same for every rank on this
// node and different for any other run: SLURM_JOB_ID.SLURM_STEP_ID under
// Slurm; a hash of the identities of mpirun (its URI and the PMIx
// namespace) under Open MPI and PMIx; the hydra proxy's pid and start time
// with the job size under MPICH (every rank on a node is a child of the
// same proxy); SPMD_JOB under spmd run. It fails when the environment has
// nothing unique.
func jobKey(env Env, getenv func(string) string) (string, error) {
	hashOf := func(kind string, vars ...string) string {
		h := sha256.New()
		n := 0
		for _, v := range vars {
			if val := getenv(v); val != "" {
				fmt.Fprintf(h, "%s=%s\x00", v, val)
				n++
			}
		}
		if n == 0 {
			return ""
		}
		return kind + "-" + hex.EncodeToString(h.Sum(nil)[:12])
	}
	var key string
	switch env.Kind {
	case KindSlurm:
		key = "slurm-" + env.JobID
	case KindOpenMPI:
		key = hashOf("openmpi", "OMPI_MCA_orte_hnp_uri", "PMIX_NAMESPACE", "OMPI_MCA_ess_base_jobid", "PMIX_SERVER_URI41", "PMIX_SERVER_URI4")
	case KindPMIx:
		key = hashOf("pmix", "PMIX_NAMESPACE", "PMIX_SERVER_URI41", "PMIX_SERVER_URI4", "PMIX_SERVER_URI3", "PMIX_SERVER_URI2")
	case KindMPICH:
		pid, start := launcherProcess()
		key = "mpich-" + strconv.Itoa(pid) + "-" + start + "-" + strconv.Itoa(env.Size)
	case KindSpmd:
		if env.JobID != "" {
			key = "spmd-" + env.JobID
		}
	}
	if key == "" {
		return "", fmt.Errorf("boot: %s gives nothing that tells this job from another on the same node: set SPMD_RENDEZVOUS (and SPMD_SECRET)", env.Kind)
	}
	return fileBaseName(key), nil
}

// localDir creates (or checks) $TMPDIR/spmd-<uid>/<key>, both levels mode
// 0700 and owned by this user: another user must not be able to plant a
// file there or read the secret.
func localDir(getenv func(string) string, key string) (string, error) {
	tmp := getenv("TMPDIR")
	if tmp == "" {
		tmp = os.TempDir()
	}
	parent := filepath.Join(tmp, "spmd-"+strconv.Itoa(os.Getuid()))
	dir := filepath.Join(parent, key)
	for _, d := range []string{parent, dir} {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("boot: %v", err)
		}
		fi, err := os.Lstat(d)
		if err != nil {
			return "", fmt.Errorf("boot: %v", err)
		}
		if err := checkPrivateDir(d, fi); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// serveLocal is rank 0's side: it makes the secret, starts the
// server and publishes both in dir. The caller closes the server and
// calls cleanup.
func serveLocal(dir string, size int, job string) (srv *Server, secret []byte, cleanup func(), err error) {
	secret = make([]byte, 32)
	rand.Read(secret)
	srv, err = NewServer("127.0.0.1:0", size, secret, job)
	if err != nil {
		return nil, nil, nil, err
	}
	path := filepath.Join(dir, localFile)
	cleanup = func() {
		os.Remove(path)
		os.Remove(dir)
	}
	content := srv.Addr() + "\n" + hex.EncodeToString(secret) + "\n"
	if err := writeFileAtomic(path, []byte(content)); err != nil {
		srv.Close()
		cleanup()
		return nil, nil, nil, fmt.Errorf("boot: %v", err)
	}
	return srv, secret, cleanup, nil
}

// awaitLocal is the other ranks' side: it waits for rank 0's file and
// returns the server address and the secret.
func awaitLocal(ctx context.Context, dir string) (addr string, secret []byte, err error) {
	path := filepath.Join(dir, localFile)
	for delay := minPoll; ; delay = min(2*delay, maxPoll) {
		data, err := os.ReadFile(path)
		if err == nil {
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			if len(lines) == 2 {
				if s, err := hex.DecodeString(lines[1]); err == nil && len(s) >= MinSecret {
					return lines[0], s, nil
				}
			}
			return "", nil, fmt.Errorf("boot: %s is not a rendezvous file", path)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", nil, fmt.Errorf("boot: %v", err)
		}
		if !sleepCtx(ctx, delay) {
			return "", nil, fmt.Errorf("boot: rank 0 never published the rendezvous in %s (did rank 0 start on this node?)", dir)
		}
	}
}
