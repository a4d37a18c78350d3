package report

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// blend is c drawn with alpha a over white, as the PNG holds it.
func blend(c [3]uint8, a uint8) [3]uint8 {
	var out [3]uint8
	for i := range c {
		out[i] = uint8(math.Round(float64(c[i])*float64(a)/255 + 255*(1-float64(a)/255)))
	}
	return out
}

func TestSuccessFigure(t *testing.T) {
	dir := t.TempDir()
	bar := blend([3]uint8{0x1f, 0x57, 0xb4}, 0xb0)
	area := func(name string, succ []int) int {
		path := filepath.Join(dir, name)
		if err := SuccessFigure(path, SuccessFractions{Title: "t", Axis: "activation", Labels: []string{"sigmoid", "softplus", "clipped_relu"},
			Successes: succ, Counts: []int{4, 4, 4}, Success: 0.95}); err != nil {
			t.Fatal(err)
		}
		checkPNG(t, path)
		return countColour(t, path, bar)
	}
	full := area("full.png", []int{4, 4, 4})
	half := area("half.png", []int{4, 2, 0}) // 6 of 12 bars' height
	if full == 0 {
		t.Fatal("no bar drawn")
	}
	if r := float64(half) / float64(full); math.Abs(r-0.5) > 0.05 {
		t.Errorf("bars of 1, 0.5 and 0 cover %.3f of the area of three full bars, want 0.5", r)
	}
	err := SuccessFigure(filepath.Join(dir, "bad.png"), SuccessFractions{Labels: []string{"a"}, Counts: []int{1, 2}, Successes: []int{1}})
	if err == nil || !strings.Contains(err.Error(), "1 labels, 2 counts and 1 successes") {
		t.Errorf("mismatched lengths: %v", err)
	}
}

func TestGroupedAccuracyFigure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "g.png")
	g := GroupedAccuracy{Title: "t", Axis: "N", Success: 0.95, Groups: []Group{
		{Label: "100", Values: []float64{0.9, 0.99, 1}},
		{Label: "200", Values: []float64{math.NaN()}}, // drawn empty
		{Label: "250", Values: []float64{0.2}},
	}}
	if err := GroupedAccuracyFigure(path, g); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, path)
	// The success line is dashed in ColorE across the plot.
	if n := countColour(t, path, [3]uint8{0xd6, 0x27, 0x28}); n < 200 {
		t.Errorf("success line: %d red pixels", n)
	}
	g.Groups = []Group{{Label: "x", Values: []float64{math.NaN()}}}
	if err := GroupedAccuracyFigure(path, g); err == nil || !strings.Contains(err.Error(), "no finite accuracy") {
		t.Errorf("no finite value: %v", err)
	}
	if err := GroupedAccuracyFigure(path, GroupedAccuracy{}); err == nil {
		t.Error("no group: no error")
	}
}

func TestRateLIFFigure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.png")
	if err := RateLIFFigure(path, RateLIF{Title: "t", Success: 0.95, Series: []ScatterSeries{
		{Label: "a", X: []float64{1, 0.98}, Y: []float64{0.97, 0.6}},
		{Label: "b", X: []float64{0.99}, Y: []float64{math.NaN()}},
	}}); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, path)
	if err := RateLIFFigure(path, RateLIF{Series: []ScatterSeries{{Label: "a", X: []float64{1}}}}); err == nil || !strings.Contains(err.Error(), `series "a" has 1 x and 0 y`) {
		t.Errorf("mismatched series: %v", err)
	}
	if err := RateLIFFigure(path, RateLIF{}); err == nil {
		t.Error("no network: no error")
	}
}
