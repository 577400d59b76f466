package traces

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadCarbonSeries(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	data := "time,DE,FR\n2020-01-01 00:00:00,400,50\n2020-01-01 00:15:00,300,60\n2020-01-01 00:30:00,200,70\n"
	if err := os.WriteFile(good, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := ReadCarbonSeries(good, "DE", "")
	if err != nil {
		t.Fatal(err)
	}
	// 15-minute steps: 400, 300, 200 g/kWh; time 20 min is in the second step.
	if got := s.At(20 * 60e6); got != 300 {
		t.Errorf("At(20 min) = %v, want 300", got)
	}
	// Starting the simulation at 00:15 shifts the series by one step.
	s, err = ReadCarbonSeries(good, "DE", "2020-01-01 00:15:00")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.At(0); got != 300 {
		t.Errorf("start 00:15: At(0) = %v, want 300", got)
	}

	for _, c := range []struct{ name, data, col, want string }{
		{"nan", "time,DE\n2020-01-01 00:00:00,400\n2020-01-01 00:15:00,NaN\n", "DE", "bad.csv:3: column \"DE\""},
		{"negative", "time,DE\n2020-01-01 00:00:00,-1\n2020-01-01 00:15:00,2\n", "DE", "bad.csv:2: column \"DE\""},
		{"irregular", "time,DE\n2020-01-01 00:00:00,1\n2020-01-01 00:15:00,2\n2020-01-01 01:00:00,3\n", "DE", "bad.csv:4: step"},
		{"no column", "time,DE\n2020-01-01 00:00:00,1\n", "FR", "bad.csv:1: no value column \"FR\""},
		{"one row", "time,DE\n2020-01-01 00:00:00,1\n", "DE", "needs at least two rows"},
	} {
		bad := filepath.Join(dir, "bad.csv")
		if err := os.WriteFile(bad, []byte(c.data), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadCarbonSeries(bad, c.col, "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}
