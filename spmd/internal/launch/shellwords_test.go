package launch

import (
	"os/exec"
	"strings"
	"testing"
)

func TestSplitCommand(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  string
	}{
		{in: "ssh", want: []string{"ssh"}},
		{in: "  ssh   -o BatchMode=yes\t-p 2222 ", want: []string{"ssh", "-o", "BatchMode=yes", "-p", "2222"}},
		{in: `ssh -F "/tmp/my cfg"`, want: []string{"ssh", "-F", "/tmp/my cfg"}},
		{in: `ssh -F '/tmp/my "cfg"'`, want: []string{"ssh", "-F", `/tmp/my "cfg"`}},
		{in: `a"b c"'d e'f`, want: []string{"ab cd ef"}},
		{in: `"a \" \\ \n"`, want: []string{`a " \ \n`}},
		{in: `a\ b c\\`, want: []string{"a b", `c\`}},
		{in: `""`, want: []string{""}},
		{in: "", want: nil},
		{in: `ssh "oops`, err: `unterminated " in ssh "oops`},
		{in: `ssh 'oops`, err: `unterminated ' in ssh 'oops`},
	} {
		got, err := SplitCommand(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("SplitCommand(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// TestShellQuote checks quoting against a real shell.
func TestShellQuote(t *testing.T) {
	for _, s := range []string{"/usr/bin/spmd", "", "a b", "it's", `$HOME`, "a\nb", `"\`, "x;rm -rf y", "ünï"} {
		out, err := exec.Command("sh", "-c", "printf %s "+shellQuote(s)).Output()
		if err != nil || string(out) != s {
			t.Errorf("sh sees %q for shellQuote(%q) = %s (%v)", out, s, shellQuote(s), err)
		}
	}
	if got := shellQuote("/opt/spmd-1.0/bin/spmd"); got != "/opt/spmd-1.0/bin/spmd" {
		t.Errorf("a plain path is quoted: %s", got)
	}
}
