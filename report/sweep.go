package report

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The figures of a sweep: many networks, one accuracy each (Kim, Li &
// Sejnowski 2019, Fig. 2 and the SI's figures over the activation, the
// network size and the synaptic decay).

// A Group is the networks of one value of a sweep axis.
type Group struct {
	// Label names the value, e.g. "sigmoid" or "200".
	Label string
	// Values are the networks' LIF accuracies (0…1), in a stable order.
	Values []float64
}

// GroupedAccuracy is the LIF accuracy of the networks of every value of
// one axis.
type GroupedAccuracy struct {
	// Title names the figure; Axis is the swept param, the x label.
	Title, Axis string
	Groups      []Group
	// Success is the accuracy at which a conversion counts as successful
	// (the paper's 0.95), drawn as a dashed line; 0 hides it.
	Success float64
}

// stripOffsets returns the horizontal offsets of n points of a strip,
// spread evenly over [-w, w] in the order given, so that the figure does
// not depend on a random jitter.
func stripOffsets(n int, w float64) []float64 {
	out := make([]float64, n)
	if n < 2 {
		return out
	}
	for i := range out {
		out[i] = -w + 2*w*float64(i)/float64(n-1)
	}
	return out
}

// finite returns the finite values of xs.
func finite(xs []float64) []float64 {
	var out []float64
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			out = append(out, x)
		}
	}
	return out
}

// GroupedAccuracyFigure draws, for every value of an axis, a box plot
// (median, quartiles, 1.5 IQR whiskers) of the networks' LIF accuracies
// with every network as a dot beside it, and the success line dashed.
func GroupedAccuracyFigure(path string, g GroupedAccuracy) error {
	if len(g.Groups) == 0 {
		return fmt.Errorf("report: %s: no groups to plot", path)
	}
	pn := newPanel(g.Title, g.Axis, "LIF accuracy")
	labels := make([]string, len(g.Groups))
	lo := 1.0
	drawn := 0
	for k, gr := range g.Groups {
		labels[k] = fmt.Sprintf("%s (n=%d)", gr.Label, len(finite(gr.Values)))
		vs := finite(gr.Values)
		if len(vs) == 0 {
			continue
		}
		drawn++
		for _, v := range vs {
			lo = math.Min(lo, v)
		}
		box, err := plotter.NewBoxPlot(vg.Points(28), float64(k), plotter.Values(vs))
		if err != nil {
			return err
		}
		box.FillColor = withAlpha(colorGrey, 0x30)
		box.BoxStyle.Color = colorGrey
		box.MedianStyle.Color = colorGrey
		box.WhiskerStyle.Color = colorGrey
		box.GlyphStyle.Radius = 0 // the dots show every network
		name := ""
		if drawn == 1 {
			name = "box: quartiles, median"
		}
		pn.add(name, box)
		pts := make(plotter.XYs, len(vs))
		offs := stripOffsets(len(vs), 0.12)
		for i, v := range vs {
			pts[i] = plotter.XY{X: float64(k) + 0.3 + offs[i], Y: v}
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: withAlpha(seriesColors[k%len(seriesColors)], 0xc0), Radius: vg.Points(2.2), Shape: draw.CircleGlyph{}}
		pn.add(fmt.Sprintf("%s: %s", gr.Label, plural(len(vs), "network")), sc)
	}
	if drawn == 0 {
		return fmt.Errorf("report: %s: no finite accuracy to plot", path)
	}
	n := float64(len(g.Groups))
	if g.Success > 0 {
		pn.add(fmt.Sprintf("success: ≥ %g", g.Success), hline(g.Success, -0.5, n-0.5, ColorE, true))
	}
	pn.p.NominalX(labels...)
	pn.p.X.Min, pn.p.X.Max = -0.5, n-0.5
	pn.p.Y.Min, pn.p.Y.Max = math.Min(0, math.Floor(lo*10)/10), 1.02
	return render(path, pn)
}

// SuccessFractions is the fraction of the networks of every value of an
// axis that converted successfully.
type SuccessFractions struct {
	// Title names the figure; Axis is the swept param.
	Title, Axis string
	// Labels name the values; Successes and Counts are, per value, the
	// networks converted successfully and all the networks.
	Labels            []string
	Successes, Counts []int
	// Success is the threshold counted, shown in the y label.
	Success float64
}

// SuccessFigure draws the fraction of successful conversions per value of
// an axis as bars, each labelled with its count ("94/100").
func SuccessFigure(path string, s SuccessFractions) error {
	if len(s.Labels) == 0 || len(s.Labels) != len(s.Counts) || len(s.Labels) != len(s.Successes) {
		return fmt.Errorf("report: %s: %d labels, %d counts and %d successes", path, len(s.Labels), len(s.Counts), len(s.Successes))
	}
	ylabel := "fraction converted successfully"
	if s.Success > 0 {
		ylabel = fmt.Sprintf("fraction with LIF accuracy ≥ %g", s.Success)
	}
	pn := newPanel(s.Title, s.Axis, ylabel)
	fr := make(plotter.Values, len(s.Labels))
	labels := make([]string, len(s.Labels))
	var marks plotter.XYs
	var texts []string
	for k := range s.Labels {
		if s.Counts[k] > 0 {
			fr[k] = float64(s.Successes[k]) / float64(s.Counts[k])
		}
		labels[k] = s.Labels[k]
		marks = append(marks, plotter.XY{X: float64(k), Y: fr[k] + 0.03})
		texts = append(texts, fmt.Sprintf("%d/%d", s.Successes[k], s.Counts[k]))
	}
	bars, err := plotter.NewBarChart(fr, vg.Points(40))
	if err != nil {
		return err
	}
	bars.Color = withAlpha(ColorI, 0xb0)
	bars.LineStyle.Color = ColorI
	pn.add("successful / all networks", bars)
	lb, err := plotter.NewLabels(plotter.XYLabels{XYs: marks, Labels: texts})
	if err != nil {
		return err
	}
	for i := range lb.TextStyle {
		lb.TextStyle[i].XAlign = draw.XCenter
		lb.TextStyle[i].Font.Size = vg.Points(9)
	}
	pn.p.Add(lb)
	pn.p.NominalX(labels...)
	pn.p.X.Min, pn.p.X.Max = -0.5, float64(len(s.Labels))-0.5
	pn.p.Y.Min, pn.p.Y.Max = 0, 1.12
	return render(path, pn)
}

// A ScatterSeries is a set of networks drawn in one colour.
type ScatterSeries struct {
	Label string
	// X and Y are the networks' rate and LIF accuracies.
	X, Y []float64
}

// RateLIF is the rate network's accuracy against its LIF conversion's,
// one dot per network.
type RateLIF struct {
	Title  string
	Series []ScatterSeries
	// Success is drawn as a dashed horizontal line; 0 hides it.
	Success float64
}

// RateLIFFigure draws the LIF accuracy of every network against its rate
// network's accuracy, with the diagonal (a conversion that loses nothing)
// and the success line.
func RateLIFFigure(path string, r RateLIF) error {
	lo := 1.0
	total := 0
	pn := newPanel(r.Title, "rate network accuracy", "LIF network accuracy")
	for k, s := range r.Series {
		if len(s.X) != len(s.Y) {
			return fmt.Errorf("report: %s: series %q has %d x and %d y", path, s.Label, len(s.X), len(s.Y))
		}
		var pts plotter.XYs
		for i := range s.X {
			if len(finite([]float64{s.X[i], s.Y[i]})) < 2 {
				continue
			}
			pts = append(pts, plotter.XY{X: s.X[i], Y: s.Y[i]})
			lo = math.Min(lo, math.Min(s.X[i], s.Y[i]))
		}
		if len(pts) == 0 {
			continue
		}
		total += len(pts)
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: withAlpha(seriesColors[k%len(seriesColors)], 0xc0), Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		pn.add(fmt.Sprintf("%s (%d)", s.Label, len(pts)), sc)
	}
	if total == 0 {
		return fmt.Errorf("report: %s: no network to plot", path)
	}
	lo = math.Min(0.5, math.Floor(lo*10)/10)
	diag, _ := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: 1, Y: 1}})
	diag.Color = colorGrey
	diag.Width = vg.Points(0.8)
	pn.add("LIF = rate", diag)
	if r.Success > 0 {
		pn.add(fmt.Sprintf("success: ≥ %g", r.Success), hline(r.Success, lo, 1.02, ColorE, true))
	}
	pn.p.X.Min, pn.p.X.Max = lo, 1.02
	pn.p.Y.Min, pn.p.Y.Max = lo, 1.02
	return render(path, pn)
}

// plural returns "1 network", "2 networks".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
