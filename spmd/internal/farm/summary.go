package farm

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Summary is what a farm did, from the root's records.
type Summary struct {
	Tasks      int // in the task list
	Skipped    int // not run: --resume found them in the joblog
	Succeeded  int
	Failed     int // failed for good (after their retries)
	Retried    int // failed attempts that were run again
	Rerun      int // runs started again because their rank was lost
	Duplicates int // results that came after another run of the same task had counted
	Stopped    int // tasks not finished when a signal stopped the farm

	Makespan time.Duration // from the first task handed out to the last one finished
	TaskTime time.Duration // the tasks' run times, added (final attempts and failed ones)
	CPUTime  time.Duration // the tasks' user and system time, added
	SlotTime time.Duration // slots x the time each rank was there to run them

	Ranks, Slots int
	Lost         []LostRank
	Slowest      []TaskRecord // up to 5, slowest first
	FailedTasks  []TaskRecord // in task order
}

// LostRank is a rank the farm lost, and the tasks it was running then,
// which went back into the queue.
type LostRank struct {
	Rank     int
	Host     string
	At       time.Duration // after the farm started
	Requeued []int
}

// TaskRecord is one task's final outcome in the summary.
type TaskRecord struct {
	Seq      int
	Command  string
	Rank     int
	Host     string
	Runtime  time.Duration
	Attempts int
	Status   string // "exit 3", "killed by SIGKILL", "timed out after 2s (SIGTERM)", ...
}

// Efficiency is the share of the slots' time the tasks used.
func (s *Summary) Efficiency() float64 {
	if s.SlotTime <= 0 {
		return 0
	}
	return float64(s.TaskTime) / float64(s.SlotTime)
}

// maxListed bounds the failed tasks the summary lists one by one.
const maxListed = 20

// print writes the summary for people.
func (s *Summary) print(w io.Writer) {
	line := fmt.Sprintf("farm: %d tasks: %d succeeded, %d failed", s.Tasks, s.Succeeded, s.Failed)
	var extra []string
	if s.Skipped > 0 {
		extra = append(extra, fmt.Sprintf("%d skipped (in the joblog)", s.Skipped))
	}
	if s.Stopped > 0 {
		extra = append(extra, fmt.Sprintf("%d not finished (stopped; --resume runs them)", s.Stopped))
	}
	if s.Retried > 0 {
		extra = append(extra, fmt.Sprintf("%d attempts retried", s.Retried))
	}
	if s.Rerun > 0 {
		extra = append(extra, fmt.Sprintf("%d re-run after a lost rank", s.Rerun))
	}
	if len(extra) > 0 {
		line += ", " + strings.Join(extra, ", ")
	}
	fmt.Fprintln(w, line)
	fmt.Fprintf(w, "farm: makespan %v, task time %v (CPU %v) on %d slots of %d ranks: efficiency %.0f%%\n",
		round(s.Makespan), round(s.TaskTime), round(s.CPUTime), s.Slots, s.Ranks, 100*s.Efficiency())
	for _, l := range s.Lost {
		fmt.Fprintf(w, "farm: lost rank %d on %s after %v; %s\n", l.Rank, l.Host, round(l.At), requeued(l.Requeued))
	}
	if len(s.Slowest) > 0 && s.Succeeded+s.Failed > 1 {
		fmt.Fprintf(w, "farm: slowest:")
		for _, t := range s.Slowest {
			fmt.Fprintf(w, " %d (%v, rank %d)", t.Seq, round(t.Runtime), t.Rank)
		}
		fmt.Fprintln(w)
	}
	for i, t := range s.FailedTasks {
		if i == maxListed {
			fmt.Fprintf(w, "farm: ... and %d more failed tasks (the joblog lists them all)\n", len(s.FailedTasks)-maxListed)
			break
		}
		attempts := ""
		if t.Attempts > 1 {
			attempts = fmt.Sprintf(" after %d attempts", t.Attempts)
		}
		fmt.Fprintf(w, "farm: failed: task %d, %s%s (rank %d on %s): %s\n", t.Seq, t.Status, attempts, t.Rank, t.Host, t.Command)
	}
}

func requeued(seqs []int) string {
	switch len(seqs) {
	case 0:
		return "it was running no task"
	case 1:
		return fmt.Sprintf("its task %d went back into the queue", seqs[0])
	}
	s := make([]string, len(seqs))
	for i, q := range seqs {
		s[i] = fmt.Sprint(q)
	}
	return fmt.Sprintf("its %d tasks (%s) went back into the queue", len(seqs), strings.Join(s, ", "))
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// keepSlowest adds r to the slowest records, keeping n.
func keepSlowest(list []TaskRecord, r TaskRecord, n int) []TaskRecord {
	if len(list) == n && r.Runtime <= list[n-1].Runtime {
		return list
	}
	list = append(list, r)
	sort.SliceStable(list, func(i, j int) bool { return list[i].Runtime > list[j].Runtime })
	if len(list) > n {
		list = list[:n]
	}
	return list
}
