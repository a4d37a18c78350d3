package items

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/sinks"
)

// OutputPath reserves the user-facing output file name (relative to the
// pipeline directory) with job.CreateOutput and returns the path of its
// temporary file, for writers that take a path and replace the file there
// atomically (rate.Model.Save, sinks.CreateParquet, report.WriteSummary).
// The runner moves whatever is at that path into place when the stage
// commits, and removes it when the stage fails.
func OutputPath(job *pipeline.Job, name string) (string, error) {
	f, err := job.CreateOutput(name)
	if err != nil {
		return "", err
	}
	p := f.Name()
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("output %s: %w", name, err)
	}
	return p, nil
}

// FileMetadata returns the key/value metadata of the files a stage writes:
// its provenance (pipeline, stage, kind, cache key, program version, params
// and settings as JSON), every pipeline parameter on its own as
// "param.NAME", so that a reader can filter on one without parsing JSON,
// and the entries of extra.
func FileMetadata(job *pipeline.Job, extra map[string]string) map[string]string {
	meta := job.Provenance()
	for k, v := range job.Params() {
		meta["param."+k] = formatParam(v)
	}
	for k, v := range extra {
		meta[k] = v
	}
	return meta
}

// formatParam formats a parameter value for metadata.
func formatParam(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatParam(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + formatParam(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// WriteTable writes one batch of a table as a Parquet output file of the
// stage (name relative to the pipeline directory), with the stage's
// metadata.
func WriteTable(job *pipeline.Job, name string, t sinks.Table, extra map[string]string) error {
	path, err := OutputPath(job, name)
	if err != nil {
		return err
	}
	w, err := sinks.CreateParquet(path, t.Schema(), FileMetadata(job, extra), nil)
	if err != nil {
		return err
	}
	defer w.Abort()
	if err := w.Write(t); err != nil {
		return err
	}
	return w.Close()
}
