package farm

import (
	"fmt"
	"github.com/spmd-go/spmd/spmd/internal/procgroup"
	"slices"
	"syscall"

	"github.com/spmd-go/spmd/comm"
)

// runWorker is a rank other than the root: it says hello, takes the
// settings, runs the jobs the root sends in its slots and reports each
// outcome, until the root says stop. If the root is lost, or a signal
// comes, it stops its running tasks and returns.
func runWorker(world *comm.Comm, p *Params) error {
	slots := max(slotsOf(p), 1) // a bad --slots is the root's to report
	if err := comm.SendValue(world, report{Hello: &hello{Slots: slots, Host: p.Host}}, 0, tagReport); err != nil {
		return rootLost(err)
	}
	orders := make(chan order)
	orderErr := make(chan error, 1)
	quit := make(chan struct{})
	defer close(quit)
	go func() {
		for {
			o, _, err := comm.RecvValue[order](world, 0, tagOrder)
			if err != nil {
				orderErr <- err
				return
			}
			select {
			case orders <- o:
			case <-quit:
				return
			}
		}
	}()

	var (
		r      *runner
		wd     *procgroup.Watchdog
		inUse  = make([]bool, slots)
		ends   = make(chan localEnd)
		stop   = make(chan struct{})
		active = 0
	)
	// end stops the running tasks (when stopping), waits for them, and
	// returns err.
	end := func(stopping bool, err error) error {
		if stopping {
			close(stop)
		}
		for ; active > 0; active-- {
			<-ends
		}
		wd.Stop()
		return err
	}
	for {
		select {
		case o := <-orders:
			switch {
			case o.Abort != 0:
				return end(true, &StoppedError{Code: o.Abort})
			case o.Stop:
				return end(true, nil) // anything still running is a duplicate
			case o.Settings != nil:
				wd = procgroup.StartWatchdog(p.Watchdog)
				r = newRunner(world.Rank(), p.Host, *o.Settings, wd)
			}
			if r == nil && len(o.Jobs) > 0 {
				return end(true, fmt.Errorf("farm: jobs came before the settings"))
			}
			for _, j := range o.Jobs {
				slot := slices.Index(inUse, false)
				if slot < 0 {
					return end(true, fmt.Errorf("farm: the root sent more jobs than %d slots", slots))
				}
				inUse[slot] = true
				active++
				go func() { ends <- localEnd{r.run(j, slot+1, stop), slot} }()
			}
		case err := <-orderErr:
			return end(true, rootLost(err))
		case e := <-ends:
			active--
			inUse[e.slot] = false
			rep := report{Outcomes: []outcome{e.o}}
			// Send what else has ended in the same message.
			for more := true; more; {
				select {
				case e := <-ends:
					active--
					inUse[e.slot] = false
					rep.Outcomes = append(rep.Outcomes, e.o)
				default:
					more = false
				}
			}
			if err := comm.SendValue(world, rep, 0, tagReport); err != nil {
				return end(true, rootLost(err))
			}
		case sig := <-p.Signals:
			code := 1
			if s, ok := sig.(syscall.Signal); ok {
				code = 128 + int(s)
			}
			return end(true, &StoppedError{Code: code})
		}
	}
}

func rootLost(err error) error {
	return fmt.Errorf("farm: lost the root (rank 0), stopping: %w", err)
}
