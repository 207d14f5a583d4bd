package plot

import (
	"fmt"
	"math"

	gplot "gonum.org/v1/plot"
)

// Logarithmic axes
//
// A log axis is drawn as a linear axis of log10 of the values, with ticks
// labelled by the values themselves. gonum's own LogScale centres an
// axis's label on the arithmetic middle of the range (10^7 on an axis
// from 1 to 10^8), so its box pokes out of the chart and gonum shrinks
// the data area to make room: a fifth of the chart stood empty. On the
// log10 values every layout rule is linear and right, and the legend's
// placement has one kind of axis to deal with.

// checkLog reports a value a logarithmic axis cannot show.
func (c Chart) checkLog() error {
	for _, cv := range c.Curves {
		for i := range cv.X {
			if c.LogX && cv.X[i] <= 0 {
				return fmt.Errorf("plot: curve %q: x = %g on a log axis", cv.Label, cv.X[i])
			}
			ys := []float64{cv.Y[i]}
			if cv.Lo != nil {
				ys = append(ys, cv.Lo[i], cv.Hi[i])
			}
			for _, y := range ys {
				if c.LogY && y <= 0 {
					return fmt.Errorf("plot: curve %q: y = %g on a log axis", cv.Label, y)
				}
			}
		}
	}
	return nil
}

// linear returns the chart with every value on a log axis replaced by its
// log10, and the axis's ticks to match. c.checkLog must have passed.
func (c Chart) linear() (lc Chart, xticks, yticks gplot.Ticker) {
	lc = c
	lc.LogX, lc.LogY = false, false
	lc.YFromZero = c.YFromZero && !c.LogY // zero has no place on a log axis
	lc.Curves = make([]Curve, len(c.Curves))
	log := func(on bool, vs []float64) []float64 {
		if !on || vs == nil {
			return vs
		}
		out := make([]float64, len(vs))
		for i, v := range vs {
			out[i] = math.Log10(v)
		}
		return out
	}
	for i, cv := range c.Curves {
		cv.X = log(c.LogX, cv.X)
		cv.Y, cv.Lo, cv.Hi = log(c.LogY, cv.Y), log(c.LogY, cv.Lo), log(c.LogY, cv.Hi)
		lc.Curves[i] = cv
	}
	if c.Band != nil && c.LogX {
		b := *c.Band
		b.From = math.Log10(math.Max(b.From, math.SmallestNonzeroFloat64))
		lc.Band = &b
	}
	label := func(v float64) string { return fmt.Sprintf("%g", v) }
	if c.XTickLabel != nil {
		label = c.XTickLabel
	}
	if c.XTicks != nil {
		ticks := make([]gplot.Tick, len(c.XTicks))
		for i, t := range c.XTicks {
			ticks[i] = gplot.Tick{Value: t, Label: label(t)}
			if c.LogX {
				ticks[i].Value = math.Log10(t)
			}
		}
		lc.XTicks, lc.XTickLabel = log(c.LogX, c.XTicks), nil
		xticks = gplot.ConstantTicks(ticks)
	} else if c.LogX {
		xticks = logTicks{}
	}
	yticks = shortTicks{}
	if c.LogY {
		yticks = logTicks{}
	}
	return lc, xticks, yticks
}

// logTicks are the ticks of a log axis drawn as log10 values: a labelled
// tick at every power of ten, unlabelled ones at 2 to 9 times it; every
// tick is labelled when the axis spans less than two powers of ten.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []gplot.Tick {
	var ts []gplot.Tick
	majors := 0
	for k := math.Floor(min); k <= math.Ceil(max); k++ {
		for m := 1.0; m < 10; m++ {
			// A tick at an end of the range counts as inside it, although
			// log10(m) + k and log10(m * 10^k) may differ in the last bit.
			v := math.Log10(m) + k
			if v < min-1e-12 || v > max+1e-12 {
				continue
			}
			t := gplot.Tick{Value: v}
			if m == 1 {
				majors++
				t.Label = fmt.Sprintf("%.6g", math.Pow(10, k))
			}
			ts = append(ts, t)
		}
	}
	if majors < 2 {
		for i := range ts {
			ts[i].Label = fmt.Sprintf("%.3g", math.Pow(10, ts[i].Value))
		}
	}
	return ts
}
