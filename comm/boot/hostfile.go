package boot

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
	"syscall"
)

// HostSlots is one host of a hostfile and the number of ranks it takes
// before the job counts as oversubscribed.
type HostSlots struct {
	Host  string
	Slots int
}

// Bounds on hostfiles, so that a wrong file given as --hostfile fails fast
// instead of filling memory.
const (
	maxHostfileLine = 4096
	maxSlots        = 1 << 20 // per host and in total
)

// ParseHostfile reads a hostfile in either MPI dialect, one host per line:
//
//	# comment; blank lines are skipped
//	node1 slots=4            Open MPI: 4 slots (max_slots=N is accepted and ignored:
//	                         oversubscription is decided by MapRanks alone)
//	node2:4                  MPICH: 4 slots
//	node3                    1 slot
//	node3                    a host listed again adds its slots: node3 has 2
//	[::1]:2                  an IPv6 address with a count needs brackets
//
// Hosts come back in order of first appearance. Errors name the line:
// "hostfile: line 3: slots=abc is not a positive integer". A hostfile
// without any host is an error.
func ParseHostfile(r io.Reader) ([]HostSlots, error) {
	var hb hostBuilder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 256), maxHostfileLine)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		host, slots, err := parseHostfileLine(fields)
		if err == nil {
			err = hb.add(host, slots)
		}
		if err != nil {
			return nil, fmt.Errorf("hostfile: line %d: %v", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("hostfile: line %d: longer than %d bytes", line+1, maxHostfileLine)
		}
		return nil, fmt.Errorf("hostfile: %v", err)
	}
	if len(hb.hosts) == 0 {
		return nil, fmt.Errorf("hostfile: no hosts (only comments and blank lines)")
	}
	return hb.hosts, nil
}

// ReadHostfile reads the hostfile at path with ParseHostfile. Errors name
// the file: "hostfile hosts.txt: line 3: ...". path must be a regular
// file: a FIFO would block the reader until some process opened it for
// writing (forever, if none does), and a device such as /dev/zero never
// ends, so both are refused before anything is read.
func ReadHostfile(path string) ([]HostSlots, error) {
	// O_NONBLOCK: opening a FIFO does not wait for a writer; the check of
	// what was opened follows, before any read.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("hostfile: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("hostfile: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("hostfile %s is %s, not a regular file: write the hosts to a file", path, fileKind(fi.Mode()))
	}
	hosts, err := ParseHostfile(f)
	if err != nil {
		return nil, fmt.Errorf("hostfile %s: %s", path, strings.TrimPrefix(err.Error(), "hostfile: "))
	}
	return hosts, nil
}

// fileKind names what a non-regular file is, for error messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}

func parseHostfileLine(fields []string) (host string, slots int, err error) {
	host, slots, err = splitHostCount(fields[0])
	if err != nil {
		return "", 0, err
	}
	countGiven := slots > 0
	if !countGiven {
		slots = 1
	}
	for _, f := range fields[1:] {
		key, val, ok := strings.Cut(f, "=")
		if !ok {
			return "", 0, fmt.Errorf("%q is not key=value (want slots=N)", f)
		}
		n, err := positiveInt(val)
		if err != nil || n > maxSlots {
			return "", 0, fmt.Errorf("%s is not a positive integer up to %d", f, maxSlots)
		}
		switch key {
		case "slots", "count":
			if countGiven {
				return "", 0, fmt.Errorf("%s: the slot count is given twice", f)
			}
			slots, countGiven = n, true
		case "max_slots", "max-slots", "slots_max":
			// Open MPI's hard limit. MapRanks decides oversubscription
			// from slots alone, so it only has to be well formed.
		default:
			return "", 0, fmt.Errorf("unknown key %q (want slots=N or max_slots=N)", key)
		}
	}
	return host, slots, nil
}

// splitHostCount splits "host:N" (MPICH) into host and N; a plain host
// gives N = 0. An IPv6 address needs brackets to carry a count.
func splitHostCount(s string) (string, int, error) {
	host, n, err := splitHostCountRaw(s)
	if err == nil {
		err = checkHost(host, s)
	}
	return host, n, err
}

// checkHost accepts an IP address (IPv6 possibly with a %zone) or a name
// made of letters, digits, '-', '.' and '_', which covers DNS names and
// ssh aliases; anything else is a typo the launcher would only meet later,
// as a confusing ssh error.
func checkHost(host, whole string) error {
	if ip, _, _ := strings.Cut(host, "%"); net.ParseIP(ip) != nil {
		return nil
	}
	for _, r := range host {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
		default:
			return fmt.Errorf("%q: %q is not a host name (letters, digits, '-', '.', '_') or an IP address", whole, host)
		}
	}
	return nil
}

func splitHostCountRaw(s string) (string, int, error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, fmt.Errorf("%q: missing ']'", s)
		}
		host, rest := s[1:end], s[end+1:]
		if host == "" {
			return "", 0, fmt.Errorf("%q: empty host", s)
		}
		if rest == "" {
			return host, 0, nil
		}
		if !strings.HasPrefix(rest, ":") {
			return "", 0, fmt.Errorf("%q: unexpected %q after ']'", s, rest)
		}
		n, err := slotCount(rest[1:], s)
		return host, n, err
	}
	if strings.Count(s, ":") > 1 {
		if net.ParseIP(s) == nil {
			return "", 0, fmt.Errorf("%q is not a host or host:N", s)
		}
		return s, 0, nil // a bare IPv6 address
	}
	host, count, ok := strings.Cut(s, ":")
	if host == "" {
		return "", 0, fmt.Errorf("%q: empty host", s)
	}
	if !ok {
		return host, 0, nil
	}
	n, err := slotCount(count, s)
	return host, n, err
}

func slotCount(count, whole string) (int, error) {
	n, err := positiveInt(count)
	if err != nil || n > maxSlots {
		return 0, fmt.Errorf("%s: slot count %q is not a positive integer up to %d", whole, count, maxSlots)
	}
	return n, nil
}

// hostBuilder merges repeated hosts, keeping first-appearance order.
type hostBuilder struct {
	hosts []HostSlots
	index map[string]int
	total int
}

func (b *hostBuilder) add(host string, slots int) error {
	if b.total+slots > maxSlots {
		return fmt.Errorf("more than %d slots in total", maxSlots)
	}
	b.total += slots
	if b.index == nil {
		b.index = map[string]int{}
	}
	if i, ok := b.index[host]; ok {
		b.hosts[i].Slots += slots
		return nil
	}
	b.index[host] = len(b.hosts)
	b.hosts = append(b.hosts, HostSlots{Host: host, Slots: slots})
	return nil
}

// ParseHostList parses the --host form, comma-separated hosts each with
// an optional ":N" slot count (default 1):
//
//	h1,h2:2      [{h1 1} {h2 2}]
//	h1,h1        [{h1 2}]
//
// Hosts come back in order of first appearance; repeats add up.
func ParseHostList(s string) ([]HostSlots, error) {
	var hb hostBuilder
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("host list %q: empty host (item %d)", s, i+1)
		}
		host, slots, err := splitHostCount(item)
		if err == nil {
			if slots == 0 {
				slots = 1
			}
			err = hb.add(host, slots)
		}
		if err != nil {
			return nil, fmt.Errorf("host list %q: %v", s, err)
		}
	}
	return hb.hosts, nil
}

// Placement policies of MapRanks, named as in mpirun's --map-by.
const (
	BySlot = "slot"
	ByNode = "node"
)

// MapRanks places np ranks on hosts and returns each rank's host.
//
// By slot (BySlot, "" too) fills each host's slots in order before moving
// to the next, so consecutive ranks share a host. By node (ByNode) deals
// ranks round-robin over the hosts, skipping hosts whose slots are full.
//
// More ranks than slots is an error unless oversubscribe is set; then the
// placement starts over from the first host, again by slot or by node,
// for as many rounds as needed.
func MapRanks(hosts []HostSlots, np int, by string, oversubscribe bool) ([]string, error) {
	if np < 1 {
		return nil, fmt.Errorf("%d ranks requested: need at least 1", np)
	}
	if len(hosts) == 0 {
		return nil, fmt.Errorf("no hosts to place %d ranks on", np)
	}
	total := 0
	for _, h := range hosts {
		if h.Slots < 1 {
			return nil, fmt.Errorf("host %s has %d slots", h.Host, h.Slots)
		}
		total += h.Slots
	}
	if np > total && !oversubscribe {
		return nil, fmt.Errorf("%d ranks but the hosts have %d slots; use --oversubscribe", np, total)
	}
	if np > maxSlots {
		return nil, fmt.Errorf("%d ranks: at most %d", np, maxSlots)
	}
	out := make([]string, 0, np)
	switch by {
	case BySlot, "":
		for len(out) < np {
			for _, h := range hosts {
				for s := 0; s < h.Slots && len(out) < np; s++ {
					out = append(out, h.Host)
				}
			}
		}
	case ByNode:
		for len(out) < np {
			// One round fills every slot once, in node order.
			used := make([]int, len(hosts))
			for placed := true; placed && len(out) < np; {
				placed = false
				for i, h := range hosts {
					if used[i] < h.Slots && len(out) < np {
						out = append(out, h.Host)
						used[i]++
						placed = true
					}
				}
			}
		}
	default:
		return nil, fmt.Errorf("unknown placement %q (want %q or %q)", by, BySlot, ByNode)
	}
	return out, nil
}
