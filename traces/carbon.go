package traces

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/skyfaas/skyfaas/sim/carbon"
)

// seriesTime is the time format of carbon series files ("2020-01-01
// 00:15:00", as in the Vessim / Let's-wait-awhile data).
const seriesTime = "2006-01-02 15:04:05"

// ReadCarbonSeries reads a CSV with a time column first and the named value
// column (gCO2e/kWh), at a constant step. Simulated time 0 is the series
// time start (the first row if empty); the series repeats past its end.
func ReadCarbonSeries(path, column, start string) (*carbon.Series, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	if !sc.Scan() {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	header := strings.Split(strings.TrimSpace(sc.Text()), ",")
	col := -1
	for i, h := range header {
		if strings.TrimSpace(h) == column {
			col = i
		}
	}
	if col < 1 {
		return nil, fmt.Errorf("%s:1: no value column %q (header %q; the first column must be the time)", path, column, header)
	}
	var (
		values []float64
		first  time.Time
		step   time.Duration
		prev   time.Time
	)
	for line := 2; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if len(fields) != len(header) {
			return nil, fmt.Errorf("%s:%d: %d fields, the header has %d", path, line, len(fields), len(header))
		}
		t, err := time.Parse(seriesTime, strings.TrimSpace(fields[0]))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: column %q: time %q is not YYYY-MM-DD HH:MM:SS", path, line, header[0], fields[0])
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(fields[col]), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("%s:%d: column %q: %q is not an intensity >= 0", path, line, column, fields[col])
		}
		switch {
		case len(values) == 0:
			first = t
		case len(values) == 1:
			step = t.Sub(prev)
			if step <= 0 {
				return nil, fmt.Errorf("%s:%d: time does not increase", path, line)
			}
		default:
			if t.Sub(prev) != step {
				return nil, fmt.Errorf("%s:%d: step %v differs from the first step %v: the series must be regular", path, line, t.Sub(prev), step)
			}
		}
		prev = t
		values = append(values, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if len(values) < 2 {
		return nil, fmt.Errorf("%s: needs at least two rows", path)
	}
	offset := time.Duration(0)
	if start != "" {
		st, err := time.Parse(seriesTime, start)
		if err != nil {
			return nil, fmt.Errorf("start %q is not YYYY-MM-DD HH:MM:SS", start)
		}
		offset = first.Sub(st)
	}
	return carbon.NewSeries(values, step.Microseconds(), offset.Microseconds())
}
