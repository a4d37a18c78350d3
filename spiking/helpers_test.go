package spiking

import (
	"path/filepath"
	"testing"

	"github.com/spikernn/spikernn/matfile"
	"github.com/spikernn/spikernn/rate"
	"gonum.org/v1/gonum/mat"
)

var (
	refModelPath  = filepath.Join("..", "testdata", "models", "gonogo_ref1.mat")
	goldenLIFPath = filepath.Join("..", "testdata", "golden", "lif_golden_gonogo_ref1.mat")
)

// loadRefModel loads testdata/models/gonogo_ref1.mat.
func loadRefModel(t testing.TB) *rate.Model {
	t.Helper()
	m, err := loadModel(refModelPath)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// loadModel reads the fields of a model file the conversion uses.
func loadModel(path string) (*rate.Model, error) {
	f, err := matfile.Open(path)
	if err != nil {
		return nil, err
	}
	m := &rate.Model{}
	dense := func(name string) (*mat.Dense, error) {
		v, err := f.Var(name)
		if err != nil {
			return nil, err
		}
		return v.Dense()
	}
	floats := func(name string) ([]float64, error) {
		v, err := f.Var(name)
		if err != nil {
			return nil, err
		}
		return v.Float64s()
	}
	if m.W, err = dense("w"); err != nil {
		return nil, err
	}
	if m.W0, err = dense("w0"); err != nil {
		return nil, err
	}
	if m.M, err = dense("m"); err != nil {
		return nil, err
	}
	if m.SomM, err = dense("som_m"); err != nil {
		return nil, err
	}
	if m.WIn, err = dense("w_in"); err != nil {
		return nil, err
	}
	if m.WOut, err = floats("w_out"); err != nil {
		return nil, err
	}
	if m.Taus, err = floats("taus"); err != nil {
		return nil, err
	}
	if m.TausGaus, err = floats("taus_gaus"); err != nil {
		return nil, err
	}
	inh, err := floats("inh")
	if err != nil {
		return nil, err
	}
	m.N = len(inh)
	m.Inh = make([]bool, m.N)
	for i, x := range inh {
		m.Inh[i] = x != 0
	}
	m.ApplyDale = m.HasInhibitory()
	return m, nil
}
