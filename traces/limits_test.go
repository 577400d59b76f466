package traces_test

import (
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/traces"
)

// Trace figures beyond the readers' documented limits are refused with
// file, line and column (issue 10, points 2 and 3): percentiles of 1e300
// ms once replayed as executions of 0 s; a count at the reader's old limit
// (4294967295) would have been spread into one slice of 64 GiB.
func TestTraceLimits(t *testing.T) {
	huge := strings.Replace(durations, "o1,a1,f1,100,10,10,500,10,12,50,90,150,400,500", "o1,a1,f1,100,10,10,500,1e300,1e300,1e300,1e300,1e300,1e300,1e300", 1)
	for _, c := range []struct {
		name, inv, dur, mem string
		want                []string
	}{
		{"percentiles of 1e300 ms", original, huge, memory,
			[]string{"dur.csv:2:", `column "percentile_Average_0"`, "1e+300 ms is above the limit of 6.048e+08 ms"}},
		{"memory of 1e300 MB", original, durations, strings.Replace(memory, ",200\n", ",1e300\n", 1),
			[]string{"mem.csv:2:", `column "AverageAllocatedMb_pct100"`, "above the limit of 1.048576e+06 MB"}},
		{"count at the old limit", "HashOwner,HashApp,HashFunction,1\no1,a1,f1,4294967295\n", durations, memory,
			[]string{"inv.csv:2:", `column "1"`, "count 4294967295 is above the limit of 8388608 arrivals in a minute"}},
		{"count of 20 digits", "HashOwner,HashApp,HashFunction,1\no1,a1,f1,99999999999999999999\n", durations, memory,
			[]string{"inv.csv:2:", "above the limit"}},
		{"minute over the limit in total", "HashOwner,HashApp,HashFunction,1\no1,a1,f1,8000000\no1,a1,f2,8000000\n", durations, memory,
			[]string{"inv.csv:3:", "the minute's arrivals over every function so far (16000000) pass the limit of 8388608"}},
		{"CR-only line endings", strings.ReplaceAll(original, "\n", "\r"), durations, memory,
			[]string{"inv.csv:1:", "CR-only (classic Mac) line endings"}},
		{"a line of 2 MiB", "HashOwner,HashApp,HashFunction,1\no1,a1,f1," + strings.Repeat("1", 2<<20) + "\n", durations, memory,
			[]string{"inv.csv:2:", "line longer than 1048576 bytes"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := open2019(t, c.inv, c.dur, c.mem, traces.SpreadUniform)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
