package tasks

import (
	"math/rand/v2"

	"github.com/spikernn/spikernn/rng"
)

// Stream produces trials of a task one after another, reproducibly: trial
// i is drawn from the stream rng.New(Seed, i) and its noise seed is derived
// from the same coordinates, so trial i is the same whatever came before
// it and a stream can resume from its position alone.
type Stream struct {
	task Task
	seed uint64
	next int
	src  *rand.PCG
	r    *rand.Rand
}

// NewStream returns a stream of trials of t from seed, starting at trial 0.
func NewStream(t Task, seed uint64) *Stream {
	src := rand.NewPCG(0, 0)
	return &Stream{task: t, seed: seed, src: src, r: rand.New(src)}
}

// Task returns the stream's task.
func (s *Stream) Task() Task { return s.task }

// Position returns the index of the next trial.
func (s *Stream) Position() int { return s.next }

// Seek makes trial i the next trial.
func (s *Stream) Seek(i int) { s.next = i }

// Next fills dst with the next trial. dst is typically made by NewTrial;
// its side (rate or spiking) is given by its number of columns.
func (s *Stream) Next(dst *Trial) {
	s.Trial(s.next, dst)
	s.next++
}

// Trial fills dst with trial i without moving the stream.
func (s *Stream) Trial(i int, dst *Trial) {
	rng.Reseed(s.src, s.seed, uint64(i))
	dst.Index = i
	dst.Seed = s.r.Uint64()
	Fill(s.task, dst, nil, s.r)
}
