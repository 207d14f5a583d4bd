package kernels

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestMapFuncValues(t *testing.T) {
	tests := []struct {
		name string
		args []float64
		want float64
	}{
		// The notebook: [sqrt(i**2) for i in range(10)] -> 0.0 .. 9.0.
		{"sqrt", []float64{9}, 9},
		{"sqrt", []float64{-3}, 3},
		{"sqrt", []float64{1e300}, 1e300},
		{"square", []float64{-4}, 16},
		// The notebook: starmap(f, [[0,1,2], [3,4,5], ...]) -> 3, 12, ...
		{"sum", []float64{0, 1, 2}, 3},
		{"sum", []float64{21, 22, 23}, 66},
		{"sum", []float64{5}, 5},
		{"prod", []float64{2, 3, 4}, 24},
		{"pow", []float64{2, 10}, 1024},
		{"hypot", []float64{3, 4}, 5},
		{"collatz", []float64{1}, 0},
		{"collatz", []float64{6}, 8},    // 6 3 10 5 16 8 4 2 1
		{"collatz", []float64{27}, 111}, // the famous long one
		{"isprime", []float64{0}, 0},
		{"isprime", []float64{1}, 0},
		{"isprime", []float64{2}, 1},
		{"isprime", []float64{25}, 0},
		{"isprime", []float64{97}, 1},
		{"isprime", []float64{7919 * 7927}, 0},
		{"isprime", []float64{2147483647}, 1}, // 2^31-1, a Mersenne prime
	}
	for _, tt := range tests {
		f, err := MapFunc(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f(tt.args...)
		if err != nil || got != tt.want {
			t.Errorf("%s%v = %v, %v; want %v", tt.name, tt.args, got, err, tt.want)
		}
	}
}

func TestMapFuncErrors(t *testing.T) {
	tests := []struct {
		name string
		args []float64
		want string
	}{
		{"pow", []float64{1}, "pow takes 2 arguments, got 1"},
		{"pow", []float64{1, 2, 3}, "pow takes 2 arguments, got 3"},
		{"sqrt", nil, "sqrt takes 1 argument, got 0"},
		{"sqrt", []float64{1, 2}, "sqrt takes 1 argument, got 2"},
		{"sum", nil, "sum takes at least 1 argument"},
		{"collatz", []float64{0}, "collatz needs an integer in [1, 2^53], got 0"},
		{"collatz", []float64{2.5}, "got 2.5"},
		{"isprime", []float64{-3}, "isprime needs an integer"},
		{"isprime", []float64{math.NaN()}, "got NaN"},
		{"isprime", []float64{1e300}, "isprime needs an integer"},
	}
	for _, tt := range tests {
		f, err := MapFunc(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f(tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s%v: error %v, want %q", tt.name, tt.args, err, tt.want)
		}
	}
	if _, err := MapFunc("cube"); err == nil || !strings.Contains(err.Error(), "isprime") {
		t.Errorf("MapFunc(cube) error %v, want the list of names", err)
	}
}

func TestMapRows(t *testing.T) {
	f, _ := MapFunc("sum")
	// The notebook's starmap: np.array_split(np.arange(24), 8).
	rows := make([][]float64, 8)
	for i := range rows {
		rows[i] = []float64{float64(3 * i), float64(3*i + 1), float64(3*i + 2)}
	}
	dst := make([]float64, 8)
	if err := MapRows(dst, f, rows); err != nil {
		t.Fatal(err)
	}
	want := []float64{3, 12, 21, 30, 39, 48, 57, 66}
	for i := range want {
		if dst[i] != want[i] {
			t.Fatalf("starmap sum = %v, want %v", dst, want)
		}
	}
	p, _ := MapFunc("pow")
	err := MapRows(make([]float64, 2), p, [][]float64{{2, 3}, {2}})
	var re *RowError
	if !errors.As(err, &re) || re.Row != 1 || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("MapRows error %v, want a *RowError for row 1", err)
	}
}

func TestMapFuncNamesAndUsage(t *testing.T) {
	names := MapFuncNames()
	usage := MapFuncUsage()
	if len(names) != 8 || len(usage) != len(names) {
		t.Fatalf("%d names, %d usage lines", len(names), len(usage))
	}
	for i, n := range names {
		if _, err := MapFunc(n); err != nil {
			t.Error(err)
		}
		if !strings.HasPrefix(usage[i], n+"(") {
			t.Errorf("usage line %q does not start with %s(", usage[i], n)
		}
	}
}
