package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// ExecOptions configure [Plan.Execute].
type ExecOptions struct {
	// Logger receives the runner's and the stages' logs; nil discards them.
	Logger *slog.Logger
	// Monitor, when not nil, is told when stages start and finish and
	// provides their progress reporters.
	Monitor Monitor
	// Limiter, when not nil, is the core budget the stages' parallel work
	// draws on ([Job.Limiter]); the run itself is taken to hold one of
	// its slots.
	Limiter *Limiter
}

// A Monitor watches a run: `runpipe` implements it with progress bars or
// periodic lines. Its methods are called from the stages' goroutines.
type Monitor interface {
	// StageStarted is called when a stage starts running; the returned
	// Progress (nil for none) receives the stage's reports.
	StageStarted(stage, kind string) Progress
	// StageFinished is called when a running stage has committed or failed.
	StageFinished(r *StageResult)
}

// A Result reports a run.
type Result struct {
	Pipeline string
	// Dir is the pipeline's directory, where its output files are.
	Dir string
	// Stages are in plan order, one per stage of the graph.
	Stages []*StageResult
}

// A StageResult reports one stage of a run.
type StageResult struct {
	Stage, Kind string
	Action      Action
	Reason      string
	// Err is the stage's error; nil for skipped stages and for stages that
	// committed.
	Err error
	// Committed reports whether the stage ran and committed its outputs.
	Committed bool
	Start     time.Time
	Elapsed   time.Duration
	// Busy is the time the stage worked: from its start to the end of its
	// Run, less the time Run waited on its channels (for inputs, and for
	// consumers to take its outputs). Elapsed also counts that waiting and
	// the commit.
	Busy time.Duration
	// Manifest is the committed manifest after the run (the new one for a
	// stage that ran, the cached one for a skipped stage), nil when none.
	Manifest *Manifest
}

// Headline returns the stage's headline figures, from this run or the cache.
func (r *StageResult) Headline() map[string]any {
	if r.Manifest == nil {
		return nil
	}
	return r.Manifest.Headline
}

// execution is the state of one Execute call.
type execution struct {
	plan      *Plan
	committed map[string]chan struct{}
	mu        sync.Mutex
	outputs   map[string]string // published name → stage
}

func (x *execution) claimOutput(name, stage string) (string, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if other, ok := x.outputs[name]; ok && other != stage {
		return other, true
	}
	x.outputs[name] = stage
	return "", false
}

// waitCommitted waits until the named stage has committed or is skipped; a
// commit that has already happened wins over a cancelled ctx.
func (x *execution) waitCommitted(ctx context.Context, stage string) error {
	ch := x.committed[stage]
	select {
	case <-ch:
		return nil
	default:
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		select {
		case <-ch:
			return nil
		default:
			return ctx.Err()
		}
	}
}

// Execute runs the plan: every running stage in its own goroutine under
// one errgroup, cached values of skipped stages loaded for the stages that
// read them. The first error cancels the run and is returned as
// `stage "train" (train-rate): <err>`. A stage commits when its Run returned
// nil and every stage it reads has committed; a stage that failed or was
// cancelled leaves no manifest and no temporary files. Call Execute with
// the workspace locked (see [LockWorkspace]), once per plan.
func (p *Plan) Execute(ctx context.Context, opts ExecOptions) (*Result, error) {
	g := p.Graph
	if p.executed {
		return nil, fmt.Errorf("pipeline: plan for %s executed twice (make a new plan)", g.Pipeline)
	}
	p.executed = true
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if err := os.MkdirAll(filepath.Join(g.Dir, StagesDir), 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if err := g.cleanLeftovers(p); err != nil {
		return nil, err
	}
	x := &execution{plan: p, committed: map[string]chan struct{}{}, outputs: map[string]string{}}
	res := &Result{Pipeline: g.Pipeline, Dir: g.Dir}
	results := map[string]*StageResult{}
	jobs := map[string]*Job{}
	steps := map[string]*Step{}
	for _, st := range p.Steps {
		n := st.Node
		steps[n.Name] = st
		r := &StageResult{Stage: n.Name, Kind: n.Kind, Action: st.Action, Reason: st.Reason}
		results[n.Name] = r
		res.Stages = append(res.Stages, r)
		ch := make(chan struct{})
		x.committed[n.Name] = ch
		if st.Action != Run {
			close(ch)
			if st.UpToDate {
				r.Manifest = st.Manifest
			}
			continue
		}
		j := &Job{
			node: n, graph: g, exec: x, stageDir: g.stageDir(n.Name),
			ins: map[string]*inEndpoint{}, outs: map[string]*outEndpoint{},
			logger: logger.With("stage", n.Name), progress: nopProgress{},
			limiter: opts.Limiter,
		}
		for _, port := range n.Spec.Inputs {
			j.ins[port.Name()] = &inEndpoint{def: port.def()}
		}
		for _, port := range n.Spec.Outputs {
			j.outs[port.Name()] = &outEndpoint{def: port.def()}
		}
		jobs[n.Name] = j
	}

	// Wire the edges of the running stages.
	type load struct {
		step  *Step
		port  string
		edges []*edge
	}
	var loads []*load
	loadOf := map[Source]*load{}
	for _, st := range p.Steps {
		j := jobs[st.Node.Name]
		if j == nil {
			continue
		}
		for _, in := range st.Node.Inputs {
			def := st.Node.Spec.Input(in.Port).def()
			capacity := 1
			if in.Mode == Stream {
				capacity = DefaultBuffer
				if b, ok := st.Node.buffers[in.Port]; ok {
					capacity = b
				}
			}
			e := &edge{ch: def.makeChan(capacity), def: def, producers: len(in.From)}
			for _, src := range in.From {
				e.from = append(e.from, src.String())
			}
			j.ins[in.Port].edge = e
			for _, src := range in.From {
				if up := jobs[src.Stage]; up != nil {
					out := up.outs[src.Port]
					out.edges = append(out.edges, e)
					continue
				}
				l := loadOf[src]
				if l == nil {
					l = &load{step: steps[src.Stage], port: src.Port}
					loadOf[src] = l
					loads = append(loads, l)
				}
				l.edges = append(l.edges, e)
			}
		}
	}

	eg, ectx := errgroup.WithContext(ctx)
	for _, l := range loads {
		eg.Go(func() error {
			n := l.step.Node
			v, err := g.loadValue(l.step, l.port)
			if err != nil {
				for _, e := range l.edges {
					e.done(true)
				}
				return fmt.Errorf("stage %q (%s): load cached value %s.%s: %w (use --from %s to recompute it)", n.Name, n.Kind, n.Name, l.port, err, n.Name)
			}
			for _, e := range l.edges {
				e.def.put(e.ch, v)
				e.done(false)
			}
			return nil
		})
	}
	for _, st := range p.Steps {
		j := jobs[st.Node.Name]
		if j == nil {
			continue
		}
		r := results[st.Node.Name]
		eg.Go(func() error { return x.runJob(ectx, j, r, opts.Monitor) })
	}
	err := eg.Wait()
	return res, err
}

// runJob runs one stage and commits it.
func (x *execution) runJob(ctx context.Context, j *Job, r *StageResult, mon Monitor) (err error) {
	n := j.node
	r.Start = time.Now()
	if mon != nil {
		if pr := mon.StageStarted(n.Name, n.Kind); pr != nil {
			j.progress = pr
		}
	}
	defer func() {
		r.Elapsed = time.Since(r.Start)
		if err != nil {
			j.discard()
			r.Err = err
			err = fmt.Errorf("stage %q (%s): %w", n.Name, n.Kind, err)
			j.logger.Debug("stage failed", "err", r.Err)
		}
		if mon != nil {
			mon.StageFinished(r)
		}
	}()
	if err := os.MkdirAll(j.stageDir, 0o755); err != nil {
		j.closeOutputs(true)
		return fmt.Errorf("pipeline: %w", err)
	}
	tmp, err := os.MkdirTemp(j.stageDir, "tmp-")
	if err != nil {
		j.closeOutputs(true)
		return fmt.Errorf("pipeline: %w", err)
	}
	j.dir = tmp
	j.logger.Debug("stage started", "reason", r.Reason, "key", n.Key[:16])

	err = safeRun(ctx, j)
	r.Busy = max(0, time.Since(r.Start)-time.Duration(j.waited.Load()))
	if err == nil {
		for _, name := range slices.Sorted(maps.Keys(j.outs)) {
			if out := j.outs[name]; out.def.mode == Value && !out.sent {
				err = fmt.Errorf("Run returned without sending value output %q", name)
				break
			}
		}
	}
	j.closeOutputs(err != nil)
	if err != nil {
		if errors.Is(err, ErrUpstreamFailed) {
			// The producer's own error is about to reach the errgroup:
			// let it be the one reported.
			<-ctx.Done()
		}
		return err // the errgroup cancels the run: no need to drain
	}
	for _, in := range j.ins {
		if in.edge != nil && in.def.mode == Stream {
			in.def.drain(ctx, in.edge.ch)
		}
	}
	for _, in := range n.Inputs {
		for _, src := range in.From {
			if err := x.waitCommitted(ctx, src.Stage); err != nil {
				return err
			}
		}
	}
	m, err := j.commit(r.Start, r.Busy)
	if err != nil {
		return err
	}
	r.Manifest, r.Committed = m, true
	close(x.committed[n.Name])
	j.logger.Debug("stage committed", "seconds", m.Seconds)
	return nil
}

// safeRun calls the stage's Run, turning a panic into an error.
func safeRun(ctx context.Context, j *Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return j.node.stage.Run(ctx, j)
}

// closeOutputs closes the stage's output channels.
func (j *Job) closeOutputs(failed bool) {
	for _, out := range j.outs {
		for _, e := range out.edges {
			e.done(failed)
		}
	}
}

// discard removes what a failed stage wrote, except its partial directory.
func (j *Job) discard() {
	if j.dir != "" {
		os.RemoveAll(j.dir)
		j.dir = ""
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range j.created {
		c.f.Close()
		os.Remove(c.tmp)
	}
	j.created = nil
}

// commit saves the stage's values, seals its data directory, moves its
// outputs into place and writes its manifest, last.
func (j *Job) commit(start time.Time, busy time.Duration) (*Manifest, error) {
	n, g := j.node, j.graph
	values := map[string]ValueInfo{}
	for _, name := range slices.Sorted(maps.Keys(j.outs)) {
		out := j.outs[name]
		if out.def.mode != Value {
			continue
		}
		codec := g.env.Codec(out.def.typ)
		if codec == nil {
			j.logger.Debug("value not cached: no codec", "port", name, "type", out.def.typ.String())
			continue
		}
		rel := "values/" + name
		dir := filepath.Join(j.dir, "values", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("pipeline: %w", err)
		}
		if err := codec.save(dir, out.value); err != nil {
			return nil, fmt.Errorf("save value %s (%v) with codec %s: %w", name, out.def.typ, codec.name, err)
		}
		values[name] = ValueInfo{Codec: codec.name, Type: out.def.typ.String(), Dir: rel}
	}
	j.mu.Lock()
	created := j.created
	headline := j.headline
	j.mu.Unlock()
	var outputs []FileInfo
	for _, c := range created {
		if err := c.f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			return nil, fmt.Errorf("close output %s: %w", c.name, err)
		}
		fi, err := describeFile(c.tmp, c.name)
		if err != nil {
			return nil, err
		}
		outputs = append(outputs, fi)
	}
	artifacts, err := sealDir(j.dir)
	if err != nil {
		return nil, err
	}
	data := "data-" + nonce()
	if err := os.Rename(j.dir, filepath.Join(j.stageDir, data)); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	j.dir = filepath.Join(j.stageDir, data) // removed by discard if a later step fails
	if err := syncDir(j.stageDir); err != nil {
		return nil, err
	}
	dirs := map[string]bool{}
	for _, c := range created {
		if err := os.Rename(c.tmp, c.final); err != nil {
			return nil, fmt.Errorf("pipeline: publish %s: %w", c.name, err)
		}
		dirs[filepath.Dir(c.final)] = true
	}
	j.mu.Lock()
	j.created = nil
	j.mu.Unlock()
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		if err := syncDir(d); err != nil {
			return nil, err
		}
	}
	end := time.Now()
	m := &Manifest{
		Pipeline: g.Pipeline, Stage: n.Name, Kind: n.Kind, KindVersion: n.Spec.Version,
		ProgramVersion: ProgramVersion, Key: n.Key, Settings: n.Settings, InputFiles: n.files,
		Start: start.UTC(), End: end.UTC(), Seconds: end.Sub(start).Seconds(), BusySeconds: busy.Seconds(),
		Data: data, Artifacts: artifacts, Outputs: outputs, Values: values, Headline: headline,
	}
	if m.Artifacts == nil {
		m.Artifacts = []FileInfo{}
	}
	if m.Outputs == nil {
		m.Outputs = []FileInfo{}
	}
	for _, in := range n.Inputs {
		mi := ManifestInput{Port: in.Port}
		for _, src := range in.From {
			mi.From = append(mi.From, src.String())
			mi.Keys = append(mi.Keys, g.byName[src.Stage].Key)
		}
		m.Inputs = append(m.Inputs, mi)
	}
	if err := writeManifest(j.stageDir, m); err != nil {
		return nil, err
	}
	j.dir = "" // committed: no longer ours to discard
	// The new outputs are committed; old data and the partial results can go.
	entries, _ := os.ReadDir(j.stageDir)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() && name != data && (strings.HasPrefix(name, "data-") || strings.HasPrefix(name, "partial-")) {
			os.RemoveAll(filepath.Join(j.stageDir, name))
		}
	}
	return m, nil
}

// loadValue loads a cached value output of a skipped stage.
func (g *Graph) loadValue(st *Step, port string) (any, error) {
	m := st.Manifest
	vi, ok := m.Values[port]
	if !ok {
		return nil, fmt.Errorf("not in the manifest")
	}
	t := st.Node.Spec.Output(port).Type()
	codec := g.env.Codec(t)
	if codec == nil {
		return nil, fmt.Errorf("no codec registered for %v", t)
	}
	if codec.name != vi.Codec {
		return nil, fmt.Errorf("saved with codec %s, but the codec for %v is now %s", vi.Codec, t, codec.name)
	}
	return codec.load(filepath.Join(g.stageDir(st.Node.Name), m.Data, filepath.FromSlash(vi.Dir)))
}

// cleanLeftovers removes what killed runs left behind: temporary data
// directories, data directories no manifest refers to, and temporary
// files. Partial directories are kept: they are what resumes a stage.
func (g *Graph) cleanLeftovers(p *Plan) error {
	for _, st := range p.Steps {
		sd := g.stageDir(st.Node.Name)
		entries, err := os.ReadDir(sd)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		keep := ""
		if st.Manifest != nil {
			keep = st.Manifest.Data
		}
		for _, e := range entries {
			name := e.Name()
			stale := (e.IsDir() && strings.HasPrefix(name, "tmp-")) ||
				(e.IsDir() && strings.HasPrefix(name, "data-") && name != keep) ||
				strings.HasSuffix(name, tmpSuffix)
			if stale {
				if err := os.RemoveAll(filepath.Join(sd, name)); err != nil {
					return fmt.Errorf("pipeline: clean %s: %w", sd, err)
				}
			}
		}
	}
	var tmps []string
	err := filepath.WalkDir(g.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() && d.Name() == StagesDir {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), tmpSuffix) {
			tmps = append(tmps, path)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("pipeline: clean %s: %w", g.Dir, err)
	}
	sort.Strings(tmps)
	for _, t := range tmps {
		os.Remove(t)
	}
	return nil
}
