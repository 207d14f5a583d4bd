package launch

import (
	"fmt"
	"net"
	"os"
	"strings"
)

// localNames returns the host names and addresses that mean "this
// machine": localhost, 127.0.0.1, ::1, the host name (and its short
// form), every address of the machine's interfaces, and extra. Other
// loopback addresses such as 127.0.0.2 are deliberately NOT local: tests
// use them as separate hosts reached over ssh.
func localNames(extra []string) map[string]bool {
	m := map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}
	if h, err := os.Hostname(); err == nil && h != "" {
		m[h] = true
		if short, _, ok := strings.Cut(h, "."); ok {
			m[short] = true
		}
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				m[ipn.IP.String()] = true
			}
		}
	}
	for _, h := range extra {
		m[h] = true
	}
	return m
}

// isLoopback reports whether host is a literal loopback address or
// "localhost".
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// outboundIP returns this machine's address on the route to host, without
// sending anything: a UDP "connection" only picks a source address.
func outboundIP(host string) (string, error) {
	c, err := net.Dial("udp", net.JoinHostPort(host, "9"))
	if err != nil {
		return "", err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).IP.String(), nil
}

// lookupHost resolves host names; tests replace it so they never query DNS.
var lookupHost = net.LookupHost

// hostKind says where a host is, as far as starting ranks goes.
type hostKind struct {
	local    bool // this machine: fork/exec
	loopback bool // reached over loopback (this machine or an alias such as 127.0.0.2)
}

// classify tells local from remote hosts. A name that is not one of this
// machine's names must resolve (an unknown host is an error before
// anything starts); it is local if it resolves to one of this machine's
// addresses.
func classify(h string, local map[string]bool) (hostKind, error) {
	if local[h] {
		return hostKind{local: true, loopback: isLoopback(h)}, nil
	}
	if net.ParseIP(h) != nil {
		return hostKind{loopback: isLoopback(h)}, nil
	}
	addrs, err := lookupHost(h)
	if err != nil {
		return hostKind{}, fmt.Errorf("unknown host %q: %v", h, err)
	}
	k := hostKind{loopback: len(addrs) > 0}
	for _, a := range addrs {
		k.local = k.local || local[a]
		k.loopback = k.loopback && isLoopback(a)
	}
	return k, nil
}

// placement is where one rank runs.
type placement struct {
	host      string // as given in Config.Hosts
	local     bool   // started by fork/exec rather than ssh
	addr      string // SPMD_HOST
	localRank int
	localSize int
}

// place decides, for every rank, whether it is local and which address it
// gets, and chooses the address ranks reach the launcher at. A job whose
// remote hosts are all loopback addresses (or that has none) uses
// 127.0.0.1 throughout; otherwise local ranks and the rendezvous server
// use this machine's address on the route to the first remote host, so
// remote ranks can reach them.
func place(hosts, extraLocal []string) (ps []placement, launcherIP string, err error) {
	local := localNames(extraLocal)
	kinds := map[string]hostKind{}
	launcherIP = "127.0.0.1"
	lanFound := false
	for _, h := range hosts {
		if _, done := kinds[h]; done {
			continue
		}
		k, err := classify(h, local)
		if err != nil {
			return nil, "", err
		}
		kinds[h] = k
		if !k.local && !k.loopback && !lanFound {
			if launcherIP, err = outboundIP(h); err != nil {
				return nil, "", fmt.Errorf("no route to host %q: %v", h, err)
			}
			lanFound = true
		}
	}
	// All names of this machine count as one host for local ranks.
	key := func(h string) string {
		if kinds[h].local {
			return ""
		}
		return h
	}
	count := map[string]int{}
	ps = make([]placement, len(hosts))
	for r, h := range hosts {
		p := placement{host: h, local: kinds[h].local, addr: h, localRank: count[key(h)]}
		count[key(h)]++
		if p.local {
			p.addr = launcherIP
		}
		ps[r] = p
	}
	for r := range ps {
		ps[r].localSize = count[key(ps[r].host)]
	}
	return ps, launcherIP, nil
}
