//go:build !(linux && (amd64 || arm64))

package shm

import "os"

// supported says whether this build can share memory between processes:
// only Linux can (memfd, eventfd, pidfd); elsewhere every pair keeps the
// base transport.
const supported = false

func createSegment(int64) (int, []byte, error) { return -1, nil, errUnsupported }
func openSegment(int, int, int64) (int, error) { return -1, errUnsupported }
func mapRange(int, int64, int) ([]byte, error) { return nil, errUnsupported }
func unmap([]byte)                             {}
func newBell() (*os.File, int, error)          { return nil, -1, errUnsupported }
func peerBell(int, int) (int, error)           { return -1, errUnsupported }
func ring(int)                                 {}
func closeFd(int)                              {}
func yield()                                   {}
