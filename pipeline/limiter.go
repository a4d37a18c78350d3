package pipeline

import (
	"context"
	"fmt"
	"sync/atomic"
)

// A Limiter is a budget of core slots shared by everything a run does in
// parallel: the points of a sweep, and the parallel trials inside a stage
// (the λ search, the conversion). Whoever starts a unit of parallel work
// beyond the one it runs on takes a slot with Acquire and gives it back
// with Release, so that the slots held never exceed the budget however
// the work nests. A nil *Limiter is no budget at all: Acquire returns at
// once.
//
// The convention that keeps nested work from deadlocking: a caller runs
// its first worker on the slot it already holds (a stage runs on its
// point's slot), and takes slots only for the others.
type Limiter struct {
	slots chan struct{}
	held  atomic.Int64
	peak  atomic.Int64
}

// NewLimiter returns a limiter of n slots; it panics if n < 1.
func NewLimiter(n int) *Limiter {
	if n < 1 {
		panic(fmt.Sprintf("pipeline: NewLimiter(%d): want at least one slot", n))
	}
	return &Limiter{slots: make(chan struct{}, n)}
}

// Size returns the number of slots, 0 for a nil limiter.
func (l *Limiter) Size() int {
	if l == nil {
		return 0
	}
	return cap(l.slots)
}

// Acquire waits for a free slot and takes it; it returns ctx's error if
// ctx ends first. On a nil limiter it returns nil at once.
func (l *Limiter) Acquire(ctx context.Context) error {
	if l == nil {
		return nil
	}
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	h := l.held.Add(1)
	for {
		p := l.peak.Load()
		if h <= p || l.peak.CompareAndSwap(p, h) {
			break
		}
	}
	return nil
}

// Release gives back a slot taken by Acquire; on a nil limiter it does
// nothing.
func (l *Limiter) Release() {
	if l == nil {
		return
	}
	l.held.Add(-1)
	<-l.slots
}

// Peak returns the largest number of slots held at once so far.
func (l *Limiter) Peak() int {
	if l == nil {
		return 0
	}
	return int(l.peak.Load())
}
