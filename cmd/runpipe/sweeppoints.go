package main

import (
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/sweep"
)

// submitSweep loads the named pipeline's sweep with the overrides sets (at
// most maxPoints points, 0 meaning sweep.DefaultMaxPoints), or returns nil
// for a pipeline that is not a sweep (it has no sweep: block). It compiles
// every point, so that a point the file cannot run is refused here, on the
// login node, rather than in an array task.
func submitSweep(cfg *pipeline.Config, name string, sets []string, maxPoints int) (*sweep.Sweep, error) {
	if !sweep.Has(cfg, name) {
		return nil, nil
	}
	return sweep.Load(pipeline.Default(), cfg, sweep.Options{
		CompileOptions: pipeline.CompileOptions{Pipeline: name, Set: sets},
		MaxPoints:      maxPoints,
	})
}
