package boot

import (
	"reflect"
	"strings"
	"testing"
)

func TestExpandHostlist(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"n1", []string{"n1"}},
		{"login", []string{"login"}},
		{"n[1-3]", []string{"n1", "n2", "n3"}},
		{"node[01-03,07]", []string{"node01", "node02", "node03", "node07"}},
		{"node[001-003]", []string{"node001", "node002", "node003"}},
		{"n[8-11]", []string{"n8", "n9", "n10", "n11"}},
		{"n[08-11]", []string{"n08", "n09", "n10", "n11"}},
		{"n[98-101]", []string{"n98", "n99", "n100", "n101"}},
		{"a[1-2]b", []string{"a1b", "a2b"}},
		{"n[1-2],m[3-4]", []string{"n1", "n2", "m3", "m4"}},
		{"x[1-2]y[3-4]", []string{"x1y3", "x1y4", "x2y3", "x2y4"}},
		{"rack[1-2]-n[01-02]", []string{"rack1-n01", "rack1-n02", "rack2-n01", "rack2-n02"}},
		{"n[5]", []string{"n5"}},
		{"n[3,1]", []string{"n3", "n1"}},
		{"a,b,c", []string{"a", "b", "c"}},
		{"a, b", []string{"a", "b"}},
		{"[1-2]", []string{"1", "2"}},
		{"h1.example.org,h[2-3].example.org", []string{"h1.example.org", "h2.example.org", "h3.example.org"}},
		{"n[0-0]", []string{"n0"}},
	} {
		got, err := ExpandHostlist(tc.in)
		if err != nil {
			t.Errorf("ExpandHostlist(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ExpandHostlist(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestExpandHostlistErrors(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: a part of the error message
	}{
		{"", "empty"},
		{"  ", "empty"},
		{"n[1-3", "unbalanced '['"},
		{"n1-3]", "unbalanced ']'"},
		{"n[1-[2]]", "nested '['"},
		{"n[3-1]", "reversed range 3-1"},
		{"n[]", "empty number"},
		{"n[1-]", "empty number"},
		{"n[-3]", "empty number"},
		{"n[1,,2]", "empty number"},
		{"n[a-b]", `"a" in [a-b] is not a number`},
		{"n[1-2-3]", "is not a number"},
		{"n[0-9999999999]", "more than 1048576 names"},
		{"n[0-1023]m[0-1023]x[0-1]", "more than 1048576 names"},
		{"n[1-2],,m", "empty name (name 2)"},
		{"n1,", "empty name (name 2)"},
		{"n[1234567890123456789]", "more than 18 digits"},
	} {
		_, err := ExpandHostlist(tc.in)
		if err == nil {
			t.Errorf("ExpandHostlist(%q) succeeded, want an error containing %q", tc.in, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ExpandHostlist(%q) = %q, want it to contain %q", tc.in, err, tc.want)
		}
	}
}

// TestExpandHostlistBound checks the size bound is exact: MaxHostlist
// names are fine, one more is refused, also when split over items.
func TestExpandHostlistBound(t *testing.T) {
	got, err := ExpandHostlist("n[1-1048576]")
	if err != nil || len(got) != MaxHostlist || got[MaxHostlist-1] != "n1048576" {
		t.Fatalf("ExpandHostlist(n[1-1048576]): %d names, err %v", len(got), err)
	}
	if _, err := ExpandHostlist("n[1-1048576],m"); err == nil {
		t.Error("MaxHostlist+1 names over two items accepted")
	}
	if _, err := ExpandHostlist("n[1-1024]m[1-1024]"); err != nil {
		t.Errorf("1024x1024 = MaxHostlist names refused: %v", err)
	}
}

func TestParseTasksPerNode(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
	}{
		{"1", []int{1}},
		{"2(x3),1", []int{2, 2, 2, 1}},
		{"3,1", []int{3, 1}},
		{"2(x2),1", []int{2, 2, 1}},
		{"4(x1)", []int{4}},
		{"1,2(x2),3", []int{1, 2, 2, 3}},
	} {
		got, err := ParseTasksPerNode(tc.in)
		if err != nil {
			t.Errorf("ParseTasksPerNode(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseTasksPerNode(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParseTasksPerNodeErrors(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"", "empty"},
		{"0", `task count "0" is not a positive integer`},
		{"-1", `task count "-1"`},
		{"x", `task count "x"`},
		{"2(x0)", `repeat count "0"`},
		{"2(x)", `repeat count ""`},
		{"2(3)", `"2(3)" is not N or N(xM)`},
		{"2(x3", `is not N or N(xM)`},
		{"2,,1", `task count ""`},
		{"1(x1048577)", "more than 1048576 nodes"},
		{"1(x1048576),1", "more than 1048576 nodes"},
		{"1(x99999999999999999)", "more than 1048576 nodes"},
		{"2097152", "is not a positive integer"},
	} {
		_, err := ParseTasksPerNode(tc.in)
		if err == nil {
			t.Errorf("ParseTasksPerNode(%q) succeeded, want an error containing %q", tc.in, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseTasksPerNode(%q) = %q, want it to contain %q", tc.in, err, tc.want)
		}
	}
}
