//go:build !linux

package launch

import "os/exec"

// Elsewhere ranks are not bound: there is one CPU list, no affinity.
func allowedCPUs() ([]int, error) { return nil, nil }

func startBound(cmd *exec.Cmd, cpus []int) error { return cmd.Start() }
