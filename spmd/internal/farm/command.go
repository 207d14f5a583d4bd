package farm

import (
	"strings"
)

// A command is what one task runs. Line is the command as a shell would
// read it: what the joblog records and messages show. Argv, when set, is
// the same command split into words with nothing left for a shell to do
// (no variables, globs, redirections, pipes...), so it can be started
// directly, saving the shell's fork and exec; when nil, Line runs under
// /bin/sh -c. The two are equivalent: a worker may still run Line through
// the shell when Argv[0] is a shell builtin or is not found (see
// runner.resolve).
type command struct {
	Line string
	Argv []string
}

// lineCommand makes the command of a command line written for sh (a task
// file's line, a filled template): Argv is set when the line is simple
// words (see splitSimple) and force is false.
func lineCommand(line string, force bool) command {
	c := command{Line: line}
	if !force {
		c.Argv, _ = splitSimple(line)
	}
	return c
}

// argvCommand makes the command of words given one by one (a template of
// several arguments): they run as they are, and Line quotes them.
func argvCommand(words []string) command {
	return command{Line: quoteWords(words), Argv: words}
}

// quoteWords joins words into a shell line that gives back the same words.
func quoteWords(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		q := shellQuote(w)
		if i == 0 && q == w && strings.Contains(w, "=") {
			q = "'" + w + "'" // NAME=VALUE first would be an assignment
		}
		b.WriteString(q)
	}
	return b.String()
}

// shellQuote quotes s as one word for sh: as it is when it holds only
// characters sh never treats specially, else in single quotes.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@%+,=-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// quoteIn escapes s for the quoting context it is placed in, so that sh
// reads back exactly s: a word of its own outside quotes, the inside of
// "..." or the inside of '...'.
func quoteIn(ctx quoting, s string) string {
	switch ctx {
	case inDouble:
		return strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "`", "\\`").Replace(s)
	case inSingle:
		return strings.ReplaceAll(s, "'", `'\''`)
	}
	return shellQuote(s)
}

// quoting is where a character stands in a shell line.
type quoting int

const (
	unquoted quoting = iota
	inSingle
	inDouble
)

// shellWords are the names that mean something to sh before any program
// runs: keywords, and builtins that change the shell itself or have no
// program of the same name. A command starting with one runs under sh.
var shellWords = map[string]bool{
	"!": true, "{": true, "}": true, "case": true, "do": true, "done": true, "elif": true,
	"else": true, "esac": true, "fi": true, "for": true, "if": true, "in": true, "then": true,
	"until": true, "while": true, "function": true, "select": true, "time": true,
	".": true, ":": true, "alias": true, "bg": true, "break": true, "cd": true, "command": true,
	"continue": true, "eval": true, "exec": true, "exit": true, "export": true, "fc": true,
	"fg": true, "getopts": true, "hash": true, "jobs": true, "local": true, "read": true,
	"readonly": true, "return": true, "set": true, "shift": true, "source": true, "times": true,
	"trap": true, "type": true, "ulimit": true, "umask": true, "unalias": true, "unset": true,
	"wait": true,
}

// splitSimple splits line into words the way sh would, if that is all sh
// would do with it: words separated by blanks, quoted with '...' or "..."
// or escaped with a backslash, and nothing else. It returns ok false when
// the line needs sh: any unquoted one of | & ; < > ( ) $ ` * ? [ ] { } ~ #
// or a newline, an unquoted = in the first word, a $ or ` inside "...", a
// first word that is a shell keyword or builtin (shellWords), or an empty
// line. Braces, ~ and # count anywhere, which is stricter than sh needs.
func splitSimple(line string) (words []string, ok bool) {
	var (
		cur  strings.Builder
		in   bool // inside a word
		word = func() {
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		}
	)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			word()
		case c == '\'':
			in = true
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, false
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
		case c == '"':
			in = true
			for i++; ; i++ {
				if i >= len(line) {
					return nil, false
				}
				d := line[i]
				if d == '"' {
					break
				}
				if d == '$' || d == '`' {
					return nil, false
				}
				if d == '\\' && i+1 < len(line) {
					switch line[i+1] {
					case '"', '\\':
						i++
						d = line[i]
					case '\n':
						return nil, false
					}
				}
				cur.WriteByte(d)
			}
		case c == '\\':
			if i+1 >= len(line) || line[i+1] == '\n' {
				return nil, false
			}
			in = true
			i++
			cur.WriteByte(line[i])
		case strings.IndexByte("|&;<>()$`*?[]{}~#\n\r", c) >= 0:
			return nil, false
		case c == '=' && len(words) == 0:
			return nil, false // NAME=VALUE before the program is an assignment
		default:
			in = true
			cur.WriteByte(c)
		}
	}
	word()
	if len(words) == 0 || shellWords[words[0]] {
		return nil, false
	}
	return words, true
}
