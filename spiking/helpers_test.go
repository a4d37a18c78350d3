package spiking

import (
	"path/filepath"
	"testing"

	"github.com/spikernn/spikernn/rate"
)

var (
	refModelPath  = filepath.Join("..", "testdata", "models", "gonogo_ref1.mat")
	goldenLIFPath = filepath.Join("..", "testdata", "golden", "lif_golden_gonogo_ref1.mat")
)

// loadRefModel loads testdata/models/gonogo_ref1.mat, a go-nogo network
// trained by the reference implementation.
func loadRefModel(t testing.TB) *rate.Model {
	t.Helper()
	m, err := rate.Load(refModelPath)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
