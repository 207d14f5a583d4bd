package par

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// ItemError is the failure of one item: the error its function returned,
// or the panic it raised.
type ItemError struct {
	Index int    // the item's index in the input (or in [0, n))
	Item  string // the item as fmt prints it, shortened; "" for index ranges
	Rank  int    // the rank that computed it
	Err   error  // what the function returned; for a panic, its value
	// Stack is the goroutine's stack at a panic, "" for a returned error.
	Stack string
}

func (e *ItemError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "item %d", e.Index)
	if e.Item != "" {
		fmt.Fprintf(&b, " (%s)", e.Item)
	}
	fmt.Fprintf(&b, " on rank %d: ", e.Rank)
	if e.Stack != "" {
		b.WriteString("panic: ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ItemError) Unwrap() error { return e.Err }

// Errors lists every failed item of a KeepGoing call, in index order.
type Errors []*ItemError

func (es Errors) Error() string {
	switch len(es) {
	case 0:
		return "no items failed"
	case 1:
		return es[0].Error()
	}
	const show = 3
	var b strings.Builder
	fmt.Fprintf(&b, "%d items failed: ", len(es))
	for i, e := range es {
		if i == show {
			fmt.Fprintf(&b, "; and %d more", len(es)-show)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap gives errors.Is and errors.As every item's error.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

func sortErrors(es []*ItemError) {
	sort.Slice(es, func(i, j int) bool { return es[i].Index < es[j].Index })
}

// describe formats an item for an error message: at most maxItemText
// bytes, cut on a rune boundary.
func describe(v any) string {
	s := fmt.Sprint(v)
	if len(s) <= maxItemText {
		return s
	}
	cut := maxItemText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

const maxItemText = 80

// remoteError is an error that came from another rank: its text survives
// the trip, its type does not.
type remoteError struct{ msg string }

func (e remoteError) Error() string { return e.msg }
