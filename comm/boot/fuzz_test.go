package boot

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// FuzzExpandHostlist checks ExpandHostlist never panics or exceeds its
// bound, never returns an empty or bracketed name, and agrees with a plain
// comma split on bracket-free input. Seeds: testdata/fuzz/FuzzExpandHostlist.
func FuzzExpandHostlist(f *testing.F) {
	for _, s := range []string{"n[1-3]", "node[01-03,07]", "a[1-2]b", "n[1-2],m[3-4]", "x[1-2]y[3-4]", "login", "n[3-1]", "n[1-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		names, err := ExpandHostlist(s)
		if err != nil {
			if names != nil {
				t.Fatalf("ExpandHostlist(%q) returned names with an error", s)
			}
			return
		}
		if len(names) == 0 || len(names) > MaxHostlist {
			t.Fatalf("ExpandHostlist(%q) gave %d names", s, len(names))
		}
		for _, n := range names {
			if n == "" || strings.ContainsAny(n, "[],") {
				t.Fatalf("ExpandHostlist(%q) gave name %q", s, n)
			}
		}
		if !strings.ContainsAny(s, "[]") {
			parts := strings.Split(s, ",")
			if len(parts) != len(names) {
				t.Fatalf("ExpandHostlist(%q) = %q, want %d names", s, names, len(parts))
			}
			for i, p := range parts {
				if strings.TrimSpace(p) != names[i] {
					t.Fatalf("ExpandHostlist(%q)[%d] = %q, want %q", s, i, names[i], strings.TrimSpace(p))
				}
			}
		}
	})
}

// FuzzParseTasksPerNode checks that a successful parse gives positive
// counts and survives a round trip through the compressed syntax.
func FuzzParseTasksPerNode(f *testing.F) {
	for _, s := range []string{"2(x3),1", "3,1", "1", "4(x1)", "0", "2(x", "1(x1048577)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		counts, err := ParseTasksPerNode(s)
		if err != nil {
			return
		}
		if len(counts) == 0 || len(counts) > MaxHostlist {
			t.Fatalf("ParseTasksPerNode(%q) gave %d counts", s, len(counts))
		}
		var b strings.Builder
		for i := 0; i < len(counts); {
			j := i
			for j < len(counts) && counts[j] == counts[i] {
				j++
			}
			if counts[i] < 1 {
				t.Fatalf("ParseTasksPerNode(%q) gave count %d", s, counts[i])
			}
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "%d(x%d)", counts[i], j-i)
			i = j
		}
		again, err := ParseTasksPerNode(b.String())
		if err != nil || len(again) != len(counts) {
			t.Fatalf("round trip of %q through %q: %v", s, b.String(), err)
		}
		for i := range again {
			if again[i] != counts[i] {
				t.Fatalf("round trip of %q through %q changed count %d", s, b.String(), i)
			}
		}
	})
}

// FuzzParseHostfile checks that ParseHostfile never panics, returns hosts
// with positive slots and distinct names, and gives the same result when
// the input is rewritten in the MPICH dialect.
func FuzzParseHostfile(f *testing.F) {
	for _, s := range []string{
		"node1 slots=4\nnode2 slots=2\n",
		"node1:4\nnode2:2\n",
		"# c\n\na\nb\na\n",
		"n1 slots=2 max_slots=8\n",
		"[::1]:2\n::1\n",
		"a slots=abc\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		hosts, err := ParseHostfile(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(hosts) == 0 {
			t.Fatal("no hosts and no error")
		}
		seen := map[string]bool{}
		var b strings.Builder
		for _, h := range hosts {
			if h.Slots < 1 || h.Host == "" || seen[h.Host] {
				t.Fatalf("bad host %+v in %q", h, data)
			}
			seen[h.Host] = true
			if strings.Contains(h.Host, ":") {
				fmt.Fprintf(&b, "[%s]:%d\n", h.Host, h.Slots)
			} else {
				fmt.Fprintf(&b, "%s:%d\n", h.Host, h.Slots)
			}
		}
		again, err := ParseHostfile(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("rewritten hostfile %q: %v", b.String(), err)
		}
		if len(again) != len(hosts) {
			t.Fatalf("rewritten hostfile %q: %v, want %v", b.String(), again, hosts)
		}
		for i := range again {
			if again[i] != hosts[i] {
				t.Fatalf("rewritten hostfile %q: %v, want %v", b.String(), again, hosts)
			}
		}
	})
}

// FuzzRendezvousMessage feeds arbitrary bytes to the message reader and
// every body decoder a server or rank uses: none may panic or allocate
// beyond its bound, and a registration that decodes re-encodes to the
// same bytes.
func FuzzRendezvousMessage(f *testing.F) {
	nS := bytes.Repeat([]byte{7}, nonceSize)
	reg := registerMsg{rank: 1, size: 2, nonce: bytes.Repeat([]byte{9}, nonceSize), job: "j", addr: "127.0.0.1:1"}
	var msg bytes.Buffer
	writeMsg(&msg, rvRegister, reg.encode(testSecret, nS))
	f.Add(msg.Bytes())
	msg.Reset()
	writeMsg(&msg, rvStatus, statusMsg{registered: 1, size: 3, missing: 2, ranks: []int{0, 2}}.encode())
	f.Add(msg.Bytes())
	f.Add([]byte("SPRV\x01\x02\x00\x00\xff\xff\xff\xff"))
	f.Add([]byte("GET / HTTP/1.0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		limit := func(k rvKind) (int, bool) {
			switch k {
			case rvRegister:
				return maxRegisterBody, true
			case rvStatus:
				return maxStatusBody, true
			case rvTable:
				return tableMaxBody(4), true
			case rvRefuse:
				return maxRefuseBody, true
			}
			return 0, false
		}
		kind, body, err := readMsg(bytes.NewReader(data), limit)
		if err != nil {
			return
		}
		if max, _ := limit(kind); len(body) > max {
			t.Fatalf("kind %d body of %d bytes over its bound %d", kind, len(body), max)
		}
		if m, signed, ok := decodeRegister(body); ok {
			again := append(appendStr(appendStr(append(appendU32(appendU32(nil, m.rank), m.size), m.nonce...), m.job), m.addr), m.mac...)
			if !bytes.Equal(again, body) || !bytes.Equal(signed, body[:len(body)-macSize]) {
				t.Fatalf("registration %x re-encodes to %x", body, again)
			}
		}
		decodeStatus(body)
		decodeRefuse(body)
		decodeTable(body, 4, testSecret, nS, nS, "j")
	})
}
