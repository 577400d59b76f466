package traces

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/skyfaas/skyfaas/internal/regular"
	"github.com/skyfaas/skyfaas/sim/carbon"
)

// seriesTime is the time format of carbon series files ("2020-01-01
// 00:15:00", as in the Vessim / Let's-wait-awhile data).
const seriesTime = "2006-01-02 15:04:05"

// MaxCarbonGPerKWh is the largest carbon intensity a series or catalog may
// give (g CO2e/kWh): 2,000, above any grid's (lignite plants emit about
// 1,100; IPCC AR5 WG3 Annex III, lifecycle median 820 for coal).
const MaxCarbonGPerKWh = 2000

// MaxCarbonRows bounds the rows of a carbon series: a year at one-minute
// steps (525,600) with room to spare.
const MaxCarbonRows = 1 << 20

// ReadCarbonSeries reads a CSV with a time column first and the named value
// column (gCO2e/kWh), at a constant step. Simulated time 0 is the series
// time start (the first row if empty); the series repeats past its end.
// Lines end in LF, CRLF or CR alone; a line is at most MaxLineBytes.
func ReadCarbonSeries(path, column, start string) (*carbon.Series, error) {
	var st time.Time
	if start != "" {
		var err error
		if st, err = time.Parse(seriesTime, start); err != nil {
			return nil, fmt.Errorf("start: %q is not a time YYYY-MM-DD HH:MM:SS", start)
		}
	}
	f, err := regular.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), MaxLineBytes)
	sc.Split(scanAnyLines)
	line := 0
	scan := func() bool {
		ok := sc.Scan()
		if ok {
			line++
		}
		return ok
	}
	if !scan() {
		if err := sc.Err(); err != nil {
			return nil, scanError(path, line+1, err)
		}
		return nil, fmt.Errorf("%s: empty file", path)
	}
	header := strings.Split(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "\ufeff"), ",")
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
	for scan() {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		if len(values) == MaxCarbonRows {
			return nil, fmt.Errorf("%s:%d: more than %d rows, the limit of a carbon series", path, line, MaxCarbonRows)
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
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > MaxCarbonGPerKWh {
			return nil, fmt.Errorf("%s:%d: column %q: %q is not an intensity in [0, %d] g/kWh", path, line, column, fields[col], MaxCarbonGPerKWh)
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
		return nil, scanError(path, line+1, err)
	}
	if len(values) < 2 {
		return nil, fmt.Errorf("%s: needs at least two rows", path)
	}
	offset := time.Duration(0)
	if start != "" {
		offset = first.Sub(st)
		if d := offset.Abs(); d > 100*365*24*time.Hour {
			return nil, fmt.Errorf("start: %s is more than 100 years from the series' first row (%s)", start, first.Format(seriesTime))
		}
	}
	return carbon.NewSeries(values, step.Microseconds(), offset.Microseconds())
}

// scanError names the line a scanner stopped at.
func scanError(path string, line int, err error) error {
	if err == bufio.ErrTooLong {
		return fmt.Errorf("%s:%d: line longer than %d bytes, the limit of a line", path, line, MaxLineBytes)
	}
	return fmt.Errorf("%s:%d: %v", path, line, err)
}

// scanAnyLines is bufio.ScanLines that also ends a line at a lone CR
// (classic Mac line endings).
func scanAnyLines(data []byte, atEOF bool) (int, []byte, error) {
	if atEOF && len(data) == 0 {
		return 0, nil, nil
	}
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		if data[i] == '\n' {
			return i + 1, data[:i], nil
		}
		if i+1 < len(data) {
			if data[i+1] == '\n' {
				return i + 2, data[:i], nil
			}
			return i + 1, data[:i], nil
		}
		if atEOF {
			return i + 1, data[:i], nil
		}
		return 0, nil, nil // a CR at the end of the buffer: is LF next?
	}
	if atEOF {
		return len(data), data, nil
	}
	return 0, nil, nil
}
