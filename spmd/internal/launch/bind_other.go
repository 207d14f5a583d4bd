//go:build !linux

package launch

import (
	"errors"
	"os/exec"
)

func coreFor(local, size int) (int, error) {
	return 0, errors.New("--bind-to core: binding ranks to cores needs Linux")
}

func startBound(cmd *exec.Cmd, cpu int) error { return cmd.Start() }
