package study

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"sort"
	"strconv"
	"strings"
)

// Point is one configuration.
type Point struct {
	Ranks, Threads int
}

func (p Point) String() string { return fmt.Sprintf("%d x %d", p.Ranks, p.Threads) }

// Runner runs jobs through `spmd run`.
type Runner struct {
	Spmd       string   // path of the spmd binary
	LaunchArgs []string // extra arguments for spmd run (e.g. --hostfile F)
	Cores      int      // cores on this machine: beyond, --oversubscribe is added
}

// Report is the part of a job's JSON report (docs/OUTPUT.md) a study uses.
type Report struct {
	Job     string `json:"job"`
	Ranks   int    `json:"ranks"`
	Threads int    `json:"threads"`
	// SectionSeconds is the parallel section (between the barriers), the
	// time a scaling study compares; ElapsedSeconds the end-to-end time.
	SectionSeconds float64 `json:"section_seconds"`
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	Verify         *struct {
		Agrees           bool    `json:"agrees"`
		ReferenceSeconds float64 `json:"reference_seconds"`
	} `json:"verify"`
	Result map[string]any `json:"result"`
}

// Measurement is a point's repeated runs.
type Measurement struct {
	Point
	Walls   []float64
	Median  float64
	Reports []Report
}

// Measure runs job at p, repeat times.
func (r Runner) Measure(ctx context.Context, job string, args []string, p Point, repeat int) (Measurement, error) {
	m := Measurement{Point: p}
	for i := 0; i < repeat; i++ {
		rep, err := r.runOnce(ctx, job, args, p)
		if err != nil {
			return m, err
		}
		m.Walls = append(m.Walls, rep.SectionSeconds)
		m.Reports = append(m.Reports, rep)
	}
	m.Median = median(m.Walls)
	return m, nil
}

func (r Runner) runOnce(ctx context.Context, job string, args []string, p Point) (Report, error) {
	cmdArgs := []string{"run", "-np", strconv.Itoa(p.Ranks)}
	if r.Cores > 0 && p.Ranks > r.Cores {
		cmdArgs = append(cmdArgs, "--oversubscribe")
	}
	cmdArgs = append(cmdArgs, r.LaunchArgs...)
	cmdArgs = append(cmdArgs, job)
	cmdArgs = append(cmdArgs, args...)
	cmdArgs = append(cmdArgs, "--threads", strconv.Itoa(p.Threads), "--json", "--quiet")
	cmd := exec.CommandContext(ctx, r.Spmd, cmdArgs...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return Report{}, fmt.Errorf("%s %s: %v\n%s", r.Spmd, strings.Join(cmdArgs, " "), err, strings.TrimSpace(errb.String()))
	}
	return parseReport(out.Bytes())
}

// parseReport takes the last JSON object line of a job's output.
func parseReport(out []byte) (Report, error) {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, "{") {
			continue
		}
		var rep Report
		if err := json.Unmarshal([]byte(l), &rep); err != nil {
			return Report{}, fmt.Errorf("study: job report is not JSON: %w", err)
		}
		return rep, nil
	}
	return Report{}, fmt.Errorf("study: the job printed no JSON report: %q", string(out))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
