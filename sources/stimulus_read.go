package sources

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/matfile"
	"github.com/spikernn/spikernn/sinks"
)

// stimulusOptions say where in a file the stimuli are.
type stimulusOptions struct {
	// matVar and labelsVar name the .mat variables of the stimuli and of
	// their labels.
	matVar, labelsVar string
	// columns lists the input columns of a table, in order; empty: every
	// column but the reserved ones.
	columns []string
}

// Reserved columns of a stimulus table: the trial a row belongs to, the
// trial's label and the time of the row (ignored).
const (
	colTrial = "trial"
	colLabel = "label"
	colTime  = "t"
)

// readStimuli reads the stimuli of a .mat, .csv or .parquet file (by its
// extension) and checks them: at least one, each of at least two columns,
// all of one number of inputs, every value finite.
func readStimuli(path string, o stimulusOptions) (*items.Stimuli, error) {
	var st *items.Stimuli
	var err error
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".mat":
		st, err = readStimuliMat(path, o)
	case ".csv":
		st, err = readStimuliCSV(path, o)
	case ".parquet":
		st, err = readStimuliParquet(path, o)
	default:
		return nil, fmt.Errorf("stimulus file %s: unknown extension %q: want .mat, .csv or .parquet", path, ext)
	}
	if err != nil {
		return nil, err
	}
	return st, checkStimuli(path, st)
}

func checkStimuli(path string, st *items.Stimuli) error {
	if len(st.Stimuli) == 0 {
		return fmt.Errorf("stimulus file %s: no stimulus", path)
	}
	st.Inputs = len(st.Stimuli[0].U)
	for k, s := range st.Stimuli {
		if len(s.U) != st.Inputs {
			return fmt.Errorf("stimulus file %s: stimulus %d has %d inputs, stimulus 0 has %d", path, k, len(s.U), st.Inputs)
		}
		if st.Inputs == 0 || s.Columns() < 2 {
			return fmt.Errorf("stimulus file %s: stimulus %d is %d×%d: want at least one input and two columns of 5 ms", path, k, len(s.U), s.Columns())
		}
		for i, row := range s.U {
			if len(row) != s.Columns() {
				return fmt.Errorf("stimulus file %s: stimulus %d: input %d has %d columns, input 0 has %d", path, k, i, len(row), s.Columns())
			}
			for j, x := range row {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return fmt.Errorf("stimulus file %s: stimulus %d: input %d, column %d is %v, want a finite number", path, k, i, j, x)
				}
			}
		}
	}
	return nil
}

// readStimuliMat reads the variable o.matVar: one inputs × columns matrix,
// an inputs × columns × stimuli array, or a cell array of matrices; and
// the labels, o.labelsVar, when the file has it: one number or one string
// per stimulus.
func readStimuliMat(path string, o stimulusOptions) (*items.Stimuli, error) {
	f, err := matfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("stimulus file: %w", err)
	}
	v, err := f.Var(o.matVar)
	if err != nil {
		return nil, fmt.Errorf("stimulus file %s: %w (set var to the variable holding the stimuli)", path, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("stimulus file %s: variable %s: %s", path, o.matVar, fmt.Sprintf(format, args...))
	}
	st := &items.Stimuli{}
	switch {
	case v.Class == matfile.Cell:
		for k, e := range v.Elems {
			u, err := matRows(e)
			if err != nil {
				return nil, bad("cell %d: %v", k+1, err)
			}
			st.Stimuli = append(st.Stimuli, items.Stimulus{U: u})
		}
	case len(v.Dims) == 2:
		u, err := matRows(v)
		if err != nil {
			return nil, bad("%v", err)
		}
		st.Stimuli = []items.Stimulus{{U: u}}
	case len(v.Dims) == 3:
		x, err := v.Float64s()
		if err != nil {
			return nil, bad("%v", err)
		}
		r, c := v.Dims[0], v.Dims[1]
		for k := range v.Dims[2] {
			u := make([][]float64, r)
			for i := range u {
				u[i] = make([]float64, c)
				for j := range u[i] {
					u[i][j] = x[i+r*(j+c*k)]
				}
			}
			st.Stimuli = append(st.Stimuli, items.Stimulus{U: u})
		}
	default:
		return nil, bad("is %v: want inputs × columns, inputs × columns × stimuli or a cell array of matrices", v.Dims)
	}
	if f.Has(o.labelsVar) {
		lv, err := f.Var(o.labelsVar)
		if err != nil {
			return nil, fmt.Errorf("stimulus file %s: %w", path, err)
		}
		labels, err := matLabels(lv)
		if err != nil {
			return nil, fmt.Errorf("stimulus file %s: variable %s: %v", path, o.labelsVar, err)
		}
		if len(labels) != len(st.Stimuli) {
			return nil, fmt.Errorf("stimulus file %s: variable %s has %d labels for %d stimuli", path, o.labelsVar, len(labels), len(st.Stimuli))
		}
		for k := range st.Stimuli {
			st.Stimuli[k].Label = labels[k]
		}
	}
	name(st, nil)
	return st, nil
}

// matRows returns a 2-D numeric variable as rows.
func matRows(v *matfile.Var) ([][]float64, error) {
	if len(v.Dims) != 2 {
		return nil, fmt.Errorf("is %v, want inputs × columns", v.Dims)
	}
	d, err := v.Dense()
	if err != nil {
		return nil, err
	}
	r, _ := d.Dims()
	u := make([][]float64, r)
	for i := range u {
		u[i] = slices.Clone(d.RawRowView(i))
	}
	return u, nil
}

// matLabels returns the labels of a numeric vector, a char matrix (one
// label a row) or a cell array of strings.
func matLabels(v *matfile.Var) ([]string, error) {
	switch v.Class {
	case matfile.Char:
		rows, err := v.Strings()
		if err != nil {
			return nil, err
		}
		for i := range rows {
			rows[i] = strings.TrimSpace(rows[i])
		}
		return rows, nil
	case matfile.Cell:
		out := make([]string, len(v.Elems))
		for i, e := range v.Elems {
			s, err := e.Text()
			if err != nil {
				return nil, fmt.Errorf("cell %d: %v", i+1, err)
			}
			out[i] = strings.TrimSpace(s)
		}
		return out, nil
	}
	x, err := v.Float64s()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(x))
	for i, f := range x {
		out[i] = strconv.FormatFloat(f, 'g', -1, 64)
	}
	return out, nil
}

// readStimuliCSV reads a CSV file: without a header, one matrix, a line
// per input and a field per column (numpy.savetxt(path, u, delimiter=','),
// MATLAB's writematrix); with a header (a first line that is not all
// numbers), a table as readTable takes it. Lines starting with # are
// comments.
func readStimuliCSV(path string, o stimulusOptions) (*items.Stimuli, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("stimulus file: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.TrimLeadingSpace = true
	var records [][]string
	var lines []int
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("stimulus file %s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		records = append(records, rec)
		lines = append(lines, line)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("stimulus file %s: empty", path)
	}
	if !allNumbers(records[0]) {
		return csvTable(path, records, lines, o)
	}
	u := make([][]float64, len(records))
	for i, rec := range records {
		u[i] = make([]float64, len(rec))
		for j, s := range rec {
			if u[i][j], err = parseNumber(s); err != nil {
				return nil, fmt.Errorf("%s:%d: field %d: %v", path, lines[i], j+1, err)
			}
		}
	}
	return &items.Stimuli{Stimuli: []items.Stimulus{{Name: "stimulus 0", U: u}}}, nil
}

func allNumbers(rec []string) bool {
	for _, s := range rec {
		if _, err := parseNumber(s); err != nil {
			return false
		}
	}
	return true
}

func parseNumber(s string) (float64, error) {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return x, nil
}

// csvTable turns a CSV file with a header into a table: a column whose
// fields are all numbers is numeric, any other holds text.
func csvTable(path string, records [][]string, lines []int, o stimulusOptions) (*items.Stimuli, error) {
	body := records[1:]
	t := &table{path: path, rows: len(body), rowName: func(i int) string { return fmt.Sprintf("%s:%d", path, lines[i+1]) }}
	for j, name := range records[0] {
		c := tableColumn{name: strings.TrimSpace(name), bad: -1}
		floats := make([]float64, len(body))
		for i, rec := range body {
			x, err := parseNumber(rec[j])
			if err != nil {
				c.bad = i
				break
			}
			floats[i] = x
		}
		if c.bad < 0 {
			c.floats = floats
		} else {
			for _, rec := range body {
				c.strings = append(c.strings, strings.TrimSpace(rec[j]))
			}
		}
		t.cols = append(t.cols, c)
	}
	return t.stimuli(o)
}

// readStimuliParquet reads a Parquet file as a table.
func readStimuliParquet(path string, o stimulusOptions) (*items.Stimuli, error) {
	pf, err := sinks.ReadParquet(path)
	if err != nil {
		return nil, fmt.Errorf("stimulus file: %w", err)
	}
	t := &table{path: path, rows: int(pf.Rows)}
	for _, c := range pf.Columns {
		t.cols = append(t.cols, tableColumn{name: c.Name, floats: c.Floats, strings: c.Strings, bad: 0})
	}
	t.rowName = func(i int) string { return fmt.Sprintf("%s: row %d", path, i) }
	return t.stimuli(o)
}

// table is a stimulus table: one row per column of 5 ms, one column per
// input, and the reserved columns trial (the stimulus a row belongs to),
// label (the stimulus's label) and t (ignored).
type table struct {
	path    string
	rows    int
	cols    []tableColumn
	rowName func(i int) string
}

// tableColumn holds a column's values, numbers or strings; bad is the
// first row of a text column that is not a number (-1: none known).
type tableColumn struct {
	name    string
	floats  []float64
	strings []string
	bad     int
}

// text returns row i of the column as text.
func (c *tableColumn) text(i int) string {
	if c.strings != nil {
		return c.strings[i]
	}
	return strconv.FormatFloat(c.floats[i], 'g', -1, 64)
}

func (t *table) column(name string) *tableColumn {
	for i := range t.cols {
		if t.cols[i].name == name {
			return &t.cols[i]
		}
	}
	return nil
}

// stimuli groups the rows by trial, in order of first appearance, and
// reads the inputs.
func (t *table) stimuli(o stimulusOptions) (*items.Stimuli, error) {
	inputs, err := t.inputs(o)
	if err != nil {
		return nil, err
	}
	trial, label := t.column(colTrial), t.column(colLabel)
	order := []string{}
	rowsOf := map[string][]int{}
	for i := range t.rows {
		id := "0"
		if trial != nil {
			id = trial.text(i)
		}
		if _, ok := rowsOf[id]; !ok {
			order = append(order, id)
		}
		rowsOf[id] = append(rowsOf[id], i)
	}
	st := &items.Stimuli{}
	for _, id := range order {
		rows := rowsOf[id]
		s := items.Stimulus{U: make([][]float64, len(inputs))}
		for k, c := range inputs {
			s.U[k] = make([]float64, len(rows))
			for j, i := range rows {
				s.U[k][j] = c.floats[i]
			}
		}
		if label != nil {
			s.Label = label.text(rows[0])
			for _, i := range rows {
				if l := label.text(i); l != s.Label {
					return nil, fmt.Errorf("%s: label %q, but the first row of trial %s has %q: one label per trial", t.rowName(i), l, id, s.Label)
				}
			}
		}
		st.Stimuli = append(st.Stimuli, s)
	}
	if trial != nil {
		name(st, order)
	} else {
		name(st, nil)
	}
	return st, nil
}

// inputs returns the input columns: o.columns, or every column but the
// reserved ones, in file order; all numeric.
func (t *table) inputs(o stimulusOptions) ([]*tableColumn, error) {
	var cols []*tableColumn
	if len(o.columns) > 0 {
		for _, name := range o.columns {
			c := t.column(name)
			if c == nil {
				return nil, fmt.Errorf("stimulus file %s: no column %q (columns setting)", t.path, name)
			}
			cols = append(cols, c)
		}
	} else {
		for i := range t.cols {
			switch c := &t.cols[i]; c.name {
			case colTrial, colLabel, colTime, "__index_level_0__":
			default:
				cols = append(cols, c)
			}
		}
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("stimulus file %s: no input column (every column but trial, label and t is an input)", t.path)
	}
	for _, c := range cols {
		if c.floats == nil && t.rows > 0 {
			return nil, fmt.Errorf("%s: input column %s: %q is not a number", t.rowName(max(c.bad, 0)), c.name, c.strings[max(c.bad, 0)])
		}
	}
	return cols, nil
}

// name names the stimuli: by label, by trial id (ids, when the table has a
// trial column) or as "stimulus k".
func name(st *items.Stimuli, ids []string) {
	for k := range st.Stimuli {
		s := &st.Stimuli[k]
		switch {
		case s.Name != "":
		case s.Label != "":
			s.Name = s.Label
		case ids != nil:
			s.Name = "trial " + ids[k]
		default:
			s.Name = fmt.Sprintf("stimulus %d", k)
		}
	}
}
