package launch

import (
	"fmt"
	"strconv"
	"strings"
)

// Binding says where the ranks of a machine may run (spmd run --bind-to).
//
// Binding pays where ranks poll shared memory, and costs where they sleep
// on sockets: a rank bound to its own core is woken by an interrupt to
// that core, where an unbound one may be woken on its waker's (on this VM
// an 8-byte ping-pong over loopback TCP took 70-95 µs between two cores,
// 16-32 µs when the kernel woke each rank on its waker's core). So
// BindAuto binds nothing when the ranks are told to keep to TCP
// (SPMD_SHM=off).
//
// Open MPI binds each rank to a core by default; left to itself the
// kernel may put two ranks that poll shared memory on one core, where
// they take turns (measured on a 2-core machine: an 8-byte Allreduce of
// 2 ranks 0.55 µs bound, 9-13 µs when the kernel had stacked them; an
// 8-byte ping-pong 0.4-0.7 µs against 0.7-3). So spmd run binds by
// default too, but gently (BindAuto): each rank gets an equal block of
// the CPUs its starter may use, so ranks never share a core and a rank's
// threads keep all of its block. With a whole multiple of the CPUs as
// ranks, each CPU gets as many ranks, dealt in turn (rank k on CPU k mod
// n, so neighbours in rank order run on different CPUs): left unbound,
// two ranks that ping-pong while the others wait asleep were often
// stacked on one core by the kernel (4 ranks on 2 cores: 3.0-3.5 µs per
// 8-byte message, 0.45 dealt in turn; an 8-byte Allreduce 15 µs against
// 10). With any other count above the CPUs nothing is bound: equal work
// on unequal shares of a CPU would wait for the ranks that share one. The CPUs are those of the launcher's own affinity (or, on a
// remote host, spmd _remote's): a job started under taskset, or inside a
// Slurm allocation, stays inside it.
type Binding string

const (
	// BindNone leaves placement to the kernel.
	BindNone Binding = "none"
	// BindAuto gives the k-th of n ranks on a machine the k-th of n equal
	// blocks of its CPUs (the first blocks one CPU larger when they do not
	// divide evenly); when n is a whole multiple of the c CPUs, CPU k mod
	// c; otherwise, when n exceeds the CPUs, nothing.
	BindAuto Binding = "auto"
	// BindCore gives the k-th rank of a machine the k-th CPU alone; more
	// ranks than CPUs is an error before any rank starts.
	BindCore Binding = "core"
)

// ParseBinding reads a --bind-to value.
func ParseBinding(s string) (Binding, error) {
	switch b := Binding(s); b {
	case BindNone, BindAuto, BindCore:
		return b, nil
	}
	return "", fmt.Errorf("--bind-to %q: want auto, core or none", s)
}

// bindVar is the environment variable that carries the binding: to spmd
// _remote, which binds a remote rank itself, and to the rank, where it
// says the rank's CPUs are its own share (job.DefaultThreads uses them
// all): "core" or "auto" when the rank is bound, "none" when not.
const bindVar = "SPMD_BIND"

// cpusFor returns the CPUs, among cpus, of the local-th of size ranks on
// a machine under b; nil means unbound.
func cpusFor(b Binding, cpus []int, local, size int) ([]int, error) {
	switch {
	case b != BindAuto && b != BindCore, size < 1, local < 0, local >= size:
		return nil, nil
	case size > len(cpus) && b == BindCore:
		return nil, fmt.Errorf("--bind-to core: %d ranks on this machine but only %d CPUs to bind them to (%s); start fewer ranks or use --bind-to auto or none", size, len(cpus), cpuList(cpus))
	case size > len(cpus) && size%len(cpus) == 0:
		k := local % len(cpus) // BindAuto, evenly oversubscribed: dealt in turn
		return cpus[k : k+1], nil
	case size > len(cpus):
		return nil, nil // BindAuto, unevenly oversubscribed: the kernel shares the cores out
	case b == BindCore:
		return cpus[local : local+1], nil
	}
	q, r := len(cpus)/size, len(cpus)%size
	start := local*q + min(local, r)
	n := q
	if local < r {
		n++
	}
	return cpus[start : start+n], nil
}

// autoUnbound says whether BindAuto binds nothing for ranks with
// environment env (later entries win): they keep to TCP.
func autoUnbound(env []string) bool {
	off := false
	for _, kv := range env {
		if name, val, _ := strings.Cut(kv, "="); name == "SPMD_SHM" {
			off = val == "off"
		}
	}
	return off
}

// boundSlot reads a rank's environment: how it is to be bound and its
// place among the ranks of its machine.
func boundSlot(env []string) (b Binding, local, size int) {
	b, local, size = BindNone, -1, -1
	for _, kv := range env {
		name, val, _ := strings.Cut(kv, "=")
		switch name {
		case bindVar:
			b = Binding(val)
		case "SPMD_LOCAL_RANK":
			local, _ = strconv.Atoi(val)
		case "SPMD_LOCAL_SIZE":
			size, _ = strconv.Atoi(val)
		}
	}
	return b, local, size
}

// cpuList writes CPUs as taskset does: 0-3,8.
func cpuList(cpus []int) string {
	var s strings.Builder
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if s.Len() > 0 {
			s.WriteByte(',')
		}
		if j == i {
			fmt.Fprint(&s, cpus[i])
		} else {
			fmt.Fprintf(&s, "%d-%d", cpus[i], cpus[j])
		}
		i = j + 1
	}
	return s.String()
}
