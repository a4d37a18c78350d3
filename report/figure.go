package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Size of every figure.
const (
	// Width is the width of a figure in pixels.
	Width = 1200
	// Height is the height of a figure in pixels.
	Height = 675
	// DPI is the resolution at which figures are rendered.
	DPI = 150
)

// Colours used throughout: excitatory red, inhibitory blue, as in the
// reference's rasters.
var (
	ColorE       = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
	ColorI       = color.RGBA{R: 0x1f, G: 0x57, B: 0xb4, A: 0xff}
	colorGrey    = color.RGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
	colorStim    = color.NRGBA{R: 0xff, G: 0xc8, B: 0x00, A: 0x48}
	colorOrange  = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	colorGreen   = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
	colorPurple  = color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff}
	seriesColors = []color.Color{ColorE, ColorI, colorGreen, colorOrange, colorPurple, colorGrey}
)

// compactTicks label at most eight "nice" values (steps of 1, 2, 2.5 or 5
// times a power of ten) with unlabelled minor ticks between them, written
// without trailing zeros ("25", not "25.00").
type compactTicks struct{}

// Ticks returns the ticks for [lo, hi].
func (compactTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	step := niceStep((hi - lo) / 8)
	minor := step / 5
	if m := step / math.Pow(10, math.Floor(math.Log10(step))); m == 2.5 {
		minor = step / 5
	} else if m == 2 {
		minor = step / 4
	}
	var ts []plot.Tick
	for k := math.Ceil(lo / minor); ; k++ {
		v := k * minor
		if v > hi+minor*1e-9 {
			break
		}
		t := plot.Tick{Value: v}
		if r := v / step; math.Abs(r-math.Round(r)) < 1e-6 {
			v = math.Round(r) * step
			if math.Abs(v) < step*1e-9 {
				v = 0
			}
			t.Value, t.Label = v, strconv.FormatFloat(v, 'g', 6, 64)
		}
		ts = append(ts, t)
	}
	return ts
}

// niceStep returns the smallest of 1, 2, 2.5 and 5 times a power of ten
// that is at least x.
func niceStep(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= x*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// legendWidth is the right-hand margin that holds legends.
const legendWidth = 2.2 * vg.Inch

// panel is a plot with its legend entries, drawn into one region of a
// figure.
type panel struct {
	p      *plot.Plot
	legend plot.Legend
}

func newPanel(title, xlabel, ylabel string) *panel {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	p.X.Tick.Marker = compactTicks{}
	p.Y.Tick.Marker = compactTicks{}
	l := plot.NewLegend()
	l.Top = true
	l.Left = true
	l.TextStyle.Font.Size = vg.Points(9)
	l.Padding = vg.Points(4)
	return &panel{p: p, legend: l}
}

// stimulus shades the stimulus windows [on, off) from ymin to ymax, with
// one legend entry.
func (pn *panel) stimulus(windows [][2]float64, ymin, ymax float64) {
	for i, w := range windows {
		b := band(w[0], w[1], ymin, ymax, colorStim)
		if i == 0 {
			pn.add("stimulus", b)
		} else {
			pn.p.Add(b)
		}
	}
}

// add adds a plotter with an optional legend entry.
func (pn *panel) add(name string, ps ...plot.Plotter) {
	pn.p.Add(ps...)
	if name == "" {
		return
	}
	var thumbs []plot.Thumbnailer
	for _, p := range ps {
		if t, ok := p.(plot.Thumbnailer); ok {
			thumbs = append(thumbs, t)
		}
	}
	pn.legend.Add(name, thumbs...)
}

// render draws panels stacked vertically, each with its legend in the
// right margin, and writes the PNG to path atomically.
func render(path string, panels ...*panel) error {
	w := vg.Length(Width) / vg.Length(DPI) * vg.Inch
	h := vg.Length(Height) / vg.Length(DPI) * vg.Inch
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	n := vg.Length(len(panels))
	for k, pn := range panels {
		top := h * vg.Length(k) / n
		bottom := h * (n - vg.Length(k) - 1) / n
		area := draw.Crop(dc, 0, 0, bottom, -top)
		pn.p.Draw(draw.Crop(area, 0, -legendWidth, 0, 0))
		leg := draw.Crop(area, w-legendWidth+vg.Points(8), 0, 0, -vg.Points(20))
		pn.legend.Draw(leg)
	}
	return writeAtomic(path, func(f io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(f)
		return err
	})
}

// writeAtomic writes a file through a temporary file in the same
// directory, renamed into place when write succeeds.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// markedLine is line with a dot of radius r on each of its points.
func markedLine(xs, ys []float64, c color.Color, width, r vg.Length) (*plotter.Line, *plotter.Scatter, error) {
	l, err := line(xs, ys, c, width)
	if err != nil {
		return nil, nil, err
	}
	sc, err := plotter.NewScatter(l.XYs)
	if err != nil {
		return nil, nil, err
	}
	sc.GlyphStyle = draw.GlyphStyle{Color: c, Radius: r, Shape: draw.CircleGlyph{}}
	return l, sc, nil
}

func line(xs, ys []float64, c color.Color, width vg.Length) (*plotter.Line, error) {
	n := min(len(xs), len(ys))
	pts := make(plotter.XYs, 0, n)
	for i := 0; i < n; i++ {
		if !math.IsNaN(ys[i]) && !math.IsInf(ys[i], 0) {
			pts = append(pts, plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, err
	}
	l.Color = c
	l.Width = width
	return l, nil
}

func hline(y, x0, x1 float64, c color.Color, dashed bool) *plotter.Line {
	l, _ := plotter.NewLine(plotter.XYs{{X: x0, Y: y}, {X: x1, Y: y}})
	l.Color = c
	l.Width = vg.Points(1)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	return l
}

func vline(x, y0, y1 float64, c color.Color) *plotter.Line {
	l, _ := plotter.NewLine(plotter.XYs{{X: x, Y: y0}, {X: x, Y: y1}})
	l.Color = c
	l.Width = vg.Points(1)
	l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	return l
}

// band is a shaded rectangle over [x0, x1] × [y0, y1].
func band(x0, x1, y0, y1 float64, c color.Color) *plotter.Polygon {
	p, _ := plotter.NewPolygon(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	p.Color = c
	p.LineStyle.Width = 0
	p.LineStyle.Color = color.Transparent
	return p
}

// envelope is the filled region between lo and hi over xs.
func envelope(xs, lo, hi []float64, c color.Color) (*plotter.Polygon, error) {
	n := min(len(xs), len(lo), len(hi))
	pts := make(plotter.XYs, 0, 2*n)
	for i := 0; i < n; i++ {
		pts = append(pts, plotter.XY{X: xs[i], Y: hi[i]})
	}
	for i := n - 1; i >= 0; i-- {
		pts = append(pts, plotter.XY{X: xs[i], Y: lo[i]})
	}
	p, err := plotter.NewPolygon(pts)
	if err != nil {
		return nil, err
	}
	p.Color = c
	p.LineStyle.Width = 0
	p.LineStyle.Color = color.Transparent
	return p, nil
}

func withAlpha(c color.Color, a uint8) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: a}
}

// span returns the min and max of the finite values in the slices.
func span(xss ...[]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, xs := range xss {
		for _, x := range xs {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				continue
			}
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if lo > hi {
		return 0, 1
	}
	if lo == hi {
		return lo - 0.5, hi + 0.5
	}
	return lo, hi
}

// pad widens [lo, hi] by frac of its width on each side.
func pad(lo, hi, frac float64) (float64, float64) {
	d := (hi - lo) * frac
	return lo - d, hi + d
}
