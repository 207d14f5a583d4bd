package kernels

import (
	"math"
	"strings"
	"testing"
)

func TestParseValues(t *testing.T) {
	tests := []struct {
		spec string
		want []float64
	}{
		{"0.3", []float64{0.3}},
		{" 2 ", []float64{2}},
		{"0.1,0.2,0.5", []float64{0.1, 0.2, 0.5}},
		// (0.5-0.1)/0.05 is 7.999999999999999: stop is still included.
		{"0.1:0.5:0.05", []float64{0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5}},
		{"0:1:0.1", []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}},
		{"1:5", []float64{1, 2, 3, 4, 5}},
		{"1:5:2", []float64{1, 3, 5}},
		{"1:6:2", []float64{1, 3, 5}},
		{"0.5:0.5:0.1", []float64{0.5}},
		{"0.1:0.3:0.1,0.5", []float64{0.1, 0.2, 0.3, 0.5}},
		{"100:1000:300", []float64{100, 400, 700, 1000}},
		{"1e-3:3e-3:1e-3", []float64{1e-3, 2e-3, 3e-3}},
		{"-1:1:0.5", []float64{-1, -0.5, 0, 0.5, 1}},
		// 3*step overflows to +Inf: the last value is stop, not +Inf.
		{"0:1.7976931348623157e308:5.992310449541053e307", []float64{0, 5.992310449541053e307, 1.1984620899082105e308, math.MaxFloat64}},
	}
	for _, tt := range tests {
		got, err := ParseValues(tt.spec)
		if err != nil {
			t.Errorf("ParseValues(%q): %v", tt.spec, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("ParseValues(%q) = %v, want %v", tt.spec, got, tt.want)
			continue
		}
		for i := range got {
			// Exact for decimal literals (values are rounded to the written
			// decimals); 1e-18 for the exponent form, which is not rounded.
			if math.Abs(got[i]-tt.want[i]) > 1e-18 {
				t.Errorf("ParseValues(%q)[%d] = %v, want %v", tt.spec, i, got[i], tt.want[i])
			}
		}
	}
}

func TestParseValuesErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"", "empty value list"},
		{"0.1,,0.2", "empty item"},
		{"abc", `"abc" is not a number`},
		{"0.1:x:0.1", `"x" is not a number`},
		{"NaN", "not a finite number"},
		{"0:1:0", "step 0 must be > 0"},
		{"0:1:-0.1", "must be > 0"},
		{"1:0:0.1", "stop 0 is below start 1"},
		{"1:2:3:4", "want start:stop:step"},
		{"0:1:1e-9", "more than 1000000 values"},
		// A step of 1 would make this the single value 0.1, silently.
		{"0.1:0.5", "a range of fractions needs a step"},
		{"1:2.5", "needs a step"},
	}
	for _, tt := range tests {
		_, err := ParseValues(tt.spec)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseValues(%q) error %v, want one containing %q", tt.spec, err, tt.want)
		}
	}
}

func TestParseAxis(t *testing.T) {
	a, err := ParseAxis("beta=0.1:0.3:0.1")
	if err != nil || a.Name != "beta" || len(a.Values) != 3 {
		t.Errorf("ParseAxis = %+v, %v", a, err)
	}
	for _, bad := range []string{"0.1", "=0.1", "beta="} {
		if _, err := ParseAxis(bad); err == nil {
			t.Errorf("ParseAxis(%q) gave no error", bad)
		}
	}
}

func TestGridOrder(t *testing.T) {
	g := Grid{{"a", []float64{1, 2}}, {"b", []float64{10, 20, 30}}}
	if g.Len() != 6 {
		t.Fatalf("Len = %d, want 6", g.Len())
	}
	// itertools.product order: the last axis varies fastest.
	want := [][]float64{{1, 10}, {1, 20}, {1, 30}, {2, 10}, {2, 20}, {2, 30}}
	var pt []float64
	for i, w := range want {
		pt = g.Point(pt, i)
		if pt[0] != w[0] || pt[1] != w[1] {
			t.Errorf("Point(%d) = %v, want %v", i, pt, w)
		}
	}
	if (Grid{}).Len() != 1 {
		t.Error("empty grid should have one point")
	}
	if got := strings.Join(g.Names(), ","); got != "a,b" {
		t.Errorf("Names = %s", got)
	}
}

func TestSIRGrid(t *testing.T) {
	g, settings, err := SIRGrid("0.2:0.4:0.1", "0.1", "100,1000", "1")
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 6 || len(settings) != 6 {
		t.Fatalf("%d settings, want 6", len(settings))
	}
	want := SIRParams{Beta: 0.3, Gamma: 0.1, N: 1000, I0: 1}
	if settings[3] != want {
		t.Errorf("setting 3 = %+v, want %+v", settings[3], want)
	}
	for _, tt := range []struct{ beta, gamma, n, i0, want string }{
		{"x", "0.1", "100", "1", "SIR beta"},
		{"0.1", "0.1", "100.5", "1", "not a whole number"},
		{"0.1", "0.1", "100", "200", "I0=200"},
		{"0.1", "0.1", "0", "0", "N=0"},
		{"-1", "0.1", "100", "1", "beta -1"},
	} {
		_, _, err := SIRGrid(tt.beta, tt.gamma, tt.n, tt.i0)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("SIRGrid(%s,%s,%s,%s) error %v, want %q", tt.beta, tt.gamma, tt.n, tt.i0, err, tt.want)
		}
	}
}

// TestSweepCostTracksEvents: the estimate is within a factor of two of the
// measured mean events for sub- and supercritical settings, and orders
// settings correctly by cost.
func TestSweepCostTracksEvents(t *testing.T) {
	settings := []SIRParams{
		{Beta: 0.05, Gamma: 0.1, N: 1000, I0: 5},
		{Beta: 0.2, Gamma: 0.1, N: 1000, I0: 5},
		{Beta: 0.5, Gamma: 0.1, N: 1000, I0: 5},
		{Beta: 0.5, Gamma: 0.1, N: 5000, I0: 5},
	}
	prev := 0.0
	for k, p := range settings {
		s := SIRSetting(p, k, 200, 1)
		c := SweepCost(p)
		if ratio := c / (1 + s.MeanEvents); ratio < 0.5 || ratio > 2 {
			t.Errorf("%+v: cost %v, measured %v events", p, c, s.MeanEvents)
		}
		if c <= prev {
			t.Errorf("%+v: cost %v not above the cheaper setting's %v", p, c, prev)
		}
		prev = c
	}
	if SweepCost(SIRParams{Beta: 1, Gamma: 0, N: 10, I0: 0}) != 1 {
		t.Error("no infected: cost should be the fixed 1")
	}
}

func TestFinalSizeFraction(t *testing.T) {
	// R0 = 2: z = 0.7968121300200202 (Lambert W solution of z = 1 - e^{-2z}).
	if z := finalSizeFraction(2); math.Abs(z-0.7968121300200202) > 1e-12 {
		t.Errorf("finalSizeFraction(2) = %v", z)
	}
}
