package pipeline

import (
	"fmt"
	"maps"
	"path/filepath"
	"strings"
)

// A Checker is a [Stage] that checks, when the pipeline is linted or
// compiled, what it will need from what feeds it: the trial length of an
// upstream task against its own sampling, say. Check is called once the
// stage's inputs are connected, with a function returning the kind and
// resolved settings of the stage feeding an input port (ok false when the
// port is not connected; settings nil when that stage's own settings are
// in error); its File settings hold absolute paths. An error is reported
// at the stage's position.
type Checker interface {
	Check(upstream func(port string) (kind string, settings map[string]any, ok bool)) error
}

// DefaultMemoryLimitGB is the memory, in gigabytes (10^9 bytes), that a
// stage's largest arrays may need before lint refuses the settings; a
// stage's memory_limit_gb setting raises (or lowers) it.
const DefaultMemoryLimitGB = 64

// MemoryLimitSetting is the setting memory_limit_gb, by which a stage that
// checks its memory with [CheckMemory] overrides DefaultMemoryLimitGB. It
// has no default, so that a stage that does not give it keeps its cache key.
func MemoryLimitSetting() Setting {
	return Setting{Name: "memory_limit_gb", Type: Float, Range: Above(0),
		Doc: fmt.Sprintf("memory in GB the stage's largest arrays may need before lint refuses the settings (default %d)", DefaultMemoryLimitGB)}
}

// MemoryNeed is an array a stage will hold: its name, its shape in words
// ("N×N float64") and its size in bytes.
type MemoryNeed struct {
	Name, Shape string
	Bytes       float64
}

// CheckMemory returns an error when needs add up to more than limitGB
// gigabytes (DefaultMemoryLimitGB when limitGB is 0). what says where the
// sizes come from ("N = 1000000000"); the message gives the largest array
// and the total, and names the memory_limit_gb setting.
func CheckMemory(what string, limitGB float64, needs ...MemoryNeed) error {
	if limitGB <= 0 {
		limitGB = DefaultMemoryLimitGB
	}
	total := 0.0
	var big MemoryNeed
	for _, n := range needs {
		total += n.Bytes
		if n.Bytes > big.Bytes {
			big = n
		}
	}
	if total <= limitGB*1e9 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s needs %s for %s (%s)", what, FormatBytes(big.Bytes), big.Name, big.Shape)
	if len(needs) > 1 {
		fmt.Fprintf(&b, " and %s in all", FormatBytes(total))
	}
	fmt.Fprintf(&b, ", above the memory limit of %s; set memory_limit_gb to run it on a machine that has the memory", FormatBytes(limitGB*1e9))
	return fmt.Errorf("%s", b.String())
}

// FormatBytes formats a size in decimal units: "512 B", "8 GB", "8 EB".
func FormatBytes(b float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
	i := 0
	for b >= 1000 && i < len(units)-1 {
		b /= 1000
		i++
	}
	if b < 10 && b != float64(int64(b)) {
		return fmt.Sprintf("%.1f %s", b, units[i])
	}
	return fmt.Sprintf("%.0f %s", b, units[i])
}

// absFiles returns the settings of n with its top-level File settings
// made absolute against dir (a copy when there are any).
func absFiles(n *Node, dir string) map[string]any {
	set := n.Settings
	if n.Spec == nil {
		return set
	}
	copied := false
	for _, s := range n.Spec.Settings {
		p, ok := set[s.Name].(string)
		if s.Type != File || !ok || filepath.IsAbs(p) {
			continue
		}
		if !copied {
			set = maps.Clone(set)
			copied = true
		}
		set[s.Name] = filepath.Join(dir, p)
	}
	return set
}

// checkStages calls Check on the stages that are [Checker]s; dir is the
// pipeline file's directory, against which File settings are resolved.
func checkStages(p *PipelineConfig, nodes []*Node, dir string, d *diagList) {
	byName := map[string]*Node{}
	for _, n := range nodes {
		byName[n.Name] = n
	}
	for i, n := range nodes {
		ck, ok := n.stage.(Checker)
		if !ok {
			continue
		}
		upstream := func(port string) (string, map[string]any, bool) {
			for _, in := range n.Inputs {
				if in.Port == port && len(in.From) == 1 {
					if u := byName[in.From[0].Stage]; u != nil && u.Settings != nil {
						return u.Kind, absFiles(u, dir), true
					} else if u != nil {
						return u.Kind, nil, true // its settings are in error, reported
					}
				}
			}
			return "", nil, false
		}
		if err := ck.Check(upstream); err != nil {
			s := p.Stages[i]
			d.add(s.Pos, "stage %s (%s): %v", s.Name, s.Kind, err)
		}
	}
}
