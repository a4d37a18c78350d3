package report

import (
	"bytes"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkPNG asserts that path is a valid PNG of Width × Height pixels that
// is not blank: it must contain a few distinct colours.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: not a PNG: %v", path, err)
	}
	if r := img.Bounds(); r.Dx() != Width || r.Dy() != Height {
		t.Fatalf("%s: %d×%d, want %d×%d", path, r.Dx(), r.Dy(), Width, Height)
	}
	colours := map[[3]uint32]bool{}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y += 3 {
		for x := r.Min.X; x < r.Max.X; x += 3 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			colours[[3]uint32{cr >> 8, cg >> 8, cb >> 8}] = true
		}
	}
	if len(colours) < 4 {
		t.Fatalf("%s: only %d colours: blank figure", path, len(colours))
	}
	if os.Getenv("SPIKERNN_KEEP_FIGURES") != "" {
		os.WriteFile(filepath.Join(os.Getenv("SPIKERNN_KEEP_FIGURES"), filepath.Base(path)), b, 0o644)
	}
}

// countColour counts pixels close to c.
func countColour(t *testing.T, path string, want [3]uint8) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if d := math.Abs(float64(cr>>8)-float64(want[0])) + math.Abs(float64(cg>>8)-float64(want[1])) + math.Abs(float64(cb>>8)-float64(want[2])); d < 30 {
				n++
			}
		}
	}
	return n
}

func syntheticTraining() Training {
	r := rand.New(rand.NewPCG(1, 2))
	var tr Training
	for i := 0; i < 1700; i++ {
		tr.Losses = append(tr.Losses, 12*math.Exp(-float64(i)/500)+r.Float64())
		if (i-1)%100 == 0 {
			tr.EvalTrials = append(tr.EvalTrials, i)
			tr.EvalAccuracy = append(tr.EvalAccuracy, math.Min(1, float64(i)/1400))
			tr.EvalLoss = append(tr.EvalLoss, 12*math.Exp(-float64(i)/500)+0.5)
		}
	}
	tr.StopLoss, tr.StopAccuracy = 7, 0.95
	return tr
}

func TestFigures(t *testing.T) {
	dir := t.TempDir()
	if err := TrainingFigure(filepath.Join(dir, "training.png"), syntheticTraining()); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "training.png"))

	lam := Lambda{
		Factors:  []float64{20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75},
		Accuracy: []float64{0.77, 0.81, 0.89, 0.88, 0.74, 0.69, 0.70, 0.56, 0.21, 0.16, 0.28, 0.45},
		Best:     30, Trials: 100,
	}
	for _, a := range lam.Accuracy { // roughly the 95 % intervals of 100 trials
		lam.Lower, lam.Upper = append(lam.Lower, a-0.09), append(lam.Upper, min(1, a+0.07))
	}
	if err := LambdaFigure(filepath.Join(dir, "lambda.png"), lam); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "lambda.png"))

	const nt, dt = 20000, 5e-5
	goMean, goSD := make([]float64, nt), make([]float64, nt)
	nogo, nogoSD := make([]float64, nt), make([]float64, nt)
	for i := range goMean {
		s := float64(i) * dt
		if s > 0.3 {
			goMean[i] = 1 - math.Exp(-(s-0.3)/0.05)
		}
		goSD[i], nogoSD[i] = 0.1, 0.05
		nogo[i] = 0.05 * math.Sin(s*20)
	}
	out := Outputs{
		Title: "go-nogo LIF output", DT: dt,
		Traces:     []Trace{{Name: "go", Mean: goMean, SD: goSD, Trials: 50}, {Name: "nogo", Mean: nogo, SD: nogoSD, Trials: 50}},
		Stimulus:   [][2]float64{{0.25, 0.375}},
		Thresholds: []float64{0.7, 0.3},
		ScoreFrom:  0.5,
	}
	if err := OutputsFigure(filepath.Join(dir, "outputs.png"), out); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "outputs.png"))

	r := rand.New(rand.NewPCG(3, 4))
	inh := make([]bool, 200)
	for i := range inh {
		inh[i] = r.Float64() < 0.2
	}
	var rs []Raster
	for _, name := range []string{"go trial", "nogo trial"} {
		ra := Raster{Title: name, Inh: inh, Duration: 1}
		for k := 0; k < 800; k++ {
			ra.Times = append(ra.Times, r.Float64())
			ra.Neurons = append(ra.Neurons, r.IntN(200))
		}
		rs = append(rs, ra)
	}
	if err := RasterFigure(filepath.Join(dir, "raster.png"), rs...); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "raster.png"))
	// Both spike colours must be visible.
	if e, i := countColour(t, filepath.Join(dir, "raster.png"), [3]uint8{0xd6, 0x27, 0x28}), countColour(t, filepath.Join(dir, "raster.png"), [3]uint8{0x1f, 0x57, 0xb4}); e < 200 || i < 50 {
		t.Fatalf("raster: %d red and %d blue pixels", e, i)
	}

	var fr FiringRates
	fr.Title = "firing rates"
	for i := 0; i < 160; i++ {
		fr.E = append(fr.E, 5+3*r.NormFloat64())
	}
	for i := 0; i < 40; i++ {
		fr.I = append(fr.I, 15+5*r.NormFloat64())
	}
	if err := RatesFigure(filepath.Join(dir, "rates.png"), fr); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "rates.png"))

	rate := make([]float64, 199)
	for i := range rate {
		rate[i] = goMean[min(i*100, nt-1)]
	}
	ov := Overlay{Title: "go: rate vs LIF", Rate: rate, RateDT: 0.005, Spiking: goMean, SpikingDT: dt,
		Stimulus: [][2]float64{{0.25, 0.375}}, Thresholds: []float64{0.7}}
	if err := OverlayFigure(filepath.Join(dir, "overlay.png"), ov); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "overlay.png"))
}

func TestFigureErrors(t *testing.T) {
	dir := t.TempDir()
	if err := TrainingFigure(filepath.Join(dir, "a.png"), Training{}); err == nil {
		t.Fatal("empty training accepted")
	}
	if err := LambdaFigure(filepath.Join(dir, "b.png"), Lambda{Factors: []float64{1}}); err == nil {
		t.Fatal("mismatched lambda accepted")
	}
	if err := RasterFigure(filepath.Join(dir, "c.png"), Raster{Times: []float64{1}}); err == nil {
		t.Fatal("mismatched raster accepted")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("failed figures left files: %v", entries)
	}
}

func TestCompactTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
	}{
		{0, 1.05, []string{"0", "0.2", "0.4", "0.6", "0.8", "1"}},
		{-0.62, 2.6, []string{"-0.5", "0", "0.5", "1", "1.5", "2", "2.5"}},
		{17.25, 77.75, []string{"20", "30", "40", "50", "60", "70"}},
		{0, 1500, []string{"0", "200", "400", "600", "800", "1000", "1200", "1400"}},
	} {
		var got []string
		for _, tk := range (compactTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("ticks of [%g, %g]: %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
}
