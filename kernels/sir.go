package kernels

import (
	"fmt"
	"math"
	"math/bits"
)

// SIRParams is one setting of the stochastic SIR epidemic: a closed
// population of N people, I0 of them infected at time 0 and the rest
// susceptible. Infection happens at total rate (Beta/N)*S*I and recovery
// at rate Gamma*I, so Beta/Gamma is the basic reproduction number R0.
type SIRParams struct {
	Beta, Gamma float64
	N, I0       int
}

// sirMaxN keeps S*I (at most N^2/4) exact in a float64 (at most 2^52).
const sirMaxN = 1 << 27

// Validate returns an error naming the first bad parameter: rates must be
// finite and >= 0, 1 <= N <= 2^27 and 0 <= I0 <= N.
func (p SIRParams) Validate() error {
	switch {
	case !(p.Beta >= 0) || math.IsInf(p.Beta, 0):
		return fmt.Errorf("kernels: SIR beta %v: want a finite rate >= 0", p.Beta)
	case !(p.Gamma >= 0) || math.IsInf(p.Gamma, 0):
		return fmt.Errorf("kernels: SIR gamma %v: want a finite rate >= 0", p.Gamma)
	case p.N < 1 || p.N > sirMaxN:
		return fmt.Errorf("kernels: SIR population N=%d: want 1 <= N <= %d", p.N, sirMaxN)
	case p.I0 < 0 || p.I0 > p.N:
		return fmt.Errorf("kernels: SIR initial infected I0=%d: want 0 <= I0 <= N=%d", p.I0, p.N)
	}
	return nil
}

// SIRResult is the outcome of one simulated epidemic.
type SIRResult struct {
	FinalSize int     // people ever infected, I0 included: N - S at the end
	Peak      int     // largest number infected at once
	Duration  float64 // time of the last event (0 if there was none)
	Events    int     // infections plus recoveries
}

// SIRRun simulates one epidemic with Gillespie's direct method, drawing
// from g. Each event consumes exactly two outputs, in this order:
//
//	a1 = (Beta/N) * (float64(S)*float64(I))   infection rate
//	a2 = Gamma * float64(I)                   recovery rate
//	a0 = a1 + a2
//	t += g.ExpFloat64() / a0                  waiting time
//	infection if g.Float64()*a0 < a1, else recovery
//
// S*I is an exact product (at most N^2/4 <= 2^52), computed in float64 so
// that 32-bit platforms do not overflow.
//
// The run ends when I reaches 0, or when a0 is 0 with I > 0 (Gamma = 0
// and nobody left to infect), so it takes at most 2N events. SIRRun is the
// reference for the sweep's fast path. It panics if p is invalid.
func SIRRun(p SIRParams, g *Xoshiro256) SIRResult {
	if err := p.Validate(); err != nil {
		panic(err.Error())
	}
	bn := p.Beta / float64(p.N)
	s, i := p.N-p.I0, p.I0
	res := SIRResult{Peak: i}
	for i > 0 {
		// The conversions round each product, so no build may fuse
		// them into an FMA (Go allows fusion across statements).
		a1 := float64(bn * (float64(s) * float64(i)))
		a2 := float64(p.Gamma * float64(i))
		a0 := a1 + a2
		if a0 == 0 {
			break
		}
		res.Duration += g.ExpFloat64() / a0
		if g.Float64()*a0 < a1 {
			s--
			i++
			res.Peak = max(res.Peak, i)
		} else {
			i--
		}
		res.Events++
	}
	res.FinalSize = p.N - s
	return res
}

// sirRunFast is SIRRun with the generator's state in local variables and
// its steps written out, so the event loop makes no calls except
// math.Log. It computes the same operations in the same order, so the
// results are identical (tested).
func sirRunFast(p SIRParams, g *Xoshiro256) SIRResult {
	bn := p.Beta / float64(p.N)
	s, i := p.N-p.I0, p.I0
	s0, s1, s2, s3 := g.s[0], g.s[1], g.s[2], g.s[3]
	next := func() uint64 {
		r := bits.RotateLeft64(s1*5, 7) * 9
		t := s1 << 17
		s2 ^= s0
		s3 ^= s1
		s1 ^= s2
		s0 ^= s3
		s2 ^= t
		s3 = bits.RotateLeft64(s3, 45)
		return r
	}
	res := SIRResult{Peak: i}
	for i > 0 {
		// The conversions round each product, so no build may fuse
		// them into an FMA (Go allows fusion across statements).
		a1 := float64(bn * (float64(s) * float64(i)))
		a2 := float64(p.Gamma * float64(i))
		a0 := a1 + a2
		if a0 == 0 {
			break
		}
		u := float64(next()>>11) * 0x1p-53
		res.Duration += -math.Log(1-u) / a0
		if float64(next()>>11)*0x1p-53*a0 < a1 {
			s--
			i++
			res.Peak = max(res.Peak, i)
		} else {
			i--
		}
		res.Events++
	}
	g.s = [4]uint64{s0, s1, s2, s3}
	res.FinalSize = p.N - s
	return res
}

// SIRSummary is the mean outcome of the replicates of one setting.
type SIRSummary struct {
	Params        SIRParams
	Replicates    int
	MeanFinalSize float64 // mean people ever infected
	MeanPeak      float64 // mean largest number infected at once
	MeanDuration  float64 // mean time to the last event
	MeanEvents    float64
}

// SIRSetting simulates replicates 0..reps-1 of setting number setting of a
// sweep and returns their means. Replicate r draws from
//
//	Stream(Key(seed, setting), r)
//
// so a setting's result depends only on (seed, setting, reps), not on
// which rank runs it. Means are running sums over replicates in order,
// divided by reps. It panics if p is invalid or reps < 1.
func SIRSetting(p SIRParams, setting int, reps int, seed uint64) SIRSummary {
	return sirSetting(p, setting, reps, seed, sirRunFast)
}

// SIRSettingSerial is SIRSetting using the reference SIRRun.
func SIRSettingSerial(p SIRParams, setting int, reps int, seed uint64) SIRSummary {
	return sirSetting(p, setting, reps, seed, SIRRun)
}

func sirSetting(p SIRParams, setting, reps int, seed uint64, run func(SIRParams, *Xoshiro256) SIRResult) SIRSummary {
	if err := p.Validate(); err != nil {
		panic(err.Error())
	}
	if reps < 1 || setting < 0 {
		panic(fmt.Sprintf("kernels: SIR setting %d with %d replicates", setting, reps))
	}
	key := Key(seed, uint64(setting))
	var size, peak, dur, events float64
	for r := 0; r < reps; r++ {
		g := Stream(key, uint64(r))
		res := run(p, &g)
		size += float64(res.FinalSize)
		peak += float64(res.Peak)
		dur += res.Duration
		events += float64(res.Events)
	}
	n := float64(reps)
	return SIRSummary{Params: p, Replicates: reps,
		MeanFinalSize: size / n, MeanPeak: peak / n, MeanDuration: dur / n, MeanEvents: events / n}
}

// SIRSweep runs the settings with indices in part (indices into settings,
// which is the whole sweep) and writes setting k's summary to
// dst[k-part.Lo]. It panics if len(dst) != part.Len() or part lies outside
// settings.
func SIRSweep(dst []SIRSummary, settings []SIRParams, part Range, reps int, seed uint64) {
	checkRange(part, len(settings), "setting")
	if len(dst) != part.Len() {
		panic(fmt.Sprintf("kernels: len(dst) = %d for %d settings", len(dst), part.Len()))
	}
	for k := part.Lo; k < part.Hi; k++ {
		dst[k-part.Lo] = SIRSetting(settings[k], k, reps, seed)
	}
}
