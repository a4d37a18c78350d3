package rate

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/mat"
)

// checkpointMagic starts every checkpoint file.
const checkpointMagic = "spikernn rate checkpoint v1\n"

// Checkpoint is the complete state of a training run: the model (with its
// raw w, negative entries included), the optimiser state, the number of
// trials done and the position of the trial source. The noise of every
// trial comes from the trial's own Seed, so the source position is the
// only random state; a run resumed from a checkpoint continues exactly as
// if it had not been interrupted.
type Checkpoint struct {
	// Task is the name of the task trained.
	Task string
	// Settings are the settings of the run (without Progress).
	Settings Settings
	// Model is the model at the checkpoint.
	Model *Model
	// Entries lists the entries of w the optimiser tracks (flat row-major
	// indices); see Trainer.
	Entries []int32
	// Adam is the optimiser state, one moment per tracked parameter: the
	// entries of w, then w_out, b_out and taus_gaus (when trained).
	Adam Adam
	// Trials is the number of training trials done.
	Trials int
	// Drawn is the number of trials drawn from the source (training and
	// evaluation); the resumed run continues from this position.
	Drawn int
	// LastLoss is the loss of the last training trial.
	LastLoss float64
	// Evaluated reports whether an evaluation ran; EvalAccuracy and
	// EvalLoss are those of the last one.
	Evaluated              bool
	EvalAccuracy, EvalLoss float64
	// Converged reports whether the stop rule has been met.
	Converged bool
}

// Checkpoint returns a deep copy of the trainer's state.
func (tn *Trainer) Checkpoint() *Checkpoint {
	s := tn.s
	s.Progress = nil
	a := *tn.adam
	a.M = append([]float64(nil), a.M...)
	a.V = append([]float64(nil), a.V...)
	return &Checkpoint{
		Task:         tn.task.Name(),
		Settings:     s,
		Model:        tn.m.Clone(),
		Entries:      append([]int32(nil), tn.set.idx...),
		Adam:         a,
		Trials:       tn.tr,
		Drawn:        tn.drawn,
		LastLoss:     tn.lastLoss,
		Evaluated:    tn.evaluated,
		EvalAccuracy: tn.evalAcc,
		EvalLoss:     tn.evalLoss,
		Converged:    tn.converged,
	}
}

// SaveCheckpoint writes the trainer's state to path (a temporary file in
// the same directory, renamed into place). It may be called from a
// Progress callback.
func (tn *Trainer) SaveCheckpoint(path string) error {
	return tn.Checkpoint().Save(path)
}

// Save writes the checkpoint to path, atomically: the data go to a
// temporary file in the same directory, which is synced and renamed to
// path.
func (ck *Checkpoint) Save(path string) error {
	var buf bytes.Buffer
	buf.WriteString(checkpointMagic)
	if err := gob.NewEncoder(&buf).Encode(ck); err != nil {
		return fmt.Errorf("rate: checkpoint %s: encode: %w", path, err)
	}
	return writeFileAtomic(path, buf.Bytes())
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it to path.
func writeFileAtomic(path string, data []byte) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("rate: write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("rate: write %s: %w", path, err)
	}
	return nil
}

// LoadCheckpoint reads a checkpoint written by Save.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("rate: checkpoint: %w", err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	magic := make([]byte, len(checkpointMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != checkpointMagic {
		return nil, fmt.Errorf("rate: checkpoint %s: not a rate checkpoint (bad header)", path)
	}
	var ck Checkpoint
	if err := gob.NewDecoder(r).Decode(&ck); err != nil {
		return nil, fmt.Errorf("rate: checkpoint %s: decode: %w", path, err)
	}
	if ck.Model == nil {
		return nil, fmt.Errorf("rate: checkpoint %s: no model", path)
	}
	if err := ck.Model.validate(); err != nil {
		return nil, fmt.Errorf("rate: checkpoint %s: %w", path, err)
	}
	return &ck, nil
}

// Resume returns a trainer that continues the checkpointed run on task t,
// which must be the task of the run. The trainer works on ck.Model. s
// nil means the checkpoint's settings; a non-nil s may change, say,
// MaxTrials or Progress, but a run continues exactly as if uninterrupted
// only with the checkpoint's loss, optimiser and evaluation settings.
//
// Train positions a source that has a Seek(int) method (a tasks.Stream)
// at ck.Drawn; any other source must be positioned by the caller.
func (ck *Checkpoint) Resume(t tasks.Task, s *Settings) (*Trainer, error) {
	if t == nil || t.Name() != ck.Task {
		name := "<nil>"
		if t != nil {
			name = t.Name()
		}
		return nil, fmt.Errorf("rate: resume: checkpoint is of task %s, not %s", ck.Task, name)
	}
	if s == nil {
		cs := ck.Settings
		s = &cs
	}
	tn, err := newTrainer(ck.Model, t, s)
	if err != nil {
		return nil, fmt.Errorf("rate: resume: %w", err)
	}
	n := ck.Model.N
	all := tn.net.allEntries()
	fac := make(map[int32]float64, len(all.idx))
	for k, i := range all.idx {
		fac[i] = all.fac[k]
	}
	for _, flat := range ck.Entries {
		f, ok := fac[flat]
		if flat < 0 || int(flat) >= n*n || !ok {
			return nil, fmt.Errorf("rate: resume: checkpoint tracks w entry %d, which cannot be trained", flat)
		}
		tn.set.add(int(flat)/n, int(flat)%n, n, f)
	}
	tn.initParams()
	if len(ck.Adam.M) != len(tn.theta) || len(ck.Adam.V) != len(tn.theta) {
		return nil, fmt.Errorf("rate: resume: optimiser state has %d/%d moments, the model needs %d",
			len(ck.Adam.M), len(ck.Adam.V), len(tn.theta))
	}
	a := ck.Adam
	a.LR, a.Beta1, a.Beta2, a.Eps = tn.s.LearningRate, tn.s.Beta1, tn.s.Beta2, tn.s.Eps
	a.M = append([]float64(nil), a.M...)
	a.V = append([]float64(nil), a.V...)
	tn.adam = &a
	tn.tr, tn.drawn = ck.Trials, ck.Drawn
	tn.lastLoss = ck.LastLoss
	tn.evaluated, tn.evalAcc, tn.evalLoss = ck.Evaluated, ck.EvalAccuracy, ck.EvalLoss
	tn.converged = ck.Converged
	tn.resumed = true
	return tn, nil
}

// Clone returns a deep copy of the model.
func (m *Model) Clone() *Model {
	c := *m
	cp := func(d *mat.Dense) *mat.Dense {
		if d == nil {
			return nil
		}
		return mat.DenseCopyOf(d)
	}
	fs := func(x []float64) []float64 {
		if x == nil {
			return nil
		}
		return append([]float64(nil), x...)
	}
	c.Inh = append([]bool(nil), m.Inh...)
	c.W, c.W0, c.M, c.SomM, c.WIn = cp(m.W), cp(m.W0), cp(m.M), cp(m.SomM), cp(m.WIn)
	c.WOut, c.Taus, c.TausGaus, c.TausGaus0 = fs(m.WOut), fs(m.Taus), fs(m.TausGaus), fs(m.TausGaus0)
	c.Losses, c.ScalingFactors, c.AllPerfs = fs(m.Losses), fs(m.ScalingFactors), fs(m.AllPerfs)
	c.EvalOutputs, c.EvalLabels = cp(m.EvalOutputs), fs(m.EvalLabels)
	if m.EvalLabelNames != nil {
		c.EvalLabelNames = append([]string(nil), m.EvalLabelNames...)
	}
	return &c
}
