package items

import (
	"context"
	"runtime/debug"
	"strconv"

	"github.com/spikernn/spikernn/pipeline"
)

// UpstreamManifests returns the manifests of the stages above job's stage,
// in topological order: those that ran in this run and those served from
// the cache. It waits for each to commit, so call it after reading every
// input.
func UpstreamManifests(ctx context.Context, job *pipeline.Job) ([]*pipeline.Manifest, error) {
	var ms []*pipeline.Manifest
	for _, name := range job.Upstream() {
		m, err := job.UpstreamManifest(ctx, name)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			// A stage left out by --only/--until has no manifest: the
			// summary reports what there is.
			job.Logger().Debug("upstream stage without a manifest", "stage", name, "err", err)
			continue
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// ProgramVersion describes the program: the pipeline's program version
// and, when the binary was built from a version-controlled tree, the
// revision (marked "+dirty" for a modified tree).
func ProgramVersion() string {
	v := "program " + strconv.Itoa(pipeline.ProgramVersion)
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		v += ", " + rev[:min(len(rev), 12)] + dirty
	}
	return v
}
