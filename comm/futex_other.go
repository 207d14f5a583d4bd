//go:build !(linux && (amd64 || arm64))

package comm

import (
	"sync/atomic"
	"time"
)

const futexSupported = false

func futexWait(*atomic.Uint32, uint32, time.Duration) {}
func futexWake(*atomic.Uint32)                        {}
func osYield()                                        {}
