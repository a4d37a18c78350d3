package sweep

import (
	"fmt"
	"math"
	"path/filepath"
	"regexp"

	"github.com/spikernn/spikernn/report"
)

// FigureDir is the directory of the sweep's figures, in the sweep's
// directory.
const FigureDir = "figures"

// ReplicateAxis is the axis whose points are samples of the others: the
// figures and the report summarise the networks per value of every other
// axis, pooling the seeds (a sweep over the seed alone is summarised per
// seed).
const ReplicateAxis = "seed"

// ValueStats summarises the finished points of one value of an axis, the
// other axes pooled.
type ValueStats struct {
	// Value is the axis value as text ("sigmoid", "200", "[4,20]").
	Value string
	// Accuracies are the LIF accuracies of the value's finished points, in
	// the aggregate's row order; Rate their rate networks' accuracies.
	Accuracies, Rate []float64
	// Successes counts the points with LIF accuracy ≥ SuccessThreshold,
	// Converged those whose rate training met its stop rule.
	Successes, Converged int
	// Mean and SD are the mean and sample standard deviation (n − 1) of
	// the LIF accuracies; SD is NaN below two points, both are NaN with
	// none.
	Mean, SD float64
}

// Points returns the number of finished points of the value.
func (v *ValueStats) Points() int { return len(v.Accuracies) }

// SuccessFraction returns Successes / Points, NaN with no point.
func (v *ValueStats) SuccessFraction() float64 {
	if len(v.Accuracies) == 0 {
		return math.NaN()
	}
	return float64(v.Successes) / float64(len(v.Accuracies))
}

// AxisStats are the statistics of every value of one axis.
type AxisStats struct {
	Axis   string
	Values []*ValueStats
}

// meanSD returns the mean and the sample standard deviation of xs.
func meanSD(xs []float64) (mean, sd float64) {
	n := float64(len(xs))
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= n
	if n < 2 {
		return mean, math.NaN()
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / (n - 1))
}

// summaryAxes returns the axes the figures and the report summarise: every
// axis but ReplicateAxis, or ReplicateAxis when it is the only one.
func (a *Aggregate) summaryAxes() []*Axis {
	var out []*Axis
	for _, ax := range a.Sweep.Matrix.Axes {
		if ax.Name != ReplicateAxis {
			out = append(out, ax)
		}
	}
	if len(out) == 0 {
		return a.Sweep.Matrix.Axes
	}
	return out
}

// Stats returns, for every summarised axis (all but ReplicateAxis), the
// LIF accuracy of the finished points per axis value: the values in the
// axis's order (with none finished too), then any value only an included
// point has.
func (a *Aggregate) Stats() []AxisStats {
	var out []AxisStats
	for _, ax := range a.summaryAxes() {
		st := AxisStats{Axis: ax.Name}
		byValue := map[string]*ValueStats{}
		value := func(text string) *ValueStats {
			if v := byValue[text]; v != nil {
				return v
			}
			v := &ValueStats{Value: text}
			byValue[text] = v
			st.Values = append(st.Values, v)
			return v
		}
		for _, v := range ax.Values {
			value(valueText(v.V))
		}
		for _, r := range a.Rows {
			v := value(valueText(r.Axis(ax.Name)))
			v.Accuracies = append(v.Accuracies, r.Summary.LIFAccuracy)
			v.Rate = append(v.Rate, r.Summary.RateAccuracy)
			if r.Summary.LIFAccuracy >= SuccessThreshold {
				v.Successes++
			}
			if r.Summary.Converged {
				v.Converged++
			}
		}
		for _, v := range st.Values {
			v.Mean, v.SD = meanSD(v.Accuracies)
		}
		out = append(out, st)
	}
	return out
}

// unsafeFileChars are replaced in an axis name used in a file name.
var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

// A SweepFigure is a figure of the sweep, relative to its directory.
type SweepFigure struct {
	// File is relative to the sweep's directory; Title and Caption are
	// shown in the report.
	File, Title, Caption string
	// Axis is the axis the figure is over ("" for the scatter).
	Axis string
	kind figureKind
}

type figureKind int

const (
	figAccuracy figureKind = iota
	figSuccess
	figScatter
)

// Figures lists the figures writeFigures draws for the aggregate's axes.
func (a *Aggregate) Figures() []SweepFigure {
	if len(a.Rows) == 0 {
		return nil
	}
	var out []SweepFigure
	pct := fmt.Sprintf("%g %%", SuccessThreshold*100)
	for _, ax := range a.summaryAxes() {
		name := unsafeFileChars.ReplaceAllString(ax.Name, "_")
		out = append(out,
			SweepFigure{
				File:    filepath.Join(FigureDir, "lif_accuracy_"+name+".png"),
				Title:   "LIF accuracy per " + ax.Name,
				Caption: "Every network's LIF accuracy at its best λ, per value of " + ax.Name + " (other axes pooled): box of quartiles and median, one dot per network; dashed: the success line at " + pct + ".",
				Axis:    ax.Name,
				kind:    figAccuracy,
			},
			SweepFigure{
				File:    filepath.Join(FigureDir, "success_"+name+".png"),
				Title:   "Successful conversions per " + ax.Name,
				Caption: "Fraction of the networks of each value of " + ax.Name + " whose LIF accuracy is ≥ " + pct + " (the paper's success criterion), with the counts.",
				Axis:    ax.Name,
				kind:    figSuccess,
			})
	}
	return append(out, SweepFigure{
		File:    filepath.Join(FigureDir, "rate_vs_lif.png"),
		Title:   "Rate vs LIF accuracy",
		Caption: "Each network's LIF accuracy against its rate network's; on the diagonal the conversion loses nothing; dashed: the success line at " + pct + ".",
		kind:    figScatter,
	})
}

// writeFigures draws the aggregate's figures into the sweep's directory
// and returns their descriptions; with no finished point it draws none.
func (a *Aggregate) writeFigures() ([]SweepFigure, error) {
	figs := a.Figures()
	if len(figs) == 0 {
		return nil, nil
	}
	stats := map[string]AxisStats{}
	all := a.Stats()
	for _, st := range all {
		stats[st.Axis] = st
	}
	for _, f := range figs {
		path := filepath.Join(a.Sweep.Dir, f.File)
		var err error
		switch f.kind {
		case figScatter:
			err = report.RateLIFFigure(path, a.rateLIF(all))
		case figSuccess:
			err = report.SuccessFigure(path, successFractions(a.Sweep.Pipeline, stats[f.Axis]))
		default:
			err = report.GroupedAccuracyFigure(path, groupedAccuracy(a.Sweep.Pipeline, stats[f.Axis]))
		}
		if err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
	}
	return figs, nil
}

func groupedAccuracy(pipeline string, st AxisStats) report.GroupedAccuracy {
	g := report.GroupedAccuracy{
		Title:   fmt.Sprintf("%s: LIF accuracy per %s", pipeline, st.Axis),
		Axis:    st.Axis,
		Success: SuccessThreshold,
	}
	for _, v := range st.Values {
		g.Groups = append(g.Groups, report.Group{Label: v.Value, Values: v.Accuracies})
	}
	return g
}

func successFractions(pipeline string, st AxisStats) report.SuccessFractions {
	s := report.SuccessFractions{
		Title:   fmt.Sprintf("%s: successful conversions per %s", pipeline, st.Axis),
		Axis:    st.Axis,
		Success: SuccessThreshold,
	}
	for _, v := range st.Values {
		s.Labels = append(s.Labels, v.Value)
		s.Successes = append(s.Successes, v.Successes)
		s.Counts = append(s.Counts, v.Points())
	}
	return s
}

// rateLIF colours the scatter by the first summarised axis.
func (a *Aggregate) rateLIF(all []AxisStats) report.RateLIF {
	r := report.RateLIF{Title: a.Sweep.Pipeline + ": rate vs LIF accuracy", Success: SuccessThreshold}
	if len(all) == 0 {
		return r
	}
	st := all[0]
	for _, v := range st.Values {
		if v.Points() == 0 {
			continue
		}
		r.Series = append(r.Series, report.ScatterSeries{Label: st.Axis + " = " + v.Value, X: v.Rate, Y: v.Accuracies})
	}
	return r
}
