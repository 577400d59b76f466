package results

import (
	"math"
	"strings"
	"testing"
)

// A catalog price of 1e308 once ended a whole run in "json: unsupported
// value: +Inf" with nothing written; the writers now name the arm and field.
func TestWritersRefuseNonFinite(t *testing.T) {
	s := &Summary{Arms: []Arm{{Name: "ok"}, {Name: "cheap"}}}
	s.Arms[1].Cost.Total = math.Inf(1)
	want := `arms["cheap"].cost_usd`
	if _, err := JSON(s); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "+Inf") {
		t.Errorf("JSON: %v, want an error naming %s and +Inf", err, want)
	}
	if _, err := CSV(s, func(any) string { return "" }); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("CSV: %v, want an error naming %s", err, want)
	}
	s.Arms[1].Cost.Total = 1
	s.Arms[0].Latency.P99 = math.NaN()
	if _, err := JSON(s); err == nil || !strings.Contains(err.Error(), `arms["ok"].latency_s`) {
		t.Errorf("JSON: %v, want an error naming the latency of arm ok", err)
	}
	if err := Finite(map[string]float64{"b": math.NaN(), "a": math.Inf(-1)}); err == nil || !strings.Contains(err.Error(), "[a] is -Inf") {
		t.Errorf("map: %v, want the first key in order", err)
	}
}
