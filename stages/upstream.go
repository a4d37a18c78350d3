package stages

import (
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"

	"github.com/spikernn/spikernn/pipeline"
)

// upstreamManifests returns the manifests of the stages above job's stage,
// ordered by the time they committed (a stage commits after the stages it
// reads, so this follows the dataflow): those of the stages that ran in this run
// and of those served from the cache. The pipeline gives a stage no list
// of its ancestors, so the stage directories of the pipeline are tried
// one by one: job.UpstreamManifest refuses at once a stage that is not
// upstream (a sink beside this stage, a stage removed from the file), and
// waits for an upstream one to commit. Call it after reading every input.
func upstreamManifests(ctx context.Context, job *pipeline.Job) ([]*pipeline.Manifest, error) {
	entries, err := os.ReadDir(filepath.Join(job.OutputDir(), pipeline.StagesDir))
	if err != nil {
		return nil, err
	}
	var ms []*pipeline.Manifest
	for _, e := range entries {
		if !e.IsDir() || e.Name() == job.Name() {
			continue
		}
		m, err := job.UpstreamManifest(ctx, e.Name())
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			job.Logger().Debug("not an upstream stage with a manifest", "stage", e.Name(), "err", err)
			continue
		}
		ms = append(ms, m)
	}
	sort.SliceStable(ms, func(i, j int) bool {
		if !ms[i].End.Equal(ms[j].End) {
			return ms[i].End.Before(ms[j].End)
		}
		return ms[i].Stage < ms[j].Stage
	})
	return ms, nil
}

// programVersion describes the program: the pipeline's program version
// and, when the binary was built from a version-controlled tree, the
// revision (marked "+dirty" for a modified tree).
func programVersion() string {
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
