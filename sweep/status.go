package sweep

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/gofrs/flock"

	"github.com/spikernn/spikernn/pipeline"
)

// Point states of a [PointState].
const (
	StateDone    = "done"
	StateRunning = "running"
	StateFailed  = "failed"
	StatePending = "pending"
)

// A PointState is what the workspace says of a point.
type PointState struct {
	Point string `json:"point"`
	State string `json:"state"`
	// Dir is the point's directory.
	Dir string `json:"dir"`
	// Message is the failure's first line for a failed point, and says
	// why a point with a done record is pending (the pipeline changed
	// since).
	Message string `json:"message,omitempty"`
}

// Status reads the state of every point from the workspace alone, without
// running anything: running when another process holds the point's lock,
// failed when it has a FailedFile, done when its DoneFile records the
// point's current graph, pending otherwise.
func (s *Sweep) Status() []PointState {
	out := make([]PointState, len(s.Points))
	for i, pr := range s.Points {
		out[i] = pointState(pr)
	}
	return out
}

func pointState(pr *PointRun) PointState {
	st := PointState{Point: pr.Name, Dir: pr.Dir(), State: StatePending}
	if locked(pr.Dir()) {
		st.State = StateRunning
		return st
	}
	if b, err := os.ReadFile(filepath.Join(pr.Dir(), FailedFile)); err == nil {
		st.State = StateFailed
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		st.Message = lines[len(lines)-1]
		return st
	}
	rec, err := readDone(pr.Dir())
	switch {
	case err == nil && rec.Key == pr.Key():
		st.State = StateDone
	case err == nil:
		st.Message = "finished before the pipeline changed"
	}
	return st
}

// locked reports whether another process holds the lock of dir, by taking
// it shared for an instant (the runs wait a moment for their lock, so the
// probe never fails one).
func locked(dir string) bool {
	path := filepath.Join(dir, pipeline.LockName)
	if _, err := os.Stat(path); err != nil {
		return false
	}
	fl := flock.New(path)
	ok, err := fl.TryRLock()
	if err != nil {
		return false
	}
	if ok {
		fl.Unlock()
	}
	return !ok
}

// Counts returns the number of points in each state.
func Counts(states []PointState) map[string]int {
	c := map[string]int{StateDone: 0, StateRunning: 0, StateFailed: 0, StatePending: 0}
	for _, s := range states {
		c[s.State]++
	}
	return c
}
