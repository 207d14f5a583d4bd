package bench

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spmd-go/spmd/comm"
)

// transportOf names how the ranks a benchmark measures reach each other
// (see Row.Transport): ranks 0 and 1 for pingpong, every pair otherwise.
// It is collective over c; the name is meaningful at rank 0.
func transportOf(c *comm.Comm, pingpong bool) (string, error) {
	if pingpong {
		if c.Size() < 2 {
			return "", nil
		}
		return c.Route(1), nil
	}
	routes, err := gatherRoutes(c)
	if err != nil || routes == nil {
		return "", err
	}
	var names []string
	for i, row := range routes {
		for j, r := range row {
			if i != j && !slices.Contains(names, r) {
				names = append(names, r)
			}
		}
	}
	slices.Sort(names)
	return strings.Join(names, "+"), nil
}

// gatherRoutes returns at rank 0 every rank's route to every rank (nil
// elsewhere).
func gatherRoutes(c *comm.Comm) ([][]string, error) {
	mine := make([]string, c.Size())
	for r := range mine {
		mine[r] = c.Route(r)
	}
	return comm.GatherValue(c, mine, 0)
}

// Routes describes, at rank 0, which pairs of ranks of c talk by which
// route, e.g. "shm between 0-1 2-3; tcp between 0-2 0-3 1-2 1-3" (each
// pair named once, by the route of its lower rank; at most 16 pairs
// listed per route). It is collective over c; other ranks get "".
func Routes(c *comm.Comm) (string, error) {
	routes, err := gatherRoutes(c)
	if err != nil || routes == nil {
		return "", err
	}
	const most = 16
	var names []string
	pairs := map[string][]string{}
	for i, row := range routes {
		for j := i + 1; j < len(row); j++ {
			r := row[j]
			if r == "" {
				r = "unnamed transport"
			}
			if _, ok := pairs[r]; !ok {
				names = append(names, r)
			}
			pairs[r] = append(pairs[r], fmt.Sprintf("%d-%d", i, j))
		}
	}
	if len(names) == 0 {
		return "one rank: no pairs", nil
	}
	var parts []string
	for _, n := range names {
		p := pairs[n]
		s := n + " between " + strings.Join(p[:min(len(p), most)], " ")
		if len(p) > most {
			s += fmt.Sprintf(" and %d more pairs", len(p)-most)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; "), nil
}
