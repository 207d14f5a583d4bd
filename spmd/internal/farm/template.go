package farm

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// A template is a command (or a --tag) with placeholders, compiled against
// the columns of the input, ready to be filled once per task.
//
// Placeholders, as in GNU parallel:
//
//	{}        every column of the task, separated by spaces (for an input
//	          of lines, the line)
//	{N}       column N, from 1
//	{name}    the column of that name (a CSV/TSV header or a grid axis)
//	{#}       the task's sequence number, from 1 (the joblog's Seq)
//
// followed, on {}, {N} or {name}, by an optional path modifier: {.} without
// the extension, {/} the base name, {//} the directory, {/.} the base name
// without the extension (so {2/.} and {file/.} too). "{{" stands for a
// literal "{", and a "{" right after "$" is never a placeholder (${HOME}).
// Other braces are text: {print $1}, {a,b} and {1..5} are left alone. A
// placeholder that names no column is an error.
type template struct {
	kind   templateKind
	pieces []piece   // line and text templates
	words  [][]piece // word templates: one list of pieces per argument
	shell  bool      // run lines under sh even when they are simple
}

type templateKind int

const (
	lineTemplate templateKind = iota // one shell command line: values quoted for sh
	wordTemplate                     // a program and its arguments: values inserted as they are
	textTemplate                     // plain text (--tag): values inserted as they are
)

// A piece is literal text or a placeholder, with the quoting it stands in
// (for line templates).
type piece struct {
	lit string
	ph  *placeholder
	ctx quoting
}

type placeholder struct {
	text string // as written, for messages
	kind phKind
	col  int    // column index, for phColumn
	mod  string // "", ".", "/", "//" or "/."
}

type phKind int

const (
	phAll phKind = iota
	phSeq
	phColumn
)

// placeholderRE matches a placeholder at the start of a string.
var placeholderRE = regexp.MustCompile(`^\{(#|[0-9]+|[A-Za-z_][A-Za-z0-9_-]*)?(/\.|//|/|\.)?\}`)

// compileCommand compiles the command given as args: one argument is a
// shell command line, several are a program and its arguments. cols names
// the input's columns ("" for unnamed ones).
func compileCommand(args []string, cols []string, shell bool) (*template, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("no command to run: give a command template (spmd farm --input FILE 'gzip {}') or --tasks FILE")
	}
	if len(args) == 1 {
		ps, err := parsePieces(args[0], cols, true)
		if err != nil {
			return nil, err
		}
		return &template{kind: lineTemplate, pieces: ps, shell: shell}, nil
	}
	t := &template{kind: wordTemplate, shell: shell}
	for _, a := range args {
		ps, err := parsePieces(a, cols, false)
		if err != nil {
			return nil, err
		}
		t.words = append(t.words, ps)
	}
	return t, nil
}

// compileText compiles a plain text template such as --tag.
func compileText(s string, cols []string) (*template, error) {
	ps, err := parsePieces(s, cols, false)
	if err != nil {
		return nil, err
	}
	return &template{kind: textTemplate, pieces: ps}, nil
}

// parsePieces splits s into text and placeholders. With shellQuotes it
// tracks sh's quoting, so each placeholder knows how to quote its value.
func parsePieces(s string, cols []string, shellQuotes bool) ([]piece, error) {
	var (
		ps  []piece
		lit strings.Builder
		ctx = unquoted
	)
	flush := func() {
		if lit.Len() > 0 {
			ps = append(ps, piece{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '{' {
			if strings.HasPrefix(s[i:], "{{") {
				lit.WriteByte('{')
				i++
				continue
			}
			if i == 0 || s[i-1] != '$' {
				if m := placeholderRE.FindStringSubmatch(s[i:]); m != nil {
					ph, err := resolve(m[0], m[1], m[2], cols)
					if err != nil {
						return nil, err
					}
					flush()
					ps = append(ps, piece{ph: ph, ctx: ctx})
					i += len(m[0]) - 1
					continue
				}
			}
		}
		lit.WriteByte(c)
		if !shellQuotes {
			continue
		}
		switch {
		case ctx == inSingle:
			if c == '\'' {
				ctx = unquoted
			}
		case c == '\\' && i+1 < len(s):
			i++ // the next character is escaped (in "..." too, for tracking)
			lit.WriteByte(s[i])
		case ctx == unquoted && c == '\'':
			ctx = inSingle
		case c == '"':
			if ctx == inDouble {
				ctx = unquoted
			} else {
				ctx = inDouble
			}
		}
	}
	flush()
	return ps, nil
}

// resolve checks a placeholder against the columns.
func resolve(text, name, mod string, cols []string) (*placeholder, error) {
	ph := &placeholder{text: text, mod: mod}
	switch {
	case name == "":
		ph.kind = phAll
	case name == "#":
		if mod != "" {
			return nil, fmt.Errorf("placeholder %s: {#} takes no modifier", text)
		}
		ph.kind = phSeq
	case name[0] >= '0' && name[0] <= '9':
		n, err := strconv.Atoi(name)
		if err != nil || n < 1 || n > len(cols) {
			return nil, fmt.Errorf("placeholder %s: the input has %s%s", text, plural(len(cols), "column"), columnList(cols))
		}
		ph.kind, ph.col = phColumn, n-1
	default:
		ph.kind, ph.col = phColumn, -1
		for i, c := range cols {
			if c != name {
				continue
			}
			if ph.col >= 0 {
				return nil, fmt.Errorf("placeholder %s: two columns are named %q; use their numbers", text, name)
			}
			ph.col = i
		}
		if ph.col < 0 {
			return nil, fmt.Errorf("placeholder %s names no column: the input has %s%s (write {{ for a literal brace)", text, plural(len(cols), "column"), columnList(cols))
		}
	}
	return ph, nil
}

// columnList describes the columns for an error message.
func columnList(cols []string) string {
	var named []string
	for i, c := range cols {
		if c != "" {
			named = append(named, fmt.Sprintf("{%s} or {%d}", c, i+1))
		}
	}
	if len(named) == 0 {
		return ""
	}
	return ": " + strings.Join(named, ", ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// fill returns the command of task seq with input row.
func (t *template) fill(seq int, row []string) command {
	switch t.kind {
	case wordTemplate:
		words := make([]string, len(t.words))
		for i, w := range t.words {
			words[i] = fillPieces(w, seq, row, false)
		}
		if t.shell {
			return command{Line: quoteWords(words)}
		}
		return argvCommand(words)
	default:
		return lineCommand(fillPieces(t.pieces, seq, row, t.kind == lineTemplate), t.shell)
	}
}

// text fills a text template.
func (t *template) text(seq int, row []string) string { return fillPieces(t.pieces, seq, row, false) }

func fillPieces(ps []piece, seq int, row []string, quote bool) string {
	var b strings.Builder
	for _, p := range ps {
		if p.ph == nil {
			b.WriteString(p.lit)
			continue
		}
		v := p.ph.value(seq, row)
		if quote {
			v = quoteIn(p.ctx, v)
		}
		b.WriteString(v)
	}
	return b.String()
}

func (ph *placeholder) value(seq int, row []string) string {
	var v string
	switch ph.kind {
	case phSeq:
		return strconv.Itoa(seq)
	case phAll:
		v = strings.Join(row, " ")
	default:
		v = row[ph.col]
	}
	return modify(v, ph.mod)
}

// modify applies a path modifier: "." drops the extension, "/" keeps the
// base name, "//" the directory, "/." the base name without extension.
func modify(v, mod string) string {
	switch mod {
	case ".":
		return noExt(v)
	case "/":
		return path.Base(v)
	case "//":
		if i := strings.LastIndexByte(v, '/'); i >= 0 {
			if i == 0 {
				return "/"
			}
			return v[:i]
		}
		return "."
	case "/.":
		return noExt(path.Base(v))
	}
	return v
}

// noExt drops the extension of v's last path element: "a/b.tar.gz" gives
// "a/b.tar"; "a.d/b" and ".bashrc" have none.
func noExt(v string) string {
	base := strings.LastIndexByte(v, '/') + 1
	dot := strings.LastIndexByte(v, '.')
	if dot > base {
		return v[:dot]
	}
	return v
}
