package comm

import (
	"os"
	"strings"
)

// SplitShared partitions c into communicators of the ranks that run on
// one machine, and so may share memory (MPI_Comm_split_type with
// MPI_COMM_TYPE_SHARED): the usual first step before AllocShared in a job
// that spans machines. Ranks keep their order from c. It is collective
// over c.
//
// A machine is one kernel seen from one pid namespace: two containers on
// one host are two machines here, since neither can open the other's
// memory. Even within one machine AllocShared can still refuse (another
// user, no permission); it says so on every rank.
func (c *Comm) SplitShared() (*Comm, error) { return c.splitByID(machineID()) }

// splitByID groups the ranks of c that pass the same id.
func (c *Comm) splitByID(id string) (*Comm, error) {
	ids, err := AllgatherValue(c, id)
	if err != nil {
		return nil, renameOp(err, "SplitShared")
	}
	// The color of a machine is the lowest rank on it.
	color := c.Rank()
	for r := range ids {
		if ids[r] == id {
			color = r
			break
		}
	}
	sub, err := c.Split(color, c.Rank())
	return sub, renameOp(err, "SplitShared")
}

// machineID names this machine as SplitShared groups it: the host name,
// the kernel's boot id and the pid namespace.
func machineID() string {
	host, _ := os.Hostname()
	id := []string{host}
	if boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id"); err == nil {
		id = append(id, strings.TrimSpace(string(boot)))
	}
	if ns, err := os.Readlink("/proc/self/ns/pid"); err == nil {
		id = append(id, ns)
	}
	return strings.Join(id, "/")
}
