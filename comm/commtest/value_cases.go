package commtest

import (
	"strings"
	"testing"

	"github.com/spmd-go/spmd/comm"
)

type point struct {
	Name string
	X, Y float64
	Tags []string
}

func init() {
	add("ValueTier", func(t *testing.T, nw NewWorld) {
		forSizesSplit(t, nw, func(c *comm.Comm) error {
			p, r := c.Size(), c.Rank()
			// Point to point with a struct.
			if err := comm.SendValue(c, point{Name: "p", X: float64(r), Tags: []string{"a"}}, (r+1)%p, 2); err != nil {
				return err
			}
			v, st, err := comm.RecvValue[point](c, (r-1+p)%p, 2)
			if err != nil {
				return err
			}
			if v.X != float64((r-1+p)%p) || v.Name != "p" || len(v.Tags) != 1 || st.Source != (r-1+p)%p {
				return errorf("RecvValue got %+v %+v", v, st)
			}
			for root := 0; root < p; root++ {
				m, err := comm.BcastValue(c, map[string]int{"root": root * r}, root)
				if err != nil {
					return err
				}
				if m["root"] != root*root {
					return errorf("BcastValue from %d got %v", root, m)
				}
				all, err := comm.GatherValue(c, strings.Repeat("x", r), root)
				if err != nil {
					return err
				}
				if r == root {
					for i, s := range all {
						if s != strings.Repeat("x", i) {
							return errorf("GatherValue [%d] = %q", i, s)
						}
					}
				} else if all != nil {
					return errorf("GatherValue off root returned %v", all)
				}
				var vs []int
				if r == root {
					for i := 0; i < p; i++ {
						vs = append(vs, i*i)
					}
				}
				mine, err := comm.ScatterValue(c, vs, root)
				if err != nil || mine != r*r {
					return errorf("ScatterValue got %d (%v)", mine, err)
				}
			}
			// fn(lower, higher) along the tree from root 0: concatenation
			// yields rank order, which proves the documented order.
			cat, err := comm.AllreduceValue(c, string(rune('a'+r)), func(a, b string) string { return a + b })
			if err != nil {
				return err
			}
			want := ""
			for i := 0; i < p; i++ {
				want += string(rune('a' + i))
			}
			if cat != want {
				return errorf("AllreduceValue concatenation %q, want %q", cat, want)
			}
			ag, err := comm.AllgatherValue(c, []float64{float64(r)})
			if err != nil || len(ag) != p || ag[p-1][0] != float64(p-1) {
				return errorf("AllgatherValue %v (%v)", ag, err)
			}
			return nil
		})
	})
}
