package dataio

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The .npy header is the repr of a Python dict, for example
//
//	{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
//
// NumPy reads it with ast.literal_eval. This is the subset of Python literal
// syntax that NumPy writes and a little more (double quotes, lists, None,
// Python 2's 3L), so that a header from any NumPy version parses and one this
// package cannot use is refused with a reason.

// npyHeader is what a header says about the array that follows it.
type npyHeader struct {
	descr        string
	fortranOrder bool
	shape        []int
}

// pyTuple and pyList are Python tuples and lists; other literal values are
// string, bool, nil (None) and int.
type (
	pyTuple []any
	pyList  []any
)

// parseNPYHeader parses and checks the header dict.
func parseNPYHeader(text string) (npyHeader, error) {
	var h npyHeader
	p := &pyParser{s: text}
	v, err := p.value(0)
	if err != nil {
		return h, err
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return h, p.errorf("unexpected %q after the dict", p.rest())
	}
	dict, ok := v.(map[string]any)
	if !ok {
		return h, fmt.Errorf("npy: header: want a dict, got %s", pyRepr(v))
	}
	for key := range dict {
		switch key {
		case "descr", "fortran_order", "shape":
		default:
			return h, fmt.Errorf("npy: header: unexpected key '%s'", key)
		}
	}
	for _, key := range []string{"descr", "fortran_order", "shape"} {
		if _, ok := dict[key]; !ok {
			return h, fmt.Errorf("npy: header: missing key '%s'", key)
		}
	}
	switch d := dict["descr"].(type) {
	case string:
		h.descr = d
	case pyList:
		return h, fmt.Errorf("npy: unsupported dtype %s: structured arrays are not supported", pyRepr(d))
	default:
		return h, fmt.Errorf("npy: header: 'descr' is %s, want a string", pyRepr(d))
	}
	fo, ok := dict["fortran_order"].(bool)
	if !ok {
		return h, fmt.Errorf("npy: header: 'fortran_order' is %s, want True or False", pyRepr(dict["fortran_order"]))
	}
	h.fortranOrder = fo
	shape, ok := dict["shape"].(pyTuple)
	if !ok {
		return h, fmt.Errorf("npy: header: 'shape' is %s, want a tuple", pyRepr(dict["shape"]))
	}
	h.shape = make([]int, len(shape))
	for i, d := range shape {
		n, ok := d.(int)
		if !ok || n < 0 {
			return h, fmt.Errorf("npy: header: shape %s: dimension %d is not a non-negative integer", pyRepr(shape), i)
		}
		h.shape[i] = n
	}
	return h, nil
}

// maxPyDepth bounds nesting so that a hostile header cannot exhaust the stack.
const maxPyDepth = 32

// pyParser parses Python literals from s, starting at i.
type pyParser struct {
	s string
	i int
}

func (p *pyParser) errorf(format string, args ...any) error {
	return fmt.Errorf("npy: header: offset %d: %s", p.i, fmt.Sprintf(format, args...))
}

// rest returns a short piece of the input at the current offset, for errors.
func (p *pyParser) rest() string {
	r := p.s[p.i:]
	if len(r) > 20 {
		r = r[:20] + "..."
	}
	return r
}

func (p *pyParser) skipSpace() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

// value parses one literal at nesting depth.
func (p *pyParser) value(depth int) (any, error) {
	if depth > maxPyDepth {
		return nil, p.errorf("nested too deeply")
	}
	p.skipSpace()
	if p.i == len(p.s) {
		return nil, p.errorf("unexpected end of header")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.dict(depth)
	case c == '(':
		items, err := p.sequence(depth, ')')
		return pyTuple(items), err
	case c == '[':
		items, err := p.sequence(depth, ']')
		return pyList(items), err
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || c == '+' || c >= '0' && c <= '9':
		return p.integer()
	default:
		for _, w := range []struct {
			word string
			v    any
		}{{"True", true}, {"False", false}, {"None", nil}} {
			if strings.HasPrefix(p.s[p.i:], w.word) {
				p.i += len(w.word)
				return w.v, nil
			}
		}
		return nil, p.errorf("unexpected %q", p.rest())
	}
}

// dict parses {key: value, ...} with string keys.
func (p *pyParser) dict(depth int) (any, error) {
	p.i++ // '{'
	d := map[string]any{}
	for {
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return d, nil
		}
		if p.i == len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
			return nil, p.errorf("want a quoted key or '}', got %q", p.rest())
		}
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if _, dup := d[key]; dup {
			return nil, p.errorf("duplicate key '%s'", key)
		}
		p.skipSpace()
		if p.i == len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("want ':' after key '%s'", key)
		}
		p.i++
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d[key] = v
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return d, nil
		}
		return nil, p.errorf("want ',' or '}' after the value of '%s'", key)
	}
}

// sequence parses the items of a tuple or list up to the closing byte.
func (p *pyParser) sequence(depth int, closing byte) ([]any, error) {
	p.i++ // '(' or '['
	items := []any{}
	for {
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == closing {
			p.i++
			return items, nil
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == closing {
			p.i++
			return items, nil
		}
		return nil, p.errorf("want ',' or '%c', got %q", closing, p.rest())
	}
}

// str parses a quoted string without escapes (NumPy's headers have none).
func (p *pyParser) str() (string, error) {
	quote := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], quote)
	if end < 0 {
		return "", p.errorf("unterminated string")
	}
	s := p.s[p.i+1 : p.i+1+end]
	if strings.IndexByte(s, '\\') >= 0 {
		return "", p.errorf("escape sequences in strings are not supported")
	}
	p.i += end + 2
	return s, nil
}

// integer parses a decimal integer, with Python 2's optional L suffix.
func (p *pyParser) integer() (any, error) {
	start := p.i
	if p.s[p.i] == '-' || p.s[p.i] == '+' {
		p.i++
	}
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	text := p.s[start:p.i]
	if p.i < len(p.s) && p.s[p.i] == 'L' {
		p.i++
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n > math.MaxInt || n < math.MinInt {
		p.i = start
		return nil, p.errorf("bad or too large integer %q", text)
	}
	return int(n), nil
}

// pyRepr formats a parsed value the way Python would print it, for errors.
func pyRepr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(v)
	case string:
		return "'" + v + "'"
	case pyTuple:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = pyRepr(x)
		}
		if len(v) == 1 {
			return "(" + parts[0] + ",)"
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case pyList:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = pyRepr(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		return "a dict"
	default:
		return fmt.Sprint(v)
	}
}
