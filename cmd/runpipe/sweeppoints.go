package main

import (
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/sweep"
)

// sweepPoints returns the number of points of the named pipeline's sweep
// with the overrides sets (at most maxPoints, 0 meaning
// sweep.DefaultMaxPoints), or 0 for a pipeline that is not a sweep (it has
// no sweep: block). It compiles every point, so that a point the file
// cannot run is refused here, on the login node, rather than in an array
// task.
func sweepPoints(cfg *pipeline.Config, name string, sets []string, maxPoints int) (int, error) {
	if !sweep.Has(cfg, name) {
		return 0, nil
	}
	s, err := sweep.Load(pipeline.Default(), cfg, sweep.Options{
		CompileOptions: pipeline.CompileOptions{Pipeline: name, Set: sets},
		MaxPoints:      maxPoints,
	})
	if err != nil {
		return 0, err
	}
	return len(s.Points), nil
}
