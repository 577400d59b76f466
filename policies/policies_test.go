package policies_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/policies/operational/oracle"
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

func env(t *testing.T) (policy.Env, *sim.Catalog) {
	t.Helper()
	p, err := scenarios.Default(policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	return policy.Env{Catalog: p.Catalog, Streams: sim.NewStreams(1, 0),
		Objective: sim.DefaultObjective(), Tick: 15 * sim.Second}, p.Catalog
}

func TestRegistry(t *testing.T) {
	r := policies.Builtin()
	want := map[policies.Layer]int{policies.Strategic: 8, policies.Tactical: 5, policies.Operational: 6}
	for l, n := range want {
		if got := len(r.Names(l)); got != n {
			t.Errorf("%s: %d policies, want %d", l, got, n)
		}
	}
	if err := r.AddStrategic("cheapest", "again", nil); err == nil {
		t.Error("a duplicate name was accepted")
	}
	e, _ := env(t)
	if _, err := r.NewTactical("closest", policy.NoArgs{}, e); err == nil || !strings.Contains(err.Error(), "known: cheapest-region, fixed, greenest-region, nearest, power-tuning") {
		t.Errorf("unknown name: %v", err)
	}
}

func TestEveryPolicyBuildsAndRejectsUnknownSettings(t *testing.T) {
	r := policies.Builtin()
	e, _ := env(t)
	bogus := scenarios.Args(map[string]any{"bogus_setting": 1})
	for _, info := range r.List() {
		var errOK, errBogus error
		args := policy.Args(policy.NoArgs{})
		if info.Name == "single-cloud" {
			args = scenarios.Args(map[string]any{"provider": "gcp"})
		}
		switch info.Layer {
		case policies.Strategic:
			_, errOK = r.NewStrategic(info.Name, args, e)
			_, errBogus = r.NewStrategic(info.Name, bogus, e)
		case policies.Tactical:
			_, errOK = r.NewTactical(info.Name, args, e)
			_, errBogus = r.NewTactical(info.Name, bogus, e)
		case policies.Operational:
			_, errOK = r.NewOperational(info.Name, args, e)
			_, errBogus = r.NewOperational(info.Name, bogus, e)
		}
		if errOK != nil {
			t.Errorf("%s %s with default settings: %v", info.Layer, info.Name, errOK)
		}
		if errBogus == nil || !strings.Contains(errBogus.Error(), "bogus_setting") {
			t.Errorf("%s %s accepted an unknown setting (error %v)", info.Layer, info.Name, errBogus)
		}
		if info.Summary == "" {
			t.Errorf("%s %s has no summary", info.Layer, info.Name)
		}
	}
}

// The oracle knows the future: it must read as a bound wherever it is
// named.
func TestOracleIsNamedABound(t *testing.T) {
	if !strings.Contains(oracle.Label, "bound") || !strings.HasPrefix(oracle.Summary, "cold-start bound, not a policy") {
		t.Errorf("oracle label %q, summary %q", oracle.Label, oracle.Summary)
	}
}

// Policies open no files: whatever they read comes through policy.Env
// (Files for a learned policy's weights), so a scenario decides what they
// see. No non-test source file under policies/ imports os.
func TestPoliciesOpenNoFiles(t *testing.T) {
	fset := token.NewFileSet()
	n := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		n++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "os" || p == "io/ioutil" {
				t.Errorf("%s imports %s: a policy reads files through policy.Env.Files", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("checked only %d files", n)
	}
}
