package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// A sweep runs every arm in every cell of a parameter grid, replications
// times. A cell is the scenario with one value set at each of the grid's
// paths; replication r of every arm and cell draws from the random
// streams of (seed, r), so the arms of one replication see the same
// workload and the same random numbers (common random numbers): their
// differences are paired.

// DefaultReplications is how many replications a scenario runs unless it
// says otherwise: the fewest for which a 95 % t interval is not wider than
// about 1.4 standard deviations on each side (t(0.975, 4) = 2.776, so the
// half-width is 2.776 / sqrt(5) = 1.24 standard deviations).
const DefaultReplications = 5

// MaxReplications and MaxCells bound a sweep.
const (
	MaxReplications = 10_000
	MaxCells        = 100_000
)

// SweepSpec is the [sweep] table.
type SweepSpec struct {
	// Replications of every arm in every cell. Default 5.
	Replications *int `toml:"replications" json:"replications"`
	// Reference names the arm that paired differences are taken against.
	// Default: the first arm.
	Reference string `toml:"reference" json:"reference"`
	// Grid is the parameter grid: the cells are every combination of one
	// value per axis, the first axis varying slowest.
	Grid []GridAxis `toml:"grid" json:"grid,omitempty"`
}

// GridAxis is one parameter of the grid: a scenario value by its path
// (simulation.cpu_bound_fraction, objective.carbon, slo.factor,
// arms[0].operational.keepalive, simulation.window, ...) and the values it
// takes, written as in the scenario.
type GridAxis struct {
	Path   string `toml:"path" json:"path"`
	Values []any  `toml:"values" json:"values"`
}

// Cell is one point of the grid.
type Cell struct {
	Index int
	// Params are the cell's assignments as "path=value", in axis order
	// (none without a grid).
	Params []string
	// Plan is the scenario with the cell's values set (the plan itself
	// without a grid).
	Plan *Plan
}

// Cells returns the cells of the plan's sweep, in order: every
// combination of the grid's values, the first axis varying slowest. Each
// cell's scenario is resolved and checked as a scenario file would be.
func (p *Plan) Cells() []Cell { return p.cells }

// Replications returns how many replications each arm runs in each cell.
func (p *Plan) Replications() int { return *p.Scenario.Sweep.Replications }

// Reference returns the index of the reference arm.
func (p *Plan) Reference() int {
	for i, a := range p.Arms {
		if a.Name == p.Scenario.Sweep.Reference {
			return i
		}
	}
	return 0
}

// Jobs returns how many jobs the sweep has: cells × arms × replications.
func (p *Plan) Jobs() int { return len(p.cells) * len(p.Arms) * p.Replications() }

// Job is one run of a sweep: an arm in a cell, one replication.
type Job struct {
	Cell, Arm, Replication int
}

// JobAt returns the k-th job of the sweep: jobs are ordered by cell, then
// replication, then arm, so that the arms of one replication run side by
// side.
func (p *Plan) JobAt(k int) Job {
	arms, reps := len(p.Arms), p.Replications()
	return Job{Cell: k / (arms * reps), Replication: k / arms % reps, Arm: k % arms}
}

// Shard is a share of a sweep's jobs: job k belongs to shard I of N when
// k mod N = I-1.
type Shard struct{ I, N int }

// ParseShard reads "i/n", 1 <= i <= n.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 1 <= i <= n (e.g. 1/4)", s)
	}
	return Shard{I: i, N: n}, nil
}

// Has reports whether job k belongs to the shard (every job for the zero
// Shard).
func (s Shard) Has(k int) bool { return s.N <= 1 || k%s.N == s.I-1 }

// pathSegment is one step of a grid path: a key, and an index into an
// array of tables if [i] follows it.
var pathSegment = regexp.MustCompile(`^([A-Za-z0-9_-]+)(?:\[(\d+)\])?$`)

// setPath sets the value at path in a decoded TOML document, creating the
// tables on the way.
func setPath(doc map[string]any, path string, v any) error {
	segs := strings.Split(path, ".")
	cur := doc
	for k, seg := range segs {
		m := pathSegment.FindStringSubmatch(seg)
		if m == nil {
			return fmt.Errorf("%q is not a key or key[index]", seg)
		}
		key, last := m[1], k == len(segs)-1
		if m[2] != "" {
			idx, _ := strconv.Atoi(m[2])
			arr, ok := cur[key].([]map[string]any)
			if !ok || idx >= len(arr) {
				return fmt.Errorf("%s[%d]: no such table (the scenario has %d)", key, idx, len(arr))
			}
			if last {
				return fmt.Errorf("%s[%d]: a whole table cannot be set; name a key inside it", key, idx)
			}
			cur = arr[idx]
			continue
		}
		if last {
			cur[key] = v
			return nil
		}
		next, ok := cur[key]
		if !ok {
			t := map[string]any{}
			cur[key] = t
			cur = t
			continue
		}
		switch t := next.(type) {
		case map[string]any:
			cur = t
		case string:
			// A policy given by name alone: make it a table keeping the name.
			tbl := map[string]any{"policy": t}
			cur[key] = tbl
			cur = tbl
		default:
			return fmt.Errorf("%s is a value, not a table", key)
		}
	}
	return nil
}

// valueText writes a grid value as a scenario would.
func valueText(v any) string {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(map[string]any{"v": v}); err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSpace(strings.TrimPrefix(b.String(), "v = "))
	if strings.Contains(s, "\n") { // a table: print it inline
		var parts []string
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "[") {
				parts = append(parts, l)
			}
		}
		s = "{" + strings.Join(parts, ", ") + "}"
	}
	return s
}

// checkSweep checks the [sweep] table.
func checkSweep(s *Scenario, ps *problems) {
	sw := &s.Sweep
	if r := *sw.Replications; r < 1 || r > MaxReplications {
		ps.add("sweep.replications", "must be in 1..%d (got %d)", MaxReplications, r)
	}
	if sw.Reference != "" && !slices.ContainsFunc(s.Arms, func(a ArmSpec) bool { return a.Name == sw.Reference }) {
		ps.add("sweep.reference", "names no arm (%q)", sw.Reference)
	}
	cells := 1.0
	for i, ax := range sw.Grid {
		key := fmt.Sprintf("sweep.grid[%d]", i)
		switch {
		case ax.Path == "":
			ps.add(key+".path", "missing: the scenario value the axis varies (e.g. simulation.cpu_bound_fraction)")
		case ax.Path == "sweep" || strings.HasPrefix(ax.Path, "sweep.") || ax.Path == "seed" || ax.Path == "name":
			ps.add(key+".path", "%s cannot vary in a grid (replications vary the seed)", ax.Path)
		case slices.ContainsFunc(sw.Grid[:i], func(o GridAxis) bool { return o.Path == ax.Path }):
			ps.add(key+".path", "%s is already an axis", ax.Path)
		}
		if len(ax.Values) == 0 {
			ps.add(key+".values", "empty: an axis needs at least one value")
		}
		cells *= float64(max(len(ax.Values), 1))
	}
	if cells > MaxCells {
		ps.add("sweep.grid", "%.0f cells: at most %d", math.Min(cells, 1e18), MaxCells)
	}
}

// expandCells builds the plan's cells from the scenario file's data.
func (p *Plan) expandCells(data []byte) error {
	grid := p.Scenario.Sweep.Grid
	if len(grid) == 0 {
		p.cells = []Cell{{Index: 0, Params: []string{}, Plan: p}}
		return nil
	}
	n := 1
	for _, ax := range grid {
		n *= len(ax.Values)
	}
	var errs []error
	for c := 0; c < n; c++ {
		var doc map[string]any
		if _, err := toml.Decode(string(data), &doc); err != nil {
			return err
		}
		if sw, ok := doc["sweep"].(map[string]any); ok {
			delete(sw, "grid") // a cell is a plain scenario
		}
		params := make([]string, len(grid))
		rest := c
		stride := n
		var cellErr error
		for i, ax := range grid {
			stride /= len(ax.Values)
			v := ax.Values[rest/stride]
			rest %= stride
			params[i] = ax.Path + "=" + valueText(v)
			if err := setPath(doc, ax.Path, v); err != nil {
				cellErr = fmt.Errorf("sweep.grid[%d].path %s: %w", i, ax.Path, err)
				break
			}
		}
		if cellErr != nil {
			errs = append(errs, cellErr)
			break // the same path fails in every cell
		}
		var buf bytes.Buffer
		if err := toml.NewEncoder(&buf).Encode(doc); err != nil {
			return fmt.Errorf("sweep cell %d (%s): %w", c, strings.Join(params, ", "), err)
		}
		name := fmt.Sprintf("%s, sweep cell %d (%s)", p.File, c, strings.Join(params, ", "))
		cp, err := Parse(name, buf.Bytes(), p.Dir, p.Registry)
		if err != nil {
			var se *Error
			if errors.As(err, &se) {
				for i := range se.Problems {
					se.Problems[i].Line = 0 // lines of the rewritten scenario mean nothing to its author
				}
			}
			errs = append(errs, err)
			if len(errs) >= 3 {
				break
			}
			continue
		}
		if len(cp.Arms) != len(p.Arms) {
			errs = append(errs, fmt.Errorf("%s: %d arms, the sweep has %d (a grid cannot add or remove arms)", name, len(cp.Arms), len(p.Arms)))
			continue
		}
		p.cells = append(p.cells, Cell{Index: c, Params: params, Plan: cp})
	}
	return errors.Join(errs...)
}
