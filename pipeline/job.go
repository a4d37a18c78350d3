package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
)

// Progress receives a running stage's progress reports. The runner hands
// each stage one through [Job.Progress]; `runpipe` shows it as a bar on a
// terminal and as periodic lines otherwise. All methods are safe for
// concurrent use and cheap (an atomic update), but report per item of work
// (a trial, a factor), not per spike.
type Progress interface {
	// Total sets the amount of work and its unit ("trials"); 0 means
	// unknown.
	Total(n int64, unit string)
	// Add records k more units done.
	Add(k int64)
	// Set records that i units are done.
	Set(i int64)
	// Status sets a short status text ("epoch 3, loss 0.21").
	Status(s string)
}

type nopProgress struct{}

func (nopProgress) Total(int64, string) {}
func (nopProgress) Add(int64)           {}
func (nopProgress) Set(int64)           {}
func (nopProgress) Status(string)       {}

// A Job is one execution of a stage: its typed channels (reached through
// the kind's port variables), logger, progress reporter, directories and
// headline figures. The runner makes one per running stage and passes it to
// [Stage.Run].
type Job struct {
	node     *Node
	graph    *Graph
	exec     *execution
	ins      map[string]*inEndpoint
	outs     map[string]*outEndpoint
	logger   *slog.Logger
	progress Progress
	dir      string // the temporary data directory, committed on success
	stageDir string
	limiter  *Limiter

	// waited counts the nanoseconds Run spent blocked on its channels:
	// reading inputs not yet there, sending to consumers that are behind.
	waited atomic.Int64

	mu       sync.Mutex
	headline map[string]any
	created  []*createdOutput
	partial  string
}

type inEndpoint struct {
	def   *portDef
	edge  *edge // nil when not connected
	mu    sync.Mutex
	got   bool
	value any
}

type outEndpoint struct {
	def   *portDef
	edges []*edge // running consumers only
	mu    sync.Mutex
	sent  bool
	value any
}

type createdOutput struct {
	name, tmp, final string
	f                *os.File
}

// input returns the endpoint of an input port; using a port that the
// kind's spec does not declare is a programming error and panics.
func (j *Job) input(d *portDef) *inEndpoint {
	in := j.ins[d.name]
	if in == nil || in.def != d {
		panic(fmt.Sprintf("pipeline: stage %q (kind %s) has no input port %q declared by this variable", j.node.Name, j.node.Kind, d.name))
	}
	return in
}

func (j *Job) output(d *portDef) *outEndpoint {
	out := j.outs[d.name]
	if out == nil || out.def != d {
		panic(fmt.Sprintf("pipeline: stage %q (kind %s) has no output port %q declared by this variable", j.node.Name, j.node.Kind, d.name))
	}
	return out
}

// Name returns the stage's name.
func (j *Job) Name() string { return j.node.Name }

// Kind returns the stage's kind.
func (j *Job) Kind() string { return j.node.Kind }

// Key returns the stage's cache key.
func (j *Job) Key() string { return j.node.Key }

// Pipeline returns the pipeline's name.
func (j *Job) Pipeline() string { return j.graph.Pipeline }

// Settings returns the stage's resolved settings (as recorded in its
// manifest), for provenance such as Parquet key/value metadata.
func (j *Job) Settings() map[string]any { return j.node.Settings }

// Params returns the pipeline's parameters (after --set overrides).
func (j *Job) Params() map[string]any { return j.graph.Params }

// Provenance returns what identifies this stage's outputs, as text for
// file metadata (Parquet key/value metadata, .mat headers): "pipeline",
// "stage", "kind", "cache_key", "program_version", and "params" and
// "settings" as canonical JSON.
func (j *Job) Provenance() map[string]string {
	params, _ := canonicalJSON(j.graph.Params)
	settings, _ := canonicalJSON(j.node.Settings)
	return map[string]string{
		"pipeline":        j.graph.Pipeline,
		"stage":           j.node.Name,
		"kind":            j.node.Kind,
		"cache_key":       j.node.Key,
		"program_version": strconv.Itoa(ProgramVersion),
		"params":          string(params),
		"settings":        string(settings),
	}
}

// Limiter returns the run's core budget ([ExecOptions].Limiter), nil when
// the run has none. A stage that works in parallel runs its first worker
// on the run's own slot and takes a slot from the limiter for every other
// worker while it works (see [Limiter]); a nil limiter grants every
// request at once.
func (j *Job) Limiter() *Limiter { return j.limiter }

// Logger returns the stage's logger (with a "stage" attribute).
func (j *Job) Logger() *slog.Logger { return j.logger }

// Progress returns the stage's progress reporter.
func (j *Job) Progress() Progress { return j.progress }

// Dir returns the stage's private artifact directory. Files written there
// are committed atomically with the stage when Run returns nil (and
// discarded otherwise) and recorded in its manifest.
func (j *Job) Dir() string { return j.dir }

// BaseDir returns the directory of the pipeline file, against which
// relative paths in settings are resolved (File settings already arrive
// absolute).
func (j *Job) BaseDir() string { return j.graph.BaseDir }

// OutputDir returns the pipeline's directory, <workspace>/<pipeline>, where
// the files made with [Job.CreateOutput] appear.
func (j *Job) OutputDir() string { return j.graph.Dir }

// PartialDir returns the stage's persistent scratch directory for its
// current cache key, creating it: <pipeline dir>/.stages/<stage>/partial-<key>.
// Unlike [Job.Dir] it survives a failed, interrupted or killed run, so a
// long stage can save each finished part there (atomically, with
// [WriteFileAtomic]) and, when run again with the same key, skip the parts
// already saved. It is removed after the stage commits.
func (j *Job) PartialDir() (string, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.partial == "" {
		dir := filepath.Join(j.stageDir, "partial-"+j.node.Key[:16])
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("pipeline: %w", err)
		}
		j.partial = dir
	}
	return j.partial, nil
}

// CreateOutput creates a user-facing output file, name being a path
// relative to the pipeline directory ("spikes.parquet", "plots/psth.png").
// The file is written under a temporary name and moved into place when the
// stage commits, replacing the previous version only then; if the stage
// fails it is removed. The runner syncs it and records its size and
// SHA-256 in the manifest; the caller may close it or leave that to the
// runner.
func (j *Job) CreateOutput(name string) (*os.File, error) {
	if msg := checkOutputPath(name); msg != "" {
		return nil, fmt.Errorf("pipeline: stage %s: %s", j.node.Name, msg)
	}
	final := filepath.Join(j.graph.Dir, name)
	if err := insideDir(j.graph.Dir, filepath.Dir(final)); err != nil {
		return nil, fmt.Errorf("pipeline: stage %s: output %q: %w", j.node.Name, name, err)
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range j.created {
		if c.name == filepath.Clean(name) {
			return nil, fmt.Errorf("pipeline: output %q created twice", name)
		}
	}
	if other, taken := j.exec.claimOutput(filepath.Clean(name), j.node.Name); taken {
		return nil, fmt.Errorf("pipeline: output %q is already written by stage %s", name, other)
	}
	f, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".*"+tmpSuffix)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	j.created = append(j.created, &createdOutput{name: filepath.Clean(name), tmp: f.Name(), final: final, f: f})
	return f, nil
}

// Headline records a headline figure of the stage (an accuracy, a count),
// kept in its manifest and printed by `runpipe` at the end of a run. v
// should be a number, string or bool; numbers are kept as float64 (also
// when read back from the manifest), non-finite ones as text.
func (j *Job) Headline(name string, v any) {
	n, err := normalize(v)
	if err != nil {
		n = fmt.Sprint(v)
	}
	if i, ok := n.(int64); ok {
		n = float64(i)
	}
	if f, ok := n.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
		n = fmtNum(f)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.headline == nil {
		j.headline = map[string]any{}
	}
	j.headline[name] = n
}

// Upstream returns the names of the stages this stage reads, directly or
// through others, in topological order. With [Job.UpstreamManifest] a
// stage such as a summary collects the figures of everything above it.
func (j *Job) Upstream() []string {
	var names []string
	for _, n := range j.graph.Nodes {
		if n.Name != j.node.Name && j.graph.isUpstream(n.Name, j.node.Name) {
			names = append(names, n.Name)
		}
	}
	return names
}

// UpstreamManifest waits until the named stage, which must be upstream of
// this one, has committed (or is up to date), and returns its manifest. A
// stage such as a summary uses it to read the headline figures and timings
// of the stages above it. Read all your inputs before calling it: a
// producer cannot commit while its stream to you is full.
func (j *Job) UpstreamManifest(ctx context.Context, stage string) (*Manifest, error) {
	if !j.graph.isUpstream(stage, j.node.Name) {
		return nil, fmt.Errorf("pipeline: UpstreamManifest(%q): not upstream of stage %s", stage, j.node.Name)
	}
	if err := j.exec.waitCommitted(ctx, stage); err != nil {
		return nil, err
	}
	m, err := j.graph.Manifest(stage)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("pipeline: stage %s has no manifest (it did not run: use --until or no selection)", stage)
	}
	return m, err
}

// isUpstream reports whether stage a is (transitively) read by stage b.
func (g *Graph) isUpstream(a, b string) bool {
	seen := map[string]bool{}
	var walk func(n *Node) bool
	walk = func(n *Node) bool {
		for _, in := range n.Inputs {
			for _, src := range in.From {
				if src.Stage == a {
					return true
				}
				if !seen[src.Stage] {
					seen[src.Stage] = true
					if walk(g.byName[src.Stage]) {
						return true
					}
				}
			}
		}
		return false
	}
	n := g.byName[b]
	return n != nil && walk(n)
}
