package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Training is the record of a rate-network training run.
type Training struct {
	// Losses holds the loss of every training trial.
	Losses []float64
	// EvalTrials holds the trial index of every periodic evaluation, and
	// EvalAccuracy and EvalLoss its accuracy and mean loss.
	EvalTrials   []int
	EvalAccuracy []float64
	EvalLoss     []float64
	// StopLoss and StopAccuracy are the stop rule's thresholds (mean eval
	// loss below StopLoss and accuracy above StopAccuracy); zero hides them.
	StopLoss, StopAccuracy float64
}

// TrainingFigure draws the loss of every trial with the periodic
// evaluation loss (top) and the evaluation accuracy (bottom).
func TrainingFigure(path string, t Training) error {
	if len(t.Losses) == 0 {
		return fmt.Errorf("report: %s: no training losses to plot", path)
	}
	xs := make([]float64, len(t.Losses))
	for i := range xs {
		xs[i] = float64(i)
	}
	n := float64(len(t.Losses))
	top := newPanel("Rate network training", "trial", "loss")
	l, err := line(xs, t.Losses, withAlpha(colorGrey, 0x90), vg.Points(0.6))
	if err != nil {
		return err
	}
	top.add("loss per trial", l)
	ex := make([]float64, len(t.EvalTrials))
	for i, tr := range t.EvalTrials {
		ex[i] = float64(tr)
	}
	if len(ex) > 0 {
		el, pts, err := markedLine(ex, t.EvalLoss, ColorI, vg.Points(1.5), vg.Points(2))
		if err != nil {
			return err
		}
		top.add("mean eval loss", el, pts)
	}
	_, hi := span(t.Losses, t.EvalLoss)
	if t.StopLoss > 0 {
		top.add(fmt.Sprintf("stop: loss < %g", t.StopLoss), hline(t.StopLoss, 0, n, ColorE, true))
		hi = math.Max(hi, t.StopLoss)
	}
	top.p.X.Min, top.p.X.Max = 0, n
	top.p.Y.Min, top.p.Y.Max = 0, hi*1.05

	bottom := newPanel("", "trial", "eval accuracy")
	if len(ex) > 0 {
		al, pts, err := markedLine(ex, t.EvalAccuracy, colorGreen, vg.Points(1.5), vg.Points(2))
		if err != nil {
			return err
		}
		bottom.add("accuracy (100 trials)", al, pts)
	}
	if t.StopAccuracy > 0 {
		bottom.add(fmt.Sprintf("stop: accuracy > %g", t.StopAccuracy), hline(t.StopAccuracy, 0, n, ColorE, true))
	}
	bottom.p.X.Min, bottom.p.X.Max = 0, n
	bottom.p.Y.Min, bottom.p.Y.Max = 0, 1.05
	return render(path, top, bottom)
}

// Lambda is the result of a λ grid search.
type Lambda struct {
	// Factors and Accuracy are the scaling factors searched and the
	// spiking network's accuracy at each.
	Factors, Accuracy []float64
	// Best is the chosen factor (the first maximum).
	Best float64
	// Lower and Upper, when set, are the accuracies' 95 % intervals,
	// drawn as error bars.
	Lower, Upper []float64
	// Trials is the number of trials per factor, shown in the title.
	Trials int
	// Reference optionally holds another accuracy curve over the same
	// factors (for example the reference implementation's), drawn dashed.
	Reference     []float64
	ReferenceName string
}

// LambdaFigure draws accuracy against the scaling factor λ with the best
// factor marked.
func LambdaFigure(path string, l Lambda) error {
	if len(l.Factors) == 0 || len(l.Factors) != len(l.Accuracy) {
		return fmt.Errorf("report: %s: %d factors and %d accuracies", path, len(l.Factors), len(l.Accuracy))
	}
	title := "Scaling factor λ: LIF accuracy"
	if l.Trials > 0 {
		title += fmt.Sprintf(" (%d trials per factor)", l.Trials)
	}
	pn := newPanel(title, "scaling factor λ", "accuracy")
	ln, sc, err := markedLine(l.Factors, l.Accuracy, ColorI, vg.Points(1.5), vg.Points(2.5))
	if err != nil {
		return err
	}
	pn.add("accuracy", ln, sc)
	if len(l.Lower) == len(l.Factors) && len(l.Upper) == len(l.Factors) {
		bars := make(errPoints, len(l.Factors))
		for i := range bars {
			bars[i] = errPoint{x: l.Factors[i], y: l.Accuracy[i], lo: l.Accuracy[i] - l.Lower[i], hi: l.Upper[i] - l.Accuracy[i]}
		}
		eb, err := plotter.NewYErrorBars(bars)
		if err != nil {
			return err
		}
		eb.Color = ColorI
		eb.CapWidth = vg.Points(4)
		pn.add("", eb) // described in the caption
	}
	if len(l.Reference) == len(l.Factors) {
		rl, err := line(l.Factors, l.Reference, colorGrey, vg.Points(1))
		if err != nil {
			return err
		}
		rl.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		name := l.ReferenceName
		if name == "" {
			name = "reference"
		}
		pn.add(name, rl)
	}
	bestAcc := math.NaN()
	for i, f := range l.Factors {
		if f == l.Best {
			bestAcc = l.Accuracy[i]
			break
		}
	}
	pn.p.Add(vline(l.Best, 0, 1.05, ColorE))
	if !math.IsNaN(bestAcc) {
		star, _ := plotter.NewScatter(plotter.XYs{{X: l.Best, Y: bestAcc}})
		star.GlyphStyle = draw.GlyphStyle{Color: ColorE, Radius: vg.Points(4.5), Shape: draw.PyramidGlyph{}}
		pn.add(fmt.Sprintf("best λ = %g (%.2f)", l.Best, bestAcc), star)
	}
	lo, hi := span(l.Factors)
	pn.p.X.Min, pn.p.X.Max = pad(lo, hi, 0.04)
	pn.p.Y.Min, pn.p.Y.Max = 0, 1.05
	return render(path, pn)
}

// errPoint is a point with asymmetric vertical errors, and errPoints
// their plotter.XYer and plotter.YErrorer.
type errPoint struct{ x, y, lo, hi float64 }
type errPoints []errPoint

func (e errPoints) Len() int                    { return len(e) }
func (e errPoints) XY(i int) (float64, float64) { return e[i].x, e[i].y }
func (e errPoints) YError(i int) (float64, float64) {
	return e[i].lo, e[i].hi
}

// Trace is an output trace averaged over the trials of one condition.
type Trace struct {
	// Name is the condition, e.g. "go".
	Name string
	// Mean and SD are the mean and standard deviation over trials of the
	// output at each sample.
	Mean, SD []float64
	// Trials is the number of trials averaged.
	Trials int
}

// Outputs describes the spiking network's output per condition.
type Outputs struct {
	// Title names the figure, e.g. "go-nogo LIF output (λ = 30)".
	Title string
	// DT is the sampling interval of the traces in seconds.
	DT float64
	// Traces holds one trace per condition.
	Traces []Trace
	// Stimulus lists the stimulus windows [on, off) in seconds.
	Stimulus [][2]float64
	// Thresholds are the decision thresholds drawn as dashed lines.
	Thresholds []float64
	// ScoreFrom is the time in seconds from which the output is scored.
	ScoreFrom float64
}

// maxPoints bounds the samples drawn per line; longer traces are
// decimated by taking every k-th sample.
const maxPoints = 2000

func timeAxis(n int, dt float64) (idx []int, ts []float64) {
	step := max(1, n/maxPoints)
	for i := 0; i < n; i += step {
		idx = append(idx, i)
		ts = append(ts, float64(i+1)*dt)
	}
	return idx, ts
}

func pick(xs []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = xs[i]
	}
	return out
}

// OutputsFigure draws the mean ± SD of the output per condition over time,
// with the stimulus windows shaded and the thresholds dashed.
func OutputsFigure(path string, o Outputs) error {
	if len(o.Traces) == 0 || o.DT <= 0 {
		return fmt.Errorf("report: %s: no output traces (or dt ≤ 0) to plot", path)
	}
	pn := newPanel(o.Title, "time (s)", "network output")
	type series struct {
		name string
		env  *plotter.Polygon
		mean *plotter.Line
	}
	var all []series
	var lo, hi []float64
	var tmax float64
	for k, tr := range o.Traces {
		idx, ts := timeAxis(len(tr.Mean), o.DT)
		mean := pick(tr.Mean, idx)
		c := seriesColors[k%len(seriesColors)]
		var s series
		if len(tr.SD) == len(tr.Mean) {
			sd := pick(tr.SD, idx)
			l, h := make([]float64, len(mean)), make([]float64, len(mean))
			for i := range mean {
				l[i], h[i] = mean[i]-sd[i], mean[i]+sd[i]
			}
			env, err := envelope(ts, l, h, withAlpha(c, 0x40))
			if err != nil {
				return err
			}
			s.env = env
			lo, hi = append(lo, l...), append(hi, h...)
		}
		ln, err := line(ts, mean, c, vg.Points(1.5))
		if err != nil {
			return err
		}
		s.mean = ln
		s.name = tr.Name + " (mean ± SD"
		if tr.Trials > 0 {
			s.name += fmt.Sprintf(", %d trials", tr.Trials)
		}
		s.name += ")"
		all = append(all, s)
		lo, hi = append(lo, mean...), append(hi, mean...)
		tmax = math.Max(tmax, float64(len(tr.Mean))*o.DT)
	}
	ymin, ymax := span(lo, hi, o.Thresholds)
	ymin, ymax = pad(ymin, ymax, 0.05)
	// Background first: stimulus windows, then the SD envelopes, then the
	// lines on top.
	pn.stimulus(o.Stimulus, ymin, ymax)
	for _, s := range all {
		if s.env != nil {
			pn.p.Add(s.env)
		}
	}
	for _, s := range all {
		pn.add(s.name, s.mean)
	}
	for i, th := range o.Thresholds {
		name := ""
		if i == 0 {
			name = "decision thresholds"
		}
		pn.add(name, hline(th, 0, tmax, colorGrey, true))
	}
	if o.ScoreFrom > 0 {
		pn.add("scored from", vline(o.ScoreFrom, ymin, ymax, colorPurple))
	}
	pn.p.X.Min, pn.p.X.Max = 0, tmax
	pn.p.Y.Min, pn.p.Y.Max = ymin, ymax
	return render(path, pn)
}

// Raster is the spikes of one trial.
type Raster struct {
	// Title names the trial, e.g. "go trial 3".
	Title string
	// Times (seconds) and Neurons (0-based) list every spike.
	Times   []float64
	Neurons []int
	// Inh marks inhibitory units (len N); the others are excitatory.
	Inh []bool
	// Duration is the trial length in seconds.
	Duration float64
}

// RasterFigure draws one spike raster per trial, stacked, excitatory units
// in red and inhibitory units in blue.
func RasterFigure(path string, rs ...Raster) error {
	if len(rs) == 0 {
		return fmt.Errorf("report: %s: no rasters to plot", path)
	}
	panels := make([]*panel, len(rs))
	for k, r := range rs {
		if len(r.Times) != len(r.Neurons) {
			return fmt.Errorf("report: %s: raster %q has %d times and %d neurons", path, r.Title, len(r.Times), len(r.Neurons))
		}
		xlabel := ""
		if k == len(rs)-1 {
			xlabel = "time (s)"
		}
		pn := newPanel(r.Title, xlabel, "neuron")
		var e, i plotter.XYs
		for s, t := range r.Times {
			n := r.Neurons[s]
			pt := plotter.XY{X: t, Y: float64(n)}
			if n >= 0 && n < len(r.Inh) && r.Inh[n] {
				i = append(i, pt)
			} else {
				e = append(e, pt)
			}
		}
		for _, g := range []struct {
			name string
			pts  plotter.XYs
			c    color.Color
		}{{"excitatory", e, ColorE}, {"inhibitory", i, ColorI}} {
			c := g.c
			name := fmt.Sprintf("%s (%d spikes)", g.name, len(g.pts))
			if len(g.pts) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(g.pts)
			if err != nil {
				return err
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(0.8), Shape: draw.BoxGlyph{}}
			pn.add(name, sc)
		}
		pn.p.X.Min, pn.p.X.Max = 0, r.Duration
		pn.p.Y.Min, pn.p.Y.Max = -1, float64(len(r.Inh))
		panels[k] = pn
	}
	return render(path, panels...)
}

// FiringRates holds the mean firing rate (Hz) of every excitatory and
// inhibitory unit.
type FiringRates struct {
	Title string
	E, I  []float64
}

// RatesFigure draws the distributions of the firing rates of excitatory
// and inhibitory units as overlaid histograms.
func RatesFigure(path string, fr FiringRates) error {
	if len(fr.E)+len(fr.I) == 0 {
		return fmt.Errorf("report: %s: no firing rates to plot", path)
	}
	_, hi := span(fr.E, fr.I)
	hi = math.Max(hi, 1)
	const bins = 30
	width := hi / bins
	pn := newPanel(fr.Title, "firing rate (Hz)", "units")
	var ymax float64
	for _, g := range []struct {
		name string
		xs   []float64
		c    color.Color
	}{{"excitatory", fr.E, ColorE}, {"inhibitory", fr.I, ColorI}} {
		if len(g.xs) == 0 {
			continue
		}
		c := g.c
		counts := make([]float64, bins)
		var sum float64
		for _, x := range g.xs {
			b := min(int(x/width), bins-1)
			counts[max(b, 0)]++
			sum += x
		}
		// Step outline of the histogram, bins of width hi/bins.
		var pts plotter.XYs
		for b, n := range counts {
			pts = append(pts, plotter.XY{X: float64(b) * width, Y: n}, plotter.XY{X: float64(b+1) * width, Y: n})
			ymax = math.Max(ymax, n)
		}
		poly, err := plotter.NewPolygon(append(plotter.XYs{{X: 0, Y: 0}}, append(pts, plotter.XY{X: hi, Y: 0})...))
		if err != nil {
			return err
		}
		poly.Color = withAlpha(c, 0x50)
		poly.LineStyle.Color = c
		poly.LineStyle.Width = vg.Points(1)
		pn.add(fmt.Sprintf("%s: %d units, mean %.1f Hz", g.name, len(g.xs), sum/float64(len(g.xs))), poly)
	}
	pn.p.X.Min, pn.p.X.Max = 0, hi
	pn.p.Y.Min, pn.p.Y.Max = 0, ymax*1.08+0.5
	return render(path, pn)
}

// Overlay holds the rate network's and the spiking network's outputs for
// the same stimulus.
type Overlay struct {
	// Title names the trial, e.g. "go trial: rate vs LIF".
	Title string
	// Rate is the rate network's output, one value per step of RateDT
	// seconds; its first value is at time RateDT.
	Rate   []float64
	RateDT float64
	// Spiking is the LIF output, one value per step of SpikingDT seconds.
	Spiking   []float64
	SpikingDT float64
	// Stimulus lists the stimulus windows [on, off) in seconds.
	Stimulus [][2]float64
	// Thresholds are drawn dashed.
	Thresholds []float64
}

// OverlayFigure draws the rate and spiking outputs of one stimulus on a
// common time axis.
func OverlayFigure(path string, o Overlay) error {
	if len(o.Rate) == 0 || len(o.Spiking) == 0 || o.RateDT <= 0 || o.SpikingDT <= 0 {
		return fmt.Errorf("report: %s: need both outputs and their time steps", path)
	}
	pn := newPanel(o.Title, "time (s)", "network output")
	ridx, rts := timeAxis(len(o.Rate), o.RateDT)
	sidx, sts := timeAxis(len(o.Spiking), o.SpikingDT)
	rate, spk := pick(o.Rate, ridx), pick(o.Spiking, sidx)
	ymin, ymax := span(rate, spk, o.Thresholds)
	ymin, ymax = pad(ymin, ymax, 0.05)
	tmax := math.Max(float64(len(o.Rate))*o.RateDT, float64(len(o.Spiking))*o.SpikingDT)
	pn.stimulus(o.Stimulus, ymin, ymax)
	sl, err := line(sts, spk, ColorE, vg.Points(1.2))
	if err != nil {
		return err
	}
	pn.add("LIF network", sl)
	rl, err := line(rts, rate, ColorI, vg.Points(2))
	if err != nil {
		return err
	}
	pn.add("rate network", rl)
	for i, th := range o.Thresholds {
		name := ""
		if i == 0 {
			name = "decision thresholds"
		}
		pn.add(name, hline(th, 0, tmax, colorGrey, true))
	}
	pn.p.X.Min, pn.p.X.Max = 0, tmax
	pn.p.Y.Min, pn.p.Y.Max = ymin, ymax
	return render(path, pn)
}
