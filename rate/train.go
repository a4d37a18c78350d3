package rate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/mat"
)

// TrialSource supplies trials one after another. *tasks.Stream satisfies
// it; a pipeline adapts a channel of trials to it. Training and evaluation
// trials are all drawn from one source in a fixed order (the training
// trial, then, after an evaluated trial, the evaluation trials), so a run
// is reproducible from its source.
type TrialSource interface {
	// Next fills dst with the next trial. dst is a rate-side trial of the
	// trainer's task (tasks.NewTrial(task, tasks.Rate)).
	Next(dst *tasks.Trial)
}

// Status says how a training run ended.
type Status int

const (
	// NotConverged: the run did MaxTrials trials without meeting the stop
	// rule.
	NotConverged Status = iota
	// Converged: an evaluation met the stop rule.
	Converged
	// Canceled: the context was canceled before the run ended.
	Canceled
)

var statusNames = [...]string{"not converged", "converged", "canceled"}

// String returns "not converged", "converged" or "canceled".
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// Result describes a training run.
type Result struct {
	// Status says how the run ended.
	Status Status
	// Converged reports Status == Converged.
	Converged bool
	// Trials is the number of training trials done, counting those done
	// before a resume. When the run converged, the stop rule fired after
	// the evaluation that followed trial index Trials-1 (the reference's
	// tr; its 1,502-trial go-nogo run stopped at tr = 1501).
	Trials int
	// Loss is the training loss of the last trial.
	Loss float64
	// Evaluated reports whether any evaluation ran; EvalAccuracy and
	// EvalLoss are those of the last one.
	Evaluated bool
	// EvalAccuracy is the fraction of evaluation trials scored correct.
	EvalAccuracy float64
	// EvalLoss is the mean loss over the evaluation trials.
	EvalLoss float64
	// Duration is the wall time of this call to Train.
	Duration time.Duration
}

// Progress reports one training trial to a Settings.Progress callback.
type Progress struct {
	// Trial is the trial index tr (from 0); MaxTrials the run's limit.
	Trial, MaxTrials int
	// Loss is the trial's training loss.
	Loss float64
	// Evaluated reports whether an evaluation followed this trial; then
	// EvalAccuracy and EvalLoss hold its results.
	Evaluated              bool
	EvalAccuracy, EvalLoss float64
	// Elapsed is the wall time since Train was called.
	Elapsed time.Duration
}

// Trainer trains a Model on a task with Adam and hand-derived
// backpropagation through time (SPEC §1–§2). It updates the Model in
// place; the Model must not be changed by anyone else while a Trainer
// uses it.
//
// Only the entries of w that can change are kept in the optimiser: under
// Dale's principle an entry with w ≤ 0 has a zero gradient through relu
// and, with zero Adam moments, never moves (about 80% of w at P_rec 0.2).
// This is exact: every parameter ends as it would under dense Adam.
type Trainer struct {
	m    *Model
	net  *Net
	task tasks.Task
	s    Settings

	set   wSet
	theta []float64 // w entries of set, w_out, b_out, taus_gaus (when trained)
	grad  []float64
	adam  *Adam
	buf   backBuf
	fg    flatGrad

	trial *tasks.Trial

	tr        int // trials done
	drawn     int // trials drawn from the source
	resumed   bool
	lastLoss  float64
	evaluated bool
	evalAcc   float64
	evalLoss  float64
	converged bool
}

// NewTrainer returns a trainer for m on task t. s may be nil for
// DefaultSettings(t). The model must be valid, its sign matrix m
// diagonal, and its number of inputs that of the task.
func NewTrainer(m *Model, t tasks.Task, s *Settings) (*Trainer, error) {
	tn, err := newTrainer(m, t, s)
	if err != nil {
		return nil, err
	}
	tn.set = tn.net.trainableEntries(nil)
	tn.initParams()
	tn.adam = NewAdam(len(tn.theta), tn.s.LearningRate, tn.s.Beta1, tn.s.Beta2, tn.s.Eps)
	return tn, nil
}

func newTrainer(m *Model, t tasks.Task, s *Settings) (*Trainer, error) {
	if t == nil {
		return nil, fmt.Errorf("rate: trainer needs a task")
	}
	if s == nil {
		s = DefaultSettings(t)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	net, err := NewNet(m)
	if err != nil {
		return nil, err
	}
	if net.diagM == nil {
		return nil, errNotDiagonal
	}
	if m.NumInputs() != t.Inputs() {
		return nil, fmt.Errorf("rate: model has %d inputs (w_in is %d×%d), task %s has %d: %w",
			m.NumInputs(), m.N, m.NumInputs(), t.Name(), t.Inputs(), ErrShape)
	}
	tn := &Trainer{
		m:     m,
		net:   net,
		task:  t,
		s:     *s,
		trial: tasks.NewTrial(t, tasks.Rate),
	}
	tn.buf.grow(m.N, t.Steps())
	return tn, nil
}

// initParams lays out theta and grad for the current set and copies the
// model's parameters into theta.
func (tn *Trainer) initParams() {
	m := tn.m
	k := len(tn.set.idx)
	size := k + m.N + 1
	trainTaus := len(m.Taus) == 2
	if trainTaus {
		size += m.N
	}
	tn.theta = make([]float64, size)
	tn.grad = make([]float64, size)
	n := m.N
	w := m.W.RawMatrix()
	for q := range tn.set.idx {
		tn.theta[q] = w.Data[int(tn.set.row[q])*w.Stride+int(tn.set.col[q])]
	}
	copy(tn.theta[k:k+n], m.WOut)
	tn.theta[k+n] = m.BOut
	tn.fg = flatGrad{w: tn.grad[:k], wout: tn.grad[k : k+n], bout: &tn.grad[k+n]}
	if trainTaus {
		copy(tn.theta[k+n+1:], m.TausGaus)
		tn.fg.taus = tn.grad[k+n+1:]
	}
	tn.setSupport()
}

// setSupport makes the support of the net's compressed W_eff the entries
// that training can make nonzero: those of the set, and any nonzero entry
// of W_eff outside it (which training never changes).
func (tn *Trainer) setSupport() {
	net := tn.net
	n := net.n
	inSet := make([]bool, n*n)
	for _, f := range tn.set.idx {
		inSet[f] = true
	}
	flats := make([]int32, 0, len(tn.set.idx))
	for f, v := range net.weff {
		if inSet[f] || v != 0 {
			flats = append(flats, int32(f))
		}
	}
	net.sp.setSupport(n, flats)
	net.weightsChanged()
}

// scatter writes theta back into the model and the net.
func (tn *Trainer) scatter() {
	m, net := tn.m, tn.net
	n := m.N
	k := len(tn.set.idx)
	w := m.W.RawMatrix()
	dale := m.ApplyDale
	set := &tn.set
	rows, cols, fac := set.row[:k], set.col[:k], set.fac[:k]
	for q, flat := range set.idx[:k] {
		i, j := int(rows[q]), int(cols[q])
		v := tn.theta[q]
		w.Data[i*w.Stride+j] = v
		if dale && v < 0 {
			v = 0
		}
		net.weff[flat] = v * fac[q]
	}
	net.weightsChanged()
	copy(m.WOut, tn.theta[k:k+n])
	m.BOut = tn.theta[k+n]
	if len(m.Taus) == 2 {
		copy(m.TausGaus, tn.theta[k+n+1:])
		net.refreshDecay()
	}
}

// Model returns the model being trained.
func (tn *Trainer) Model() *Model { return tn.m }

// Trials returns the number of training trials done.
func (tn *Trainer) Trials() int { return tn.tr }

// Drawn returns the number of trials drawn from the source so far
// (training and evaluation). A resumed run must continue from this
// position of its source.
func (tn *Trainer) Drawn() int { return tn.drawn }

// checkTrial checks a trial against task t and the network.
func (net *Net) checkTrial(tr *tasks.Trial, t tasks.Task, what string) error {
	if tr.U == nil {
		return fmt.Errorf("rate: %s trial %d has no stimulus: %w", what, tr.Index, ErrShape)
	}
	rows, cols := tr.U.Dims()
	if rows != net.nIn {
		return fmt.Errorf("rate: %s trial %d has %d input rows, the network has %d (task %s): %w",
			what, tr.Index, rows, net.nIn, t.Name(), ErrShape)
	}
	if cols < 2 {
		return fmt.Errorf("rate: %s trial %d has %d columns, want T ≥ 2: %w", what, tr.Index, cols, ErrShape)
	}
	if len(tr.Target) != cols-1 {
		return fmt.Errorf("rate: %s trial %d has a target of %d values, want T-1 = %d (a rate-side trial): %w",
			what, tr.Index, len(tr.Target), cols-1, ErrShape)
	}
	return nil
}

// Step does one training step on trial tr: a forward pass, the loss, its
// gradients and one Adam update. It returns the loss. A NaN or infinite
// loss is an error naming the trial, and leaves the model unchanged.
// Step does not count towards Trials; Train does.
func (tn *Trainer) Step(tr *tasks.Trial) (float64, error) {
	if err := tn.net.checkTrial(tr, tn.task, "training"); err != nil {
		return 0, err
	}
	net := tn.net
	_, cols := tr.U.Dims()
	net.forward(tr.U, cols, tn.s.Noise, tr.Seed, nil, true)
	loss := tn.s.Loss.Value(net.out, tr.Target)
	if !finite(loss) {
		return loss, fmt.Errorf("rate: training trial tr=%d (source trial %d, %s): %s loss is %v: %w",
			tn.tr, tr.Index, tn.task.LabelName(tr.Label), tn.s.Loss, loss, ErrDiverged)
	}
	tn.buf.grow(net.n, cols)
	tn.s.Loss.grad(tn.buf.gout, net.out, tr.Target, loss)
	net.backward(&tn.buf, &tn.set, tn.fg)
	if q := firstNonFinite(tn.grad); q >= 0 {
		return loss, fmt.Errorf("rate: training trial tr=%d (source trial %d, %s): gradient %d of %d is %v: %w",
			tn.tr, tr.Index, tn.task.LabelName(tr.Label), q, len(tn.grad), tn.grad[q], ErrDiverged)
	}
	tn.adam.Update(tn.theta, tn.grad)
	if q := firstNonFinite(tn.theta); q >= 0 {
		// The model is left as it was before the update; this trainer's
		// state is not: training stops here.
		return loss, fmt.Errorf("rate: training trial tr=%d (source trial %d, %s): parameter %d of %d is %v after the update with learning rate %g: %w",
			tn.tr, tr.Index, tn.task.LabelName(tr.Label), q, len(tn.theta), tn.theta[q], tn.s.LearningRate, ErrDiverged)
	}
	tn.scatter()
	return loss, nil
}

// Evaluate draws n trials from src and runs them forward with the
// trainer's loss and noise setting, returning the fraction the task scores
// correct and the mean loss. The trials do not count towards Drawn: use a
// source other than the training source.
func (tn *Trainer) Evaluate(src TrialSource, n int) (acc, loss float64, err error) {
	return tn.net.evaluate(tn.task, src, n, tn.s.Loss, tn.s.Noise, tn.trial, nil, nil)
}

// evaluate is the periodic evaluation of Train: its trials count towards
// Drawn, its outputs and labels are recorded in the model (eval_os,
// eval_labels) and its errors name the training trial it follows.
func (tn *Trainer) evaluate(src TrialSource) (acc, loss float64, err error) {
	rec := tn.evalRecord()
	acc, loss, err = tn.net.evaluate(tn.task, src, tn.s.EvalTrials, tn.s.Loss, tn.s.Noise, tn.trial, &tn.drawn, rec)
	if err != nil {
		err = fmt.Errorf("rate: evaluation after trial tr=%d: %w", tn.tr-1, err)
	}
	return acc, loss, err
}

// evalRecord returns the model's record of the last evaluation, sized for
// the next one: eval_os (EvalTrials × T-1), eval_labels and, for a task
// whose labels the references write as text (xor), their names.
func (tn *Trainer) evalRecord() *evalRecord {
	m, n, steps := tn.m, tn.s.EvalTrials, tn.task.Steps()-1
	if r, c := dims(m.EvalOutputs); r != n || c != steps {
		m.EvalOutputs = mat.NewDense(n, steps, nil)
	}
	if len(m.EvalLabels) != n {
		m.EvalLabels = make([]float64, n)
	}
	m.EvalLabelNames = nil
	if _, ok := tn.task.(*tasks.XOR); ok {
		m.EvalLabelNames = make([]string, n)
	}
	return &evalRecord{out: m.EvalOutputs, labels: m.EvalLabels, names: m.EvalLabelNames, task: tn.task}
}

func dims(a *mat.Dense) (r, c int) {
	if a == nil {
		return 0, 0
	}
	return a.Dims()
}

// evalRecord receives the outputs and labels of an evaluation's trials.
type evalRecord struct {
	out    *mat.Dense
	labels []float64
	names  []string
	task   tasks.Task
}

// put records trial i of the evaluation.
func (r *evalRecord) put(i int, o []float64, l tasks.Label) {
	copy(r.out.RawRowView(i), o)
	r.labels[i] = float64(l)
	if r.names != nil {
		r.names[i] = r.task.LabelName(l)
	}
}

// Evaluate draws n trials of task t from src and runs them forward, with
// noise (seeded by each trial's Seed) when noise is set, returning the
// fraction of trials the task scores correct and the mean loss. A NaN or
// infinite loss is an error naming the trial.
func (net *Net) Evaluate(t tasks.Task, src TrialSource, n int, loss Loss, noise bool) (acc, meanLoss float64, err error) {
	if n < 1 {
		return 0, 0, fmt.Errorf("rate: evaluate %d trials, want ≥ 1", n)
	}
	return net.evaluate(t, src, n, loss, noise, tasks.NewTrial(t, tasks.Rate), nil, nil)
}

func (net *Net) evaluate(t tasks.Task, src TrialSource, n int, loss Loss, noise bool, tr *tasks.Trial, drawn *int, rec *evalRecord) (acc, meanLoss float64, err error) {
	correct := 0
	for i := range n {
		src.Next(tr)
		if drawn != nil {
			*drawn++
		}
		if err := net.checkTrial(tr, t, "evaluation"); err != nil {
			return 0, 0, err
		}
		_, cols := tr.U.Dims()
		net.forward(tr.U, cols, noise, tr.Seed, nil, false)
		l := loss.Value(net.out, tr.Target)
		if !finite(l) {
			return 0, 0, fmt.Errorf("rate: evaluation trial %d (%s): %s loss is %v: %w", tr.Index, t.LabelName(tr.Label), loss, l, ErrDiverged)
		}
		meanLoss += l
		if rec != nil {
			rec.put(i, net.out, tr.Label)
		}
		if t.Correct(net.out, tr.Label) {
			correct++
		}
	}
	return float64(correct) / float64(n), meanLoss / float64(n), nil
}

// evalDue reports whether an evaluation follows trial tr: (tr-1) mod E
// = 0 with Python's modulo, as in the reference.
func evalDue(tr, every int) bool {
	r := (tr - 1) % every
	if r < 0 {
		r += every
	}
	return r == 0
}

// Train trains until the stop rule is met, MaxTrials trials are done or
// ctx is canceled, drawing every trial from src. It can be called again
// after a cancellation, or on a resumed trainer, and continues where the
// run stopped. It records the losses, the last trial index and the last
// evaluation in the model.
//
// On cancellation it returns the result so far (Status Canceled) and
// ctx's error. A NaN or infinite loss ends the run with an error naming
// the trial.
func (tn *Trainer) Train(ctx context.Context, src TrialSource) (*Result, error) {
	start := time.Now()
	if tn.resumed {
		tn.resumed = false
		if sk, ok := src.(interface{ Seek(int) }); ok {
			sk.Seek(tn.drawn)
		}
	}
	m := tn.m
	if cap(m.Losses)-len(m.Losses) < tn.s.MaxTrials-tn.tr {
		l := make([]float64, len(m.Losses), len(m.Losses)+max(tn.s.MaxTrials-tn.tr, 0))
		copy(l, m.Losses)
		m.Losses = l
	}
	res := func(st Status) *Result {
		return &Result{
			Status:       st,
			Converged:    st == Converged,
			Trials:       tn.tr,
			Loss:         tn.lastLoss,
			Evaluated:    tn.evaluated,
			EvalAccuracy: tn.evalAcc,
			EvalLoss:     tn.evalLoss,
			Duration:     time.Since(start),
		}
	}
	if tn.converged {
		return res(Converged), nil
	}
	for tn.tr < tn.s.MaxTrials {
		if err := ctx.Err(); err != nil {
			return res(Canceled), err
		}
		tr := tn.tr
		src.Next(tn.trial)
		tn.drawn++
		loss, err := tn.Step(tn.trial)
		if err != nil {
			return res(NotConverged), err
		}
		tn.tr++
		tn.lastLoss = loss
		m.Losses = append(m.Losses, loss)
		m.Tr = tr
		p := Progress{Trial: tr, MaxTrials: tn.s.MaxTrials, Loss: loss}
		if evalDue(tr, tn.s.EvalEvery) {
			acc, el, err := tn.evaluate(src)
			if err != nil {
				return res(NotConverged), err
			}
			tn.evaluated, tn.evalAcc, tn.evalLoss = true, acc, el
			m.EvalPerfMean, m.EvalLossMean = acc, el
			p.Evaluated, p.EvalAccuracy, p.EvalLoss = true, acc, el
			tn.converged = el < tn.s.LossThreshold && acc > tn.s.AccThreshold && tr > tn.s.MinTrial
		}
		if tn.s.Progress != nil {
			p.Elapsed = time.Since(start)
			tn.s.Progress(p)
		}
		if tn.converged {
			return res(Converged), nil
		}
	}
	return res(NotConverged), nil
}

// Train trains the model m, initialised by New or loaded, on task t with
// trials from src and settings s (nil for DefaultSettings(t)). It is
// NewTrainer followed by Trainer.Train; use a Trainer directly to
// checkpoint or to continue a canceled run.
func Train(ctx context.Context, m *Model, t tasks.Task, src TrialSource, s *Settings) (*Result, error) {
	tn, err := NewTrainer(m, t, s)
	if err != nil {
		return nil, err
	}
	return tn.Train(ctx, src)
}

// ErrDiverged is wrapped by the errors of a training that diverged: a loss,
// gradient or parameter that is NaN or infinite. Lower the learning rate or
// the initial gain.
var ErrDiverged = errors.New("training diverged")

// firstNonFinite returns the index of the first NaN or infinite value of
// xs, or -1.
func firstNonFinite(xs []float64) int {
	for i, x := range xs {
		if !finite(x) {
			return i
		}
	}
	return -1
}
