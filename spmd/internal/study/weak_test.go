package study

import (
	"reflect"
	"strings"
	"testing"
)

// sizeFlags are the jobs' size flags as spmd/jobs declares them.
var sizeFlags = map[string]SizeFlag{
	"pi":        {Name: "samples", Aliases: []string{"n"}},
	"cdist":     {Name: "m", Inputs: []string{"x", "y"}},
	"bootstrap": {Name: "reps", Aliases: []string{"B"}},
	"fit":       {Name: "datasets", Inputs: []string{"data"}},
}

func TestNewWeak(t *testing.T) {
	cases := []struct {
		job  string
		args []string
		def  string
		base uint64
	}{
		{"pi", nil, "1e8", 100000000},
		{"pi", []string{"--samples", "1e6"}, "1e8", 1000000},
		{"pi", []string{"-n", "2_000"}, "1e8", 2000},
		{"pi", []string{"--samples=5e3", "--seed", "2", "-samples=7e3"}, "1e8", 7000}, // the last one counts, as in package flag
		{"cdist", []string{"--m", "500", "--n", "300"}, "1000", 500},
		{"bootstrap", []string{"-B", "400"}, "10000", 400},
		{"fit", []string{"--datasets=20"}, "1000", 20},
	}
	for _, tc := range cases {
		w, err := NewWeak(tc.job, sizeFlags[tc.job], tc.args, tc.def)
		if err != nil {
			t.Errorf("%s %v: %v", tc.job, tc.args, err)
			continue
		}
		if w.Base != tc.base {
			t.Errorf("%s %v: base %d, want %d", tc.job, tc.args, w.Base, tc.base)
		}
	}
}

func TestNewWeakErrors(t *testing.T) {
	cases := []struct {
		job  string
		args []string
		want string
	}{
		{"cdist", []string{"--x", "points.npy"}, "--x overrides"},
		{"fit", []string{"--data=d.csv"}, "--data overrides"},
		{"pi", []string{"--samples", "0"}, "not a positive whole number"},
		{"pi", []string{"--samples", "1.5"}, "not a positive whole number"},
		{"pi", []string{"--samples"}, "needs a value"},
	}
	for _, tc := range cases {
		if _, err := NewWeak(tc.job, sizeFlags[tc.job], tc.args, "1"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: err = %v, want one containing %q", tc.job, tc.args, err, tc.want)
		}
	}
}

func TestWeakArgs(t *testing.T) {
	w := Weak{Flag: sizeFlags["pi"], Base: 1000}
	args := []string{"-n", "5", "--seed", "3", "--samples=9"}
	got, size := w.Args(args, 4)
	if want := []string{"--seed", "3", "--samples", "4000"}; !reflect.DeepEqual(got, want) || size != 4000 {
		t.Errorf("Args = %v, %d; want %v, 4000", got, size, want)
	}
	if !reflect.DeepEqual(args, []string{"-n", "5", "--seed", "3", "--samples=9"}) {
		t.Errorf("Args changed its input: %v", args)
	}
}
