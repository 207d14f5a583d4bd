//go:build !(linux && (amd64 || arm64))

package comm

import "errors"

var errNoSharing = errors.New("shared memory needs Linux on amd64 or arm64")

func createShared(int64, *sharedOffer) ([]byte, int, error) { return nil, -1, errNoSharing }
func attachShared(sharedOffer) ([]byte, error)              { return nil, errNoSharing }
func closeShared(int)                                       {}
func unmapShared([]byte) error                              { return nil }
