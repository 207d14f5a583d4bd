//go:build !linux

package job

import "time"

func processStart() (time.Time, bool) { return time.Time{}, false }
