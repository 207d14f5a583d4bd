// Package boot is how a rank learns who it is and finds the others.
package boot
