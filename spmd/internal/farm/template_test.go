package farm

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// nasty are values that break naive quoting.
var nasty = []string{
	"plain", "", "a b", "  two  spaces ", "it's", `say "hi"`, `back\slash`, "$HOME", "`id`",
	"$(id)", "*", "a;b", "a|b", "x>y", "new\nline", "tab\there", "-n", "'", `\`, `"`, "{}", "{1}", "=", "~", "#c",
}

// TestQuotingReachesTheProgram fills a line template whose placeholder
// stands unquoted, in "...", in '...' and inside a word, with every nasty
// value, runs it with the real sh, and expects the value back exactly,
// four times. Where the filled line is simple enough to run without sh,
// running its Argv directly must give the same.
func TestQuotingReachesTheProgram(t *testing.T) {
	tmpl, err := compileCommand([]string{`printf '[%s]' {} "{}" '{}' x{}y`}, []string{""}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range nasty {
		cmd := tmpl.fill(1, []string{v})
		out, err := exec.Command("sh", "-c", cmd.Line).Output()
		want := "[" + v + "][" + v + "][" + v + "][x" + v + "y]"
		if err != nil || string(out) != want {
			t.Errorf("value %q: sh -c %q printed %q (%v), want %q", v, cmd.Line, out, err, want)
			continue
		}
		if cmd.Argv != nil {
			out, err := exec.Command(cmd.Argv[0], cmd.Argv[1:]...).Output()
			if err != nil || string(out) != want {
				t.Errorf("value %q: argv %q printed %q (%v), want %q", v, cmd.Argv, out, err, want)
			}
		}
	}
}

// TestWordTemplate: a template of several arguments puts each value into
// its word as it is, runs without a shell, and its Line gives the same
// words back through sh.
func TestWordTemplate(t *testing.T) {
	tmpl, err := compileCommand([]string{"printf", "[%s]", "{}", "pre-{}.txt"}, []string{""}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range nasty {
		cmd := tmpl.fill(1, []string{v})
		if want := []string{"printf", "[%s]", v, "pre-" + v + ".txt"}; !reflect.DeepEqual(cmd.Argv, want) {
			t.Errorf("value %q: argv %q, want %q", v, cmd.Argv, want)
		}
		out, err := exec.Command("sh", "-c", cmd.Line).Output()
		if want := "[" + v + "][pre-" + v + ".txt]"; err != nil || string(out) != want {
			t.Errorf("value %q: sh -c %q printed %q (%v), want %q", v, cmd.Line, out, err, want)
		}
	}
}

func TestSplitSimple(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []string // nil: needs sh
	}{
		{"true", []string{"true"}},
		{"  gzip  -9 file.txt ", []string{"gzip", "-9", "file.txt"}},
		{`echo 'a b' "c d" e\ f`, []string{"echo", "a b", "c d", "e f"}},
		{`echo "a\"b" 'x'"y"`, []string{"echo", `a"b`, "xy"}},
		{`echo ""`, []string{"echo", ""}},
		{`./sim --beta=0.5 -n 3`, []string{"./sim", "--beta=0.5", "-n", "3"}},
		{"echo $HOME", nil},
		{`echo "$HOME"`, nil},
		{"echo `id`", nil},
		{"echo a > b", nil},
		{"a | b", nil},
		{"a && b", nil},
		{"a; b", nil},
		{"ls *.txt", nil},
		{"cd /tmp", nil},
		{"FOO=1 prog", nil},
		{"echo ~", nil},
		{"echo # comment", nil},
		{"(sub)", nil},
		{"'unterminated", nil},
		{"", nil},
		{"   ", nil},
		{"if true", nil},
	} {
		got, ok := splitSimple(tc.line)
		if tc.want == nil {
			if ok {
				t.Errorf("splitSimple(%q) = %q; want: needs sh", tc.line, got)
			}
			continue
		}
		if !ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitSimple(%q) = %q, %v; want %q", tc.line, got, ok, tc.want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	cols := []string{"file", "n", ""}
	row := []string{"data/run.1/x.tar.gz", "7", "third"}
	for _, tc := range []struct{ tmpl, want string }{
		{"{file}", "data/run.1/x.tar.gz"},
		{"{1}", "data/run.1/x.tar.gz"},
		{"{file.}", "data/run.1/x.tar"},
		{"{file/}", "x.tar.gz"},
		{"{file//}", "data/run.1"},
		{"{file/.}", "x.tar"},
		{"{3}", "third"},
		{"{}", "data/run.1/x.tar.gz 7 third"},
		{"{#}-{n}", "42-7"},
		{"{{n}", "{n}"},
		{"${HOME}", "${HOME}"},
		{"{print $1}", "{print $1}"},
		{"{a,b} {1..5}", "{a,b} {1..5}"},
		{"x{n}y{n}z", "x7y7z"},
	} {
		tt, err := compileText(tc.tmpl, cols)
		if err != nil {
			t.Errorf("%q: %v", tc.tmpl, err)
			continue
		}
		if got := tt.text(42, row); got != tc.want {
			t.Errorf("%q gave %q, want %q", tc.tmpl, got, tc.want)
		}
	}
	for _, v := range []struct{ in, mod, want string }{
		{"a", ".", "a"}, {".bashrc", ".", ".bashrc"}, {"a.d/b", ".", "a.d/b"}, {"/x", "//", "/"}, {"x", "//", "."}, {"a/", "/", "a"},
	} {
		if got := modify(v.in, v.mod); got != v.want {
			t.Errorf("modify(%q, %q) = %q, want %q", v.in, v.mod, got, v.want)
		}
	}
}

func TestPlaceholderErrors(t *testing.T) {
	for _, tc := range []struct {
		tmpl string
		cols []string
		want string
	}{
		{"echo {nope}", []string{"a", "b"}, "placeholder {nope} names no column: the input has 2 columns: {a} or {1}, {b} or {2}"},
		{"echo {3}", []string{"a", "b"}, "placeholder {3}: the input has 2 columns"},
		{"echo {0}", []string{""}, "placeholder {0}: the input has 1 column"},
		{"echo {x}", []string{"x", "x"}, "two columns are named \"x\""},
		{"echo {#.}", nil, "{#} takes no modifier"},
		{"awk '{print}'", []string{""}, "placeholder {print} names no column"},
	} {
		_, err := compileCommand([]string{tc.tmpl}, tc.cols, false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error containing %q", tc.tmpl, err, tc.want)
		}
	}
	if _, err := compileCommand(nil, nil, false); err == nil {
		t.Error("an empty template compiled")
	}
}

func TestShellQuote(t *testing.T) {
	for _, v := range nasty {
		out, err := exec.Command("sh", "-c", "printf '[%s]' "+shellQuote(v)).Output()
		if err != nil || string(out) != "["+v+"]" {
			t.Errorf("shellQuote(%q) = %s: sh read %q (%v)", v, shellQuote(v), out, err)
		}
	}
	if got := quoteWords([]string{"A=1", "b=2"}); got != "'A=1' b=2" {
		t.Errorf("quoteWords: %s", got)
	}
}
