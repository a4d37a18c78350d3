package interop

import (
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// openDB opens an in-memory DuckDB whose working directory for relative
// file names is irrelevant: queries use absolute paths.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// pq quotes the path of a pipeline output for a query.
func pq(dir, name string) string {
	return "'" + strings.ReplaceAll(filepath.Join(dir, name), "'", "''") + "'"
}

// TestSpikesPerTrial: the spikes table holds, for every trial, as many
// rows as the trials table's n_spikes, and the 5 ms rates add up to the
// same counts.
func TestSpikesPerTrial(t *testing.T) {
	dir := pipelineDir(t)
	db := openDB(t)
	rows, err := db.Query(`
		SELECT t.trial, t.n_spikes,
		       (SELECT count(*) FROM read_parquet(` + pq(dir, "spikes.parquet") + `) s WHERE s.trial = t.trial),
		       (SELECT round(sum(r.rate_hz * 0.005)) FROM read_parquet(` + pq(dir, "rates.parquet") + `) r WHERE r.trial = t.trial)
		FROM read_parquet(` + pq(dir, "trials.parquet") + `) t ORDER BY t.trial`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	var total int64
	for rows.Next() {
		var trial int32
		var nSpikes, count int64
		var fromRates float64
		if err := rows.Scan(&trial, &nSpikes, &count, &fromRates); err != nil {
			t.Fatal(err)
		}
		if nSpikes != count || float64(nSpikes) != fromRates {
			t.Errorf("trial %d: n_spikes %d, %d spike rows, rates add up to %g spikes", trial, nSpikes, count, fromRates)
		}
		total += nSpikes
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != Trials || total == 0 {
		t.Errorf("%d trials with %d spikes, want %d trials with spikes", n, total, Trials)
	}
}

// TestNeuronTypes: every spike's neuron is in the neurons table, as an E
// or an I unit.
func TestNeuronTypes(t *testing.T) {
	dir := pipelineDir(t)
	db := openDB(t)
	var spikes, joined int64
	if err := db.QueryRow(`SELECT count(*) FROM read_parquet(` + pq(dir, "spikes.parquet") + `)`).Scan(&spikes); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`
		SELECT n.type, count(*) FROM read_parquet(` + pq(dir, "spikes.parquet") + `) s
		JOIN read_parquet(` + pq(dir, "neurons.parquet") + `) n ON s.neuron = n.neuron
		GROUP BY n.type ORDER BY n.type`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var types []string
	for rows.Next() {
		var typ string
		var c int64
		if err := rows.Scan(&typ, &c); err != nil {
			t.Fatal(err)
		}
		types = append(types, typ)
		joined += c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(types, []string{"E", "I"}) || joined != spikes || spikes == 0 {
		t.Errorf("spikes ⋈ neurons: types %v, %d of %d spikes joined", types, joined, spikes)
	}
	var units, inh int64
	if err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE type = 'I') FROM read_parquet(`+pq(dir, "neurons.parquet")+`)`).Scan(&units, &inh); err != nil {
		t.Fatal(err)
	}
	if units != 40 || inh == 0 || inh == units {
		t.Errorf("neurons: %d units, %d inhibitory", units, inh)
	}
}

// TestProvenanceMetadata: parquet_kv_metadata shows the provenance keys
// in every table.
func TestProvenanceMetadata(t *testing.T) {
	dir := pipelineDir(t)
	db := openDB(t)
	for _, f := range []string{"spikes.parquet", "rates.parquet", "outputs.parquet", "trials.parquet", "neurons.parquet", "lambda.parquet"} {
		rows, err := db.Query(`SELECT decode(key), decode(value) FROM parquet_kv_metadata(` + pq(dir, f) + `)`)
		if err != nil {
			t.Fatal(err)
		}
		kv := map[string]string{}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			kv[k] = v
		}
		rows.Close()
		for _, k := range []string{"pipeline", "stage", "kind", "cache_key", "program_version", "params", "settings", "param.seed", "param.N"} {
			if kv[k] == "" {
				t.Errorf("%s: no %q in parquet_kv_metadata (keys: %v)", f, k, keys(kv))
			}
		}
		if kv["pipeline"] != "go-nogo" || kv["param.N"] != "40" {
			t.Errorf("%s: pipeline %q, param.N %q", f, kv["pipeline"], kv["param.N"])
		}
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// TestColumnTypes: every table has the documented columns and types.
func TestColumnTypes(t *testing.T) {
	dir := pipelineDir(t)
	db := openDB(t)
	want := map[string]string{
		"spikes.parquet":  "trial INTEGER, neuron INTEGER, step INTEGER, t FLOAT",
		"rates.parquet":   "trial INTEGER, neuron INTEGER, bin INTEGER, t FLOAT, rate_hz FLOAT",
		"outputs.parquet": "trial INTEGER, step INTEGER, t FLOAT, out FLOAT",
		"trials.parquet":  "trial INTEGER, task VARCHAR, label VARCHAR, lambda DOUBLE, correct BOOLEAN, n_spikes BIGINT, seed BIGINT",
		"neurons.parquet": "neuron INTEGER, type VARCHAR, td_ms DOUBLE",
		"lambda.parquet":  "factor DOUBLE, trial INTEGER, label VARCHAR, correct BOOLEAN, peak DOUBLE, accuracy DOUBLE, accuracy_lo DOUBLE, accuracy_hi DOUBLE",
	}
	for f, w := range want {
		rows, err := db.Query(`DESCRIBE SELECT * FROM read_parquet(` + pq(dir, f) + `)`)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			got = append(got, vals[0].(string)+" "+vals[1].(string))
		}
		rows.Close()
		if g := strings.Join(got, ", "); g != w {
			t.Errorf("%s: columns %s, want %s", f, g, w)
		}
	}
	// Rates: every neuron in every 5 ms bin of every trial; outputs: one
	// row per millisecond (every 20 steps of 0.05 ms).
	var rates, bins, outs, steps int64
	var tmax float64
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT bin), max(t) FROM read_parquet(`+pq(dir, "rates.parquet")+`)`).Scan(&rates, &bins, &tmax); err != nil {
		t.Fatal(err)
	}
	if bins != 200 || rates != Trials*40*200 || tmax < 0.99 || tmax > 1 {
		t.Errorf("rates: %d rows, %d bins, last bin at %g s", rates, bins, tmax)
	}
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT step) FROM read_parquet(`+pq(dir, "outputs.parquet")+`)`).Scan(&outs, &steps); err != nil {
		t.Fatal(err)
	}
	if steps != 1000 || outs != Trials*1000 {
		t.Errorf("outputs: %d rows, %d distinct steps", outs, steps)
	}
}
