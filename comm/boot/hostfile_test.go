package boot

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseHostfile(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []HostSlots
	}{
		{"openmpi", "node1 slots=4\nnode2 slots=2\n", []HostSlots{{"node1", 4}, {"node2", 2}}},
		{"mpich", "node1:4\nnode2:2\n", []HostSlots{{"node1", 4}, {"node2", 2}}},
		{"plain repeated", "a\nb\na\n", []HostSlots{{"a", 2}, {"b", 1}}},
		{"comments and blanks", "# cluster\n\n  node1 slots=2   # fast one\n\t\nnode2\n#node3\n", []HostSlots{{"node1", 2}, {"node2", 1}}},
		{"max_slots ignored", "n1 slots=2 max_slots=8\nn2 max-slots=3\n", []HostSlots{{"n1", 2}, {"n2", 1}}},
		{"repeated adds slots", "n1 slots=2\nn1:3\n", []HostSlots{{"n1", 5}}},
		{"count alias", "n1 count=3\n", []HostSlots{{"n1", 3}}},
		{"loopback aliases", "127.0.0.1 slots=2\n127.0.0.2 slots=2\n", []HostSlots{{"127.0.0.1", 2}, {"127.0.0.2", 2}}},
		{"ipv6", "::1\n[::1]:2\n", []HostSlots{{"::1", 3}}},
		{"no final newline", "a:2", []HostSlots{{"a", 2}}},
		{"crlf", "a:2\r\nb\r\n", []HostSlots{{"a", 2}, {"b", 1}}},
	} {
		got, err := ParseHostfile(strings.NewReader(tc.in))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseHostfileErrors(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"", "hostfile: no hosts"},
		{"# nothing\n\n", "hostfile: no hosts"},
		{"a\nb\nc slots=abc\n", "hostfile: line 3: slots=abc is not a positive integer"},
		{"a slots=0\n", "hostfile: line 1: slots=0 is not a positive integer"},
		{"a slots=-2\n", "line 1: slots=-2 is not a positive integer"},
		{"a:0\n", `line 1: a:0: slot count "0" is not a positive integer`},
		{"a:x\n", `line 1: a:x: slot count "x"`},
		{"a:\n", `line 1: a:: slot count ""`},
		{":4\n", `line 1: ":4": empty host`},
		{"a slots=2 slots=3\n", "line 1: slots=3: the slot count is given twice"},
		{"a:2 slots=3\n", "the slot count is given twice"},
		{"\na cpus=2\n", `line 2: unknown key "cpus"`},
		{"a b\n", `line 1: "b" is not key=value`},
		{"a max_slots=x\n", "line 1: max_slots=x is not a positive integer"},
		{"[::1\n", "missing ']'"},
		{"[::1]x\n", `unexpected "x" after ']'`},
		{"a:b:c\n", `"a:b:c" is not a host or host:N`},
		{"[[]\n", `"[" is not a host name`},
		{"no/de slots=2\n", `"no/de" is not a host name`},
		{"a slots=1048577\n", "is not a positive integer up to 1048576"},
		{"a slots=1048576\nb\n", "line 2: more than 1048576 slots in total"},
		{"a\n" + strings.Repeat("x", 5000) + "\n", "hostfile: line 2: longer than 4096 bytes"},
	} {
		_, err := ParseHostfile(strings.NewReader(tc.in))
		if err == nil {
			t.Errorf("ParseHostfile(%q) succeeded, want an error containing %q", tc.in, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseHostfile(%q) = %q, want it to contain %q", tc.in, err, tc.want)
		}
	}
}

func TestParseHostList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []HostSlots
	}{
		{"h1", []HostSlots{{"h1", 1}}},
		{"h1,h2:2", []HostSlots{{"h1", 1}, {"h2", 2}}},
		{"h1,h1,h2", []HostSlots{{"h1", 2}, {"h2", 1}}},
		{"127.0.0.2:3, 127.0.0.3", []HostSlots{{"127.0.0.2", 3}, {"127.0.0.3", 1}}},
		{"[::1]:2", []HostSlots{{"::1", 2}}},
	} {
		got, err := ParseHostList(tc.in)
		if err != nil {
			t.Errorf("ParseHostList(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseHostList(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"", "empty host (item 1)"},
		{"h1,", "empty host (item 2)"},
		{"h1:0", `slot count "0"`},
		{"h1:two", `slot count "two"`},
	} {
		_, err := ParseHostList(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseHostList(%q) = %v, want an error containing %q", tc.in, err, tc.want)
		}
	}
}

func TestMapRanks(t *testing.T) {
	ab := []HostSlots{{"a", 2}, {"b", 2}}
	uneven := []HostSlots{{"a", 1}, {"b", 3}}
	for _, tc := range []struct {
		name  string
		hosts []HostSlots
		np    int
		by    string
		over  bool
		want  []string
	}{
		{"slot fill", ab, 4, BySlot, false, []string{"a", "a", "b", "b"}},
		{"slot default", ab, 3, "", false, []string{"a", "a", "b"}},
		{"slot partial", ab, 1, BySlot, false, []string{"a"}},
		{"node round robin", ab, 4, ByNode, false, []string{"a", "b", "a", "b"}},
		{"node partial", ab, 3, ByNode, false, []string{"a", "b", "a"}},
		{"node skips full hosts", uneven, 4, ByNode, false, []string{"a", "b", "b", "b"}},
		{"slot uneven", uneven, 4, BySlot, false, []string{"a", "b", "b", "b"}},
		{"slot oversubscribed", ab, 6, BySlot, true, []string{"a", "a", "b", "b", "a", "a"}},
		{"node oversubscribed", ab, 6, ByNode, true, []string{"a", "b", "a", "b", "a", "b"}},
		{"node oversubscribed uneven", uneven, 6, ByNode, true, []string{"a", "b", "b", "b", "a", "b"}},
		{"single slot many ranks", []HostSlots{{"x", 1}}, 3, BySlot, true, []string{"x", "x", "x"}},
	} {
		got, err := MapRanks(tc.hosts, tc.np, tc.by, tc.over)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMapRanksErrors(t *testing.T) {
	ab := []HostSlots{{"a", 2}, {"b", 2}}
	for _, tc := range []struct {
		name  string
		hosts []HostSlots
		np    int
		by    string
		want  string
	}{
		{"too many", ab, 6, BySlot, "6 ranks but the hosts have 4 slots; use --oversubscribe"},
		{"too many by node", ab, 5, ByNode, "5 ranks but the hosts have 4 slots; use --oversubscribe"},
		{"zero ranks", ab, 0, BySlot, "0 ranks requested: need at least 1"},
		{"no hosts", nil, 1, BySlot, "no hosts"},
		{"bad policy", ab, 2, "core", `unknown placement "core"`},
		{"bad slots", []HostSlots{{"a", 0}}, 1, BySlot, "host a has 0 slots"},
	} {
		_, err := MapRanks(tc.hosts, tc.np, tc.by, false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}
