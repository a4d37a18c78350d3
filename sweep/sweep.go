package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spikernn/spikernn/pipeline"
)

// A Sweep is a pipeline with a sweep block, compiled point by point.
type Sweep struct {
	// Pipeline is the pipeline's name; Dir is <workspace>/<pipeline>,
	// where the points' directories and the aggregates are.
	Pipeline, Dir string
	// Matrix is the sweep block, resolved.
	Matrix *Matrix
	// Points are the compiled points, sorted by name.
	Points []*PointRun
	// Base is the pipeline compiled without a point (its params after
	// --set).
	Base *pipeline.Graph
}

// A PointRun is a point with its compiled pipeline.
type PointRun struct {
	*Point
	// Graph is the pipeline compiled with the point's values; its Dir is
	// the point's directory.
	Graph *pipeline.Graph
	// Index is the point's place in the sorted list of all points.
	Index int
}

// Dir returns the point's directory.
func (pr *PointRun) Dir() string { return pr.Graph.Dir }

// Key returns a hash of the keys of every stage of the point's graph: it
// changes whenever something the point computes would change.
func (pr *PointRun) Key() string { return graphKey(pr.Graph) }

func graphKey(g *pipeline.Graph) string {
	keys := make([]string, 0, len(g.Nodes))
	for _, n := range g.Nodes {
		keys = append(keys, n.Name+"="+n.Key)
	}
	sort.Strings(keys)
	h := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return hex.EncodeToString(h[:])
}

// Options select the pipeline and the limit on points.
type Options struct {
	// Pipeline, Set and Workspace are as for the pipeline's own
	// compilation; Set applies to every point and must not name an axis.
	pipeline.CompileOptions
	// MaxPoints refuses a matrix of more points; 0 means
	// DefaultMaxPoints.
	MaxPoints int
}

// Has reports whether the named pipeline of c ("" for the default) carries
// a sweep block.
func Has(c *pipeline.Config, name string) bool {
	if name == "" {
		name = c.DefaultPipeline()
	}
	p := c.Pipeline(name)
	return p != nil && p.Block(BlockName) != nil
}

// Load compiles the sweep of the selected pipeline: the matrix, with its
// ${name} references resolved from the params after --set, and every
// point's pipeline. Problems, in the file or in any point, are returned as
// [pipeline.Diagnostics] and nothing is written.
func Load(env *pipeline.Environment, c *pipeline.Config, opts Options) (*Sweep, error) {
	base, m, err := loadMatrix(env, c, opts)
	if err != nil {
		return nil, err
	}
	p := c.Pipeline(base.Pipeline)
	var d diags
	for _, s := range opts.Set {
		name, _, _ := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		for _, ax := range m.Axes {
			if ax.Name == name {
				d.add(ax.Pos, "--set %s: %s is an axis of the sweep of pipeline %s; change the axis's values in the file (or give them through a param the axis refers to as ${name})", s, name, p.Name)
			}
		}
	}
	if len(d.ds) > 0 {
		return nil, d.ds
	}
	s := &Sweep{Pipeline: base.Pipeline, Dir: base.Dir, Matrix: m, Base: base}
	seen := map[string]bool{}
	for i, pt := range m.Points {
		co := opts.CompileOptions
		co.Pipeline = base.Pipeline
		co.Overrides = pt.Overrides()
		co.Point = pt.Name
		co.SelectedOnly = true // the file was checked with the base
		g, err := env.Compile(c, co)
		if err != nil {
			var pds pipeline.Diagnostics
			if !asDiagnostics(err, &pds) {
				return nil, fmt.Errorf("sweep point %s: %w", pt.Name, err)
			}
			for _, x := range pds {
				msg := "sweep point " + pt.Name + ": " + x.Msg
				if strings.HasPrefix(x.Msg, "sweep point "+pt.Name) {
					msg = x.Msg
				}
				if !seen[x.Pos.String()+msg] && len(d.ds) < pipeline.MaxDiagnostics {
					seen[x.Pos.String()+msg] = true
					d.ds = append(d.ds, pipeline.Diagnostic{Pos: x.Pos, Msg: msg})
				}
			}
			continue
		}
		if rel, err := filepath.Rel(base.Dir, g.Dir); err != nil || !filepath.IsLocal(rel) || strings.Contains(rel, string(filepath.Separator)) {
			d.add(firstPos(pt), "sweep point %s: its directory would not be a sub-directory of %s", pt.Name, base.Dir)
			continue
		}
		s.Points = append(s.Points, &PointRun{Point: pt, Graph: g, Index: i})
	}
	if len(d.ds) > 0 {
		return nil, d.ds
	}
	return s, nil
}

// LoadMatrix resolves the sweep block of the selected pipeline against its
// params after --set, without compiling the points: it is what Load
// checks first, cheaply (runpipe lint counts the points with it).
func LoadMatrix(env *pipeline.Environment, c *pipeline.Config, opts Options) (*Matrix, error) {
	_, m, err := loadMatrix(env, c, opts)
	return m, err
}

func loadMatrix(env *pipeline.Environment, c *pipeline.Config, opts Options) (*pipeline.Graph, *Matrix, error) {
	base, err := env.Compile(c, opts.CompileOptions)
	if err != nil {
		return nil, nil, err
	}
	p := c.Pipeline(base.Pipeline)
	v := p.Block(BlockName)
	if v == nil {
		return nil, nil, fmt.Errorf("sweep: pipeline %s has no sweep block", base.Pipeline)
	}
	maxPoints := opts.MaxPoints
	if maxPoints <= 0 {
		maxPoints = DefaultMaxPoints
	}
	m, ds := parse(c, p, v, base.Params, maxPoints)
	if len(ds) > 0 {
		return nil, nil, ds
	}
	return base, m, nil
}

func asDiagnostics(err error, ds *pipeline.Diagnostics) bool {
	x, ok := err.(pipeline.Diagnostics)
	if ok {
		*ds = x
	}
	return ok
}

// ParseShard reads "I/N" (1 ≤ I ≤ N).
func ParseShard(s string) (i, n int, err error) {
	if _, err := fmt.Sscanf(s, "%d/%d", &i, &n); err != nil || fmt.Sprintf("%d/%d", i, n) != strings.TrimSpace(s) {
		return 0, 0, fmt.Errorf("--shard %q: want I/N, e.g. 2/8", s)
	}
	if n < 1 || i < 1 || i > n {
		return 0, 0, fmt.Errorf("--shard %q: want 1 ≤ I ≤ N", s)
	}
	return i, n, nil
}

// Shard returns the points of shard i of n (1-based): the k-th point in
// name order (k from 0) belongs to shard (k mod n)+1.
func (s *Sweep) Shard(i, n int) []*PointRun {
	var out []*PointRun
	for _, pr := range s.Points {
		if pr.Index%n == i-1 {
			out = append(out, pr)
		}
	}
	return out
}
