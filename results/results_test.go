package results

import (
	"bytes"
	"encoding/csv"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/billing"
)

func sample() *Summary {
	cat := &sim.Catalog{Providers: []sim.Provider{{Name: "aws", Billing: billing.Rules{RequestUSD: 2e-7, FreeRequests: 1e6, GBSecondUSD: 1e-5, FreeGBSeconds: 4e5}}, {Name: "gcp"}}}
	m := &sim.Metrics{Horizon: sim.Time(30 * sim.Day), Arrived: 100, Completed: 90, InFlight: 4, ColdStarts: 10, WarmStarts: 84,
		SLAViolations: 12, Cost: sim.CostBreakdown{Requests: 2e-5, Compute: 1, Provisioned: 0.5},
		PerProvider:   []sim.ProviderMetrics{{Invocations: 75}, {Invocations: 25}},
		BillableUnits: []sim.BillableUnits{{Requests: 100, GBSeconds: 1e5}, {}}}
	m.Failed[sim.FailOOM], m.Failed[sim.FailThrottled] = 4, 2
	for _, v := range []int64{1000, 2000, 3000} {
		m.Latency.Record(v)
	}
	return &Summary{Seed: 3, Arms: []Arm{NewArm("a", "single-cloud", "nearest", "provider-default", m, cat, true)}}
}

func TestArmFigures(t *testing.T) {
	a := sample().Arms[0]
	if !a.Invocations.Conserved || a.ColdStartPct != 100*10.0/94 || a.SLAViolationPct != 100*12.0/96 {
		t.Errorf("conserved %v cold %v SLA %v", a.Invocations.Conserved, a.ColdStartPct, a.SLAViolationPct)
	}
	// One month of free tier covers the 100 requests and 1e5 GB-s (< 4e5).
	if want := 100*2e-7 + 1e5*1e-5; a.Cost.FreeTierCredit != want || a.Cost.Total != 2e-5+1+0.5-want {
		t.Errorf("free tier credit %v total %v", a.Cost.FreeTierCredit, a.Cost.Total)
	}
	if a.PerProvider[0].SharePct != 75 || a.Latency.P99 < 0.00299 || a.Latency.P99 > 0.00301 {
		t.Errorf("share %v p99 %v", a.PerProvider[0].SharePct, a.Latency.P99)
	}
}

func TestConservationCheck(t *testing.T) {
	s := sample()
	if err := CheckConservation(s); err != nil {
		t.Fatal(err)
	}
	s.Arms[0].Invocations.Conserved = false
	if err := CheckConservation(s); err == nil || !strings.Contains(err.Error(), `arm "a"`) {
		t.Errorf("broken conservation not reported: %v", err)
	}
}

func TestWritersAndTable(t *testing.T) {
	s := sample()
	b, err := CSV(s, func(v any) string { return v.(string) })
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) != 2 || len(rows[0]) != len(rows[1]) || rows[0][len(rows[0])-1] != "share_pct_gcp" || rows[1][0] != "a" {
		t.Fatalf("CSV %v: %q", err, rows)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "summary.json")
	for range 2 { // a second write replaces the first
		js, err := JSON(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteFileAtomic(path, js); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d files after atomic writes, want 1", len(entries))
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("written file mode %v (%v), want 0644", st.Mode().Perm(), err)
	}
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "x.json"), []byte("{}")); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
	var out bytes.Buffer
	if err := Table(&out, s); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"cost $", "p50 s", "p95 s", "p99 s", "wait ms", "cold %", "carbon kg", "SLA viol %", "oom", "throttled", "timeout", "share aws/gcp %", "75/25"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestTradeoffPNG(t *testing.T) {
	s := sample()
	second := s.Arms[0]
	second.Name, second.Cost.Total, second.CarbonG = "b", 3, 5000
	s.Arms = append(s.Arms, second)
	var buf bytes.Buffer
	if err := TradeoffPNG(&buf, s, "test"); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 300 {
		t.Errorf("image %v is too small", b)
	}
	pts, labels := clusterLabels(plotter.XYs{{X: 1, Y: 1}, {X: 1.001, Y: 1}, {X: 5, Y: 9}}, []Arm{{Name: "x"}, {Name: "y"}, {Name: "z"}})
	if len(pts) != 2 || labels[0] != "1,2" || labels[1] != "3" {
		t.Errorf("coinciding points labelled %q", labels)
	}
}
