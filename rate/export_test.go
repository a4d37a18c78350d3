package rate

// RestartTrainer puts tn back at the start of training: the parameters of
// m0 (a copy of the model tn was made on, before any step) and a fresh
// optimiser. It allocates nothing, so that a benchmark can measure a step
// at a fixed point of training.
func RestartTrainer(tn *Trainer, m0 *Model) {
	m := tn.m
	m.W.Copy(m0.W)
	copy(m.WOut, m0.WOut)
	m.BOut = m0.BOut
	copy(m.TausGaus, m0.TausGaus)
	w := m.W.RawMatrix()
	set := &tn.set
	for q := range set.idx {
		tn.theta[q] = w.Data[int(set.row[q])*w.Stride+int(set.col[q])]
	}
	k, n := len(set.idx), m.N
	copy(tn.theta[k:k+n], m.WOut)
	tn.theta[k+n] = m.BOut
	if len(m.Taus) == 2 {
		copy(tn.theta[k+n+1:], m.TausGaus)
	}
	clear(tn.adam.M)
	clear(tn.adam.V)
	tn.adam.Step = 0
	tn.scatter()
}
