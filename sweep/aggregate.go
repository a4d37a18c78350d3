package sweep

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/report"
	"github.com/spikernn/spikernn/sinks"
)

// Aggregate files, in the sweep's directory.
const (
	TableFile       = "sweep.parquet"
	LambdaTableFile = "sweep_lambda.parquet"
)

// SuccessThreshold is the LIF accuracy at which the paper counts a
// conversion successful (Kim et al. 2019: ≥ 95 %).
const SuccessThreshold = 0.95

// A Row is a finished point with its summary.
type Row struct {
	Point   *PointRun
	Summary *report.Summary
	// Seconds is the stages' work time, summed over the summary's stages;
	// WallSeconds the wall time of the run that finished the point.
	Seconds, WallSeconds float64
}

// Axis returns the point's value of an axis param (its pipeline's value
// when the point does not set it, as an included point may not).
func (r *Row) Axis(name string) any { return r.Point.Graph.Params[name] }

// Aggregate is what the finished points of a sweep hold.
type Aggregate struct {
	Sweep *Sweep
	// Rows are the finished points, ordered by their axis values.
	Rows []*Row
	// States are every point's state.
	States []PointState
	// Conditions are the task conditions of the per-condition accuracies,
	// sorted.
	Conditions []string
	// Files are the files written, relative to the sweep's directory.
	Files []string
}

// Collect reads the summaries of the finished points.
func (s *Sweep) Collect() (*Aggregate, error) {
	a := &Aggregate{Sweep: s, States: s.Status()}
	conds := map[string]bool{}
	for i, pr := range s.Points {
		if a.States[i].State != StateDone {
			continue
		}
		path := summaryPath(pr.Graph)
		if path == "" {
			return nil, fmt.Errorf("sweep: pipeline %s has no summary stage: nothing to aggregate", s.Pipeline)
		}
		sum, err := report.ReadSummary(path)
		if err != nil {
			return nil, fmt.Errorf("sweep point %s: %w", pr.Name, err)
		}
		row := &Row{Point: pr, Summary: sum}
		for _, v := range sum.Seconds {
			row.Seconds += v
		}
		if rec, err := readDone(pr.Dir()); err == nil {
			row.WallSeconds = rec.Seconds
		}
		for c := range sum.LIFAccuracyBy {
			conds[c] = true
		}
		a.Rows = append(a.Rows, row)
	}
	for c := range conds {
		a.Conditions = append(a.Conditions, c)
	}
	sort.Strings(a.Conditions)
	sort.SliceStable(a.Rows, func(i, j int) bool {
		for _, ax := range s.Matrix.Axes {
			if c := compareValues(a.Rows[i].Axis(ax.Name), a.Rows[j].Axis(ax.Name)); c != 0 {
				return c < 0
			}
		}
		return a.Rows[i].Point.Name < a.Rows[j].Point.Name
	})
	return a, nil
}

// summaryPath returns the summary.json that a point's summary stage
// writes, "" when the pipeline has none.
func summaryPath(g *pipeline.Graph) string {
	for _, n := range g.Nodes {
		if n.Kind == "summary" {
			p, _ := n.Settings["path"].(string)
			if p == "" {
				p = "summary.json"
			}
			return filepath.Join(g.Dir, p)
		}
	}
	return ""
}

// compareValues orders numbers numerically and anything else by text.
func compareValues(a, b any) int {
	fa, oka := number(a)
	fb, okb := number(b)
	if oka && okb {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	sa, sb := valueText(a), valueText(b)
	switch {
	case sa < sb:
		return -1
	case sa > sb:
		return 1
	}
	return 0
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// valueText formats a value for a string column: lists as JSON ([4,20]).
func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	if s, ok := pipeline.ScalarText(v); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// axisColumn is an axis as a column: int64 when every value is an int,
// float64 when every value is a number, bool, or string.
func (a *Aggregate) axisType(name string) sinks.Type {
	allInt, allNum, allBool := true, true, true
	for _, r := range a.Rows {
		switch r.Axis(name).(type) {
		case int64:
			allBool = false
		case float64:
			allInt, allBool = false, false
		case bool:
			allInt, allNum = false, false
		default:
			allInt, allNum, allBool = false, false, false
		}
	}
	switch {
	case len(a.Rows) == 0:
		return sinks.String
	case allInt:
		return sinks.Int64
	case allNum:
		return sinks.Float64
	case allBool:
		return sinks.Bool
	}
	return sinks.String
}

// dynTable is a table of columns fixed at run time.
type dynTable struct {
	name   string
	schema *sinks.Schema
	cols   []any
}

func (t *dynTable) Name() string          { return t.name }
func (t *dynTable) Schema() *sinks.Schema { return t.schema }
func (t *dynTable) Reset()                {}
func (t *dynTable) Columns(dst []any) []any {
	return append(dst, t.cols...)
}
func (t *dynTable) Len() int {
	if len(t.cols) == 0 {
		return 0
	}
	switch c := t.cols[0].(type) {
	case []int64:
		return len(c)
	case []float64:
		return len(c)
	case []bool:
		return len(c)
	case []string:
		return len(c)
	}
	return 0
}

// tableBuilder builds a dynTable column by column.
type tableBuilder struct {
	cols []sinks.Column
	data []any
}

func (b *tableBuilder) add(name string, typ sinks.Type, data any) {
	b.cols = append(b.cols, sinks.Column{Name: name, Type: typ})
	b.data = append(b.data, data)
}

func (b *tableBuilder) axes(a *Aggregate, rows int, rowOf func(i int) *Row) {
	for _, ax := range a.Sweep.Matrix.Axes {
		typ := a.axisType(ax.Name)
		switch typ {
		case sinks.Int64:
			c := make([]int64, rows)
			for i := range c {
				c[i] = rowOf(i).Axis(ax.Name).(int64)
			}
			b.add(ax.Name, typ, c)
		case sinks.Float64:
			c := make([]float64, rows)
			for i := range c {
				c[i], _ = number(rowOf(i).Axis(ax.Name))
			}
			b.add(ax.Name, typ, c)
		case sinks.Bool:
			c := make([]bool, rows)
			for i := range c {
				c[i] = rowOf(i).Axis(ax.Name).(bool)
			}
			b.add(ax.Name, typ, c)
		default:
			c := make([]string, rows)
			for i := range c {
				c[i] = valueText(rowOf(i).Axis(ax.Name))
			}
			b.add(ax.Name, sinks.String, c)
		}
	}
}

func (b *tableBuilder) table(name string) (*dynTable, error) {
	sc, err := sinks.NewSchema(b.cols...)
	if err != nil {
		return nil, err
	}
	return &dynTable{name: name, schema: sc, cols: b.data}, nil
}

// PointsTable returns sweep.parquet's table: one row per finished point.
func (a *Aggregate) PointsTable() (sinks.Table, error) {
	n := len(a.Rows)
	b := &tableBuilder{}
	b.axes(a, n, func(i int) *Row { return a.Rows[i] })
	point, dir := make([]string, n), make([]string, n)
	converged := make([]bool, n)
	trained := make([]int64, n)
	rateAcc, bestL, lifAcc := make([]float64, n), make([]float64, n), make([]float64, n)
	spikes := make([]int64, n)
	hzE, hzI := make([]float64, n), make([]float64, n)
	secs, wall := make([]float64, n), make([]float64, n)
	byCond := make([][]float64, len(a.Conditions))
	for k := range byCond {
		byCond[k] = make([]float64, n)
	}
	var err error
	for i, r := range a.Rows {
		s := r.Summary
		point[i] = r.Point.Name
		if dir[i], err = filepath.Abs(r.Point.Dir()); err != nil {
			return nil, fmt.Errorf("sweep point %s: %w", r.Point.Name, err)
		}
		converged[i], trained[i] = s.Converged, int64(s.TrialsTrained)
		rateAcc[i], bestL[i], lifAcc[i] = s.RateAccuracy, s.BestLambda, s.LIFAccuracy
		spikes[i], hzE[i], hzI[i] = s.NSpikes, s.RateHzE, s.RateHzI
		secs[i], wall[i] = r.Seconds, r.WallSeconds
		for k, c := range a.Conditions {
			v, ok := s.LIFAccuracyBy[c]
			if !ok {
				v = math.NaN()
			}
			byCond[k][i] = v
		}
	}
	b.add("point", sinks.String, point)
	b.add("converged", sinks.Bool, converged)
	b.add("trials_trained", sinks.Int64, trained)
	b.add("rate_accuracy", sinks.Float64, rateAcc)
	b.add("best_lambda", sinks.Float64, bestL)
	b.add("lif_accuracy", sinks.Float64, lifAcc)
	for k, c := range a.Conditions {
		b.add("lif_accuracy_"+c, sinks.Float64, byCond[k])
	}
	b.add("n_spikes", sinks.Int64, spikes)
	b.add("rate_hz_E", sinks.Float64, hzE)
	b.add("rate_hz_I", sinks.Float64, hzI)
	b.add("seconds", sinks.Float64, secs)
	b.add("wall_seconds", sinks.Float64, wall)
	b.add("dir", sinks.String, dir)
	return b.table("sweep")
}

// LambdaTable returns sweep_lambda.parquet's table: one row per finished
// point and factor searched.
func (a *Aggregate) LambdaTable() (sinks.Table, error) {
	type lrow struct {
		r        *Row
		factor   float64
		accuracy float64
	}
	var rows []lrow
	for _, r := range a.Rows {
		var fs []lrow
		for k, acc := range r.Summary.LambdaAccuracy {
			f, err := strconv.ParseFloat(k, 64)
			if err != nil {
				return nil, fmt.Errorf("sweep point %s: summary.json: lambda_accuracy key %q is not a number", r.Point.Name, k)
			}
			fs = append(fs, lrow{r, f, acc})
		}
		sort.Slice(fs, func(i, j int) bool { return fs[i].factor < fs[j].factor })
		rows = append(rows, fs...)
	}
	n := len(rows)
	b := &tableBuilder{}
	b.axes(a, n, func(i int) *Row { return rows[i].r })
	point := make([]string, n)
	factor, acc := make([]float64, n), make([]float64, n)
	best := make([]bool, n)
	for i, lr := range rows {
		point[i], factor[i], acc[i] = lr.r.Point.Name, lr.factor, lr.accuracy
		best[i] = lr.factor == lr.r.Summary.BestLambda
	}
	b.add("point", sinks.String, point)
	b.add("factor", sinks.Float64, factor)
	b.add("accuracy", sinks.Float64, acc)
	b.add("best", sinks.Bool, best)
	return b.table("sweep_lambda")
}

// Write writes the aggregates into the sweep's directory: sweep.parquet,
// sweep_lambda.parquet, when a point has finished the figures in FigureDir
// (see [Aggregate.Figures]), and ReportFile, which embeds the figures and
// sets the statistics per axis value beside the paper's (PaperQuotes);
// last, it stamps them (see [Aggregate.Stamp]).
func (a *Aggregate) Write() error {
	if err := os.MkdirAll(a.Sweep.Dir, 0o755); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	c := Counts(a.States)
	meta := map[string]string{
		"pipeline":        a.Sweep.Pipeline,
		"points":          strconv.Itoa(len(a.States)),
		"points_done":     strconv.Itoa(c[StateDone]),
		"points_failed":   strconv.Itoa(c[StateFailed]),
		"program_version": strconv.Itoa(pipeline.ProgramVersion),
	}
	for _, tf := range []struct {
		file string
		make func() (sinks.Table, error)
	}{{TableFile, a.PointsTable}, {LambdaTableFile, a.LambdaTable}} {
		t, err := tf.make()
		if err != nil {
			return err
		}
		if err := writeTable(filepath.Join(a.Sweep.Dir, tf.file), t, meta); err != nil {
			return err
		}
		a.Files = append(a.Files, tf.file)
	}
	figs, err := a.writeFigures()
	if err != nil {
		return err
	}
	for _, f := range figs {
		a.Files = append(a.Files, f.File)
	}
	if err := a.writeReport(figs); err != nil {
		return err
	}
	a.Files = append(a.Files, ReportFile)
	return a.Stamp()
}

func writeTable(path string, t sinks.Table, meta map[string]string) error {
	w, err := sinks.CreateParquet(path, t.Schema(), meta, nil)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	defer w.Abort()
	if t.Len() > 0 {
		if err := w.Write(t); err != nil {
			return fmt.Errorf("sweep: %s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("sweep: %s: %w", path, err)
	}
	return nil
}
