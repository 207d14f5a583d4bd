package launch

import (
	"strconv"
	"strings"
)

// bindEnv tells a rank, and spmd _remote before it, that ranks are bound
// to cores.
const bindEnv = "SPMD_BIND=core"

// boundSlot reads from a rank's environment whether it is to be bound,
// and its place among the ranks of its machine.
func boundSlot(env []string) (local, size int, ok bool) {
	bind, lr, ls := false, -1, -1
	for _, kv := range env {
		name, val, _ := strings.Cut(kv, "=")
		switch name {
		case "SPMD_BIND":
			bind = val == "core"
		case "SPMD_LOCAL_RANK":
			lr, _ = strconv.Atoi(val)
		case "SPMD_LOCAL_SIZE":
			ls, _ = strconv.Atoi(val)
		}
	}
	if !bind || lr < 0 || ls <= lr {
		return 0, 0, false
	}
	return lr, ls, true
}
