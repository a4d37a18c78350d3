package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spikernn/spikernn/pipeline"
)

// StampFile, in the sweep's directory, records what the aggregates were
// written from, for [Sweep.Fresh].
const StampFile = ".aggregated.json"

// stamp is the content of StampFile.
type stamp struct {
	// Key hashes every point's state and the time and size of its
	// records.
	Key string `json:"key"`
	// Files are the files written, relative to the sweep's directory.
	Files []string `json:"files"`
}

// stampKey hashes what the aggregates depend on: the program, and for
// every point its name, state, and the modification time and size of its
// DoneFile and FailedFile (a point run again, even with the same graph,
// rewrites its DoneFile).
func (s *Sweep) stampKey(states []PointState) string {
	h := sha256.New()
	fmt.Fprintf(h, "program %d\npipeline %s\n", pipeline.ProgramVersion, s.Pipeline)
	for i, st := range states {
		fmt.Fprintf(h, "%s %s", st.Point, st.State)
		for _, f := range []string{DoneFile, FailedFile} {
			if fi, err := os.Stat(filepath.Join(s.Points[i].Dir(), f)); err == nil {
				fmt.Fprintf(h, " %s:%d:%d", f, fi.ModTime().UnixNano(), fi.Size())
			}
		}
		fmt.Fprintln(h)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Stamp records, in StampFile, the point states the aggregates were just
// written from (Write calls it).
func (a *Aggregate) Stamp() error {
	b, err := json.MarshalIndent(stamp{Key: a.Sweep.stampKey(a.States), Files: a.Files}, "", "  ")
	if err != nil {
		return err
	}
	return pipeline.WriteFileAtomic(filepath.Join(a.Sweep.Dir, StampFile), append(b, '\n'), 0o644)
}

// Fresh reports whether the aggregates in the sweep's directory were
// written (and stamped) from the points as they are now, and are all
// there: a run that changed nothing need not write them again.
func (s *Sweep) Fresh() bool {
	b, err := os.ReadFile(filepath.Join(s.Dir, StampFile))
	if err != nil {
		return false
	}
	var st stamp
	if json.Unmarshal(b, &st) != nil || len(st.Files) == 0 {
		return false
	}
	for _, f := range st.Files {
		if !filepath.IsLocal(f) || strings.HasPrefix(f, ".") {
			return false
		}
		if _, err := os.Stat(filepath.Join(s.Dir, f)); err != nil {
			return false
		}
	}
	return st.Key == s.stampKey(s.Status())
}
