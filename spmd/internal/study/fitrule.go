package study

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// When a study's Amdahl fit is trusted
//
// FitAmdahl finds the best serial fraction for any two or more worker
// counts, but two counts fit the model's two parameters exactly whatever
// was measured (one noisy time, and s came out as 1.0), and three leave a
// single point to check it by. A strong study's fit is therefore kept,
// drawn and printed only when
//
//  1. it rests on at least MinFitWorkerCounts different worker counts, all
//     within the cores: oversubscribed points measure the shortage of
//     cores, not the job, and are never fitted; and
//  2. it describes them: its Miss against the medians, the RMS relative
//     distance between the curve and the points, is at most MaxFitMiss.
//
// Otherwise ScaleResult.Fit is nil, the text summary prints a warning
// (FitSummary) and the charts say in their legend why no fit is drawn
// (FitNote).
const (
	MinFitWorkerCounts = 4
	// MaxFitMiss: 5 % is about the run-to-run noise of a median of three
	// on a quiet machine; a curve further off than that is not describing
	// the times, and its serial fraction would mislead.
	MaxFitMiss float64 = 0.05
)

// fitAmdahl fits Amdahl's law to the medians of a strong study's points
// within the cores and applies the rule above.
func (r *ScaleResult) fitAmdahl() {
	r.Fit, r.FitPoints, r.FitWorkers, r.FitMiss, r.FitExcludesOversubscribed, r.fitErr = nil, 0, nil, 0, false, nil
	if r.Weak {
		return
	}
	var p, t []float64
	seen := map[int]bool{}
	for _, s := range r.Points {
		if s.Oversubscribed {
			r.FitExcludesOversubscribed = true
			continue
		}
		p, t = append(p, float64(s.Workers)), append(t, s.Median)
		if !seen[s.Workers] {
			seen[s.Workers] = true
			r.FitWorkers = append(r.FitWorkers, s.Workers)
		}
	}
	sort.Ints(r.FitWorkers)
	r.FitPoints = len(p)
	if len(r.FitWorkers) < MinFitWorkerCounts {
		return
	}
	a, err := FitAmdahl(p, t)
	if err != nil {
		r.fitErr = err
		return
	}
	r.FitMiss = a.Miss(p, t)
	if r.FitMiss <= MaxFitMiss {
		r.Fit = &a
	}
}

// FitSummary is the line the text summary prints about the Amdahl fit of a
// strong study: the fit, or a warning that says why there is none. It is
// "" for a weak study.
func (r *ScaleResult) FitSummary() string {
	if r.Weak {
		return ""
	}
	if r.Fit != nil {
		left := ""
		if r.FitExcludesOversubscribed {
			left = ", oversubscribed points left out"
		}
		limit := "no limit"
		if r.Fit.S > 0 {
			limit = fmt.Sprintf("at most %.3gx however many workers", r.Fit.MaxSpeedup())
		}
		return fmt.Sprintf("Amdahl fit over %d points on %d worker counts%s: serial fraction s = %.4f, T1 = %.4g s, within %.1f%% RMS of the medians; speedup %s",
			r.FitPoints, len(r.FitWorkers), left, r.Fit.S, r.Fit.T1, 100*r.FitMiss, limit)
	}
	return "warning: no Amdahl fit: " + r.fitWhyNot(false)
}

// FitNote is what a chart of a strong study says when it has no Amdahl
// fit: the reason, on two short lines. It is "" when the fit is drawn and
// for a weak study.
func (r *ScaleResult) FitNote() string {
	if r.Weak || r.Fit != nil {
		return ""
	}
	return "No Amdahl fit: " + r.fitWhyNot(true)
}

// fitWhyNot says why the study has no fit, briefly (two lines, for a
// chart) or in full.
func (r *ScaleResult) fitWhyNot(brief bool) string {
	where := "measured"
	if r.FitExcludesOversubscribed {
		where = fmt.Sprintf("within the %d cores", r.Capacity)
	}
	switch {
	case len(r.FitWorkers) < MinFitWorkerCounts:
		if brief {
			return fmt.Sprintf("%s worker count%s %s,\nand a fit needs at least %d.", countWord(len(r.FitWorkers)), plural(len(r.FitWorkers)), where, MinFitWorkerCounts)
		}
		s := fmt.Sprintf("%s worker count%s %s (%s), and a fit of its two parameters needs at least %d to be judged",
			countWord(len(r.FitWorkers)), plural(len(r.FitWorkers)), where, joinInts(r.FitWorkers), MinFitWorkerCounts)
		if r.FitExcludesOversubscribed {
			s += "; oversubscribed points measure the shortage of cores and are never fitted"
		}
		return s
	case r.fitErr != nil:
		return strings.TrimPrefix(r.fitErr.Error(), "study: ")
	default:
		if brief {
			return fmt.Sprintf("the best fit misses the medians\nby %.0f%% RMS; the limit is %.0f%%.", 100*r.FitMiss, 100*MaxFitMiss)
		}
		return fmt.Sprintf("the best fit misses the medians by %.1f%% RMS, more than the %.0f%% allowed: these times do not follow Amdahl's law closely enough for a serial fraction to mean anything",
			100*r.FitMiss, 100*MaxFitMiss)
	}
}

// countWord is "only N" for the counts that fall short: "only 2".
func countWord(n int) string {
	if n == 0 {
		return "no"
	}
	return "only " + strconv.Itoa(n)
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
