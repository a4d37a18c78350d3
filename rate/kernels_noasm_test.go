//go:build !amd64 || noasm || purego

package rate

import "testing"

// forEachSigmoidKernel runs f: there is one kernel, in Go.
func forEachSigmoidKernel(t *testing.T, f func(t *testing.T)) { f(t) }
