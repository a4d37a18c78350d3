package main

import (
	"fmt"

	"github.com/spikernn/spikernn/pipeline"
)

// sweepPoints returns the number of points of the named pipeline's sweep
// with the overrides sets, or 0 for a pipeline that is not a sweep (it has
// no sweep: block). A sweep: block is accepted by lint only once a package
// registers it (issue 10); this build cannot expand one.
func sweepPoints(cfg *pipeline.Config, name string, sets []string) (int, error) {
	p := cfg.Pipeline(name)
	if p == nil || p.Block("sweep") == nil {
		return 0, nil
	}
	return 0, fmt.Errorf("pipeline %s: this build of runpipe cannot expand a sweep: block", name)
}
