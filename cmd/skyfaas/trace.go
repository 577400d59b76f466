package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/skyfaas/skyfaas/internal/regular"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/traces"
)

const traceUsage = `Usage: skyfaas trace stats [--seed N] [--spread MODE] PATH...

Summarises a trace as the simulator replays it: functions, apps,
invocations, time span, per-function rates and duration and memory
percentiles. PATH is an Azure Functions 2019 file set (invocations,
durations and memory files, or a directory holding them; several days pair
by file name order) or an Azure Functions 2021 invocation file. Files are
recognised by their header. Per-minute counts are spread and durations
drawn with the seed, as in a run.

Flags:
`

func runTrace(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "stats" {
		fmt.Fprint(stderr, traceUsage)
		return fmt.Errorf("%w: trace needs a subcommand (stats)", errUsage)
	}
	fs := newFlags("trace stats", stderr, traceUsage)
	seed := fs.Uint64("seed", 1, "seed for spreading counts and drawing durations")
	spreadName := fs.String("spread", "uniform", "how per-minute counts are spread: uniform, equidistant or poisson")
	// Accept flags before, between or after the paths ("--" ends flags).
	var paths []string
	for rest := args[1:]; len(rest) > 0; {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		if len(fs.Args()) < len(rest) && rest[len(rest)-len(fs.Args())-1] == "--" {
			paths = append(paths, fs.Args()...)
			break
		}
		paths = append(paths, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(paths) == 0 {
		fs.Usage()
		return fmt.Errorf("%w: trace stats needs at least one path", errUsage)
	}
	spread, err := traces.ParseSpread(*spreadName)
	if err != nil {
		return fmt.Errorf("%w: --spread: %v", errUsage, err)
	}
	src, desc, err := openTrace(paths, spread, sim.NewStreams(*seed, 0))
	if err != nil {
		return err
	}
	st, err := traces.Collect(src)
	if err != nil {
		return err
	}
	return printStats(stdout, desc, &st)
}

// traceKind recognises a trace file by its header line.
func traceKind(path string) (string, error) {
	f, err := regular.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, err := bufio.NewReader(io.LimitReader(f, traces.MaxLineBytes)).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("%s: cannot read a header line: %v", path, err)
	}
	h := strings.Split(strings.TrimSpace(line), ",")
	has := func(c string) bool { return slices.Contains(h, c) }
	switch {
	case has("end_timestamp") && has("duration"):
		return "azure2021", nil
	case has("percentile_Average_50"):
		return "durations", nil
	case has("AverageAllocatedMb_pct50"):
		return "memory", nil
	case has("HashFunction") && (has("1") || has("minute_1")):
		return "invocations", nil
	}
	return "", fmt.Errorf("%s: not a recognised trace file (header starts %q)", path, strings.Join(h[:min(4, len(h))], ","))
}

func openTrace(paths []string, spread traces.Spread, streams sim.Streams) (sim.Source, string, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, "", err
		}
		if st.IsDir() {
			entries, err := os.ReadDir(p)
			if err != nil {
				return nil, "", err
			}
			for _, e := range entries {
				if !e.IsDir() && (strings.HasSuffix(e.Name(), ".csv") || strings.HasSuffix(e.Name(), ".txt")) {
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
		} else {
			files = append(files, p)
		}
	}
	byKind := map[string][]string{}
	for _, f := range files {
		k, err := traceKind(f)
		if err != nil {
			return nil, "", err
		}
		byKind[k] = append(byKind[k], f)
	}
	if a := byKind["azure2021"]; len(a) > 0 {
		if len(a) > 1 || len(files) > 1 {
			return nil, "", fmt.Errorf("%w: give one Azure 2021 file alone (got %q)", errUsage, files)
		}
		src, err := traces.OpenAzure2021(a[0], traces.Azure2021Options{Memory: traces.PopulationFootprint{}, Streams: streams})
		return src, "Azure Functions 2021 trace " + a[0], err
	}
	inv, dur, mem := byKind["invocations"], byKind["durations"], byKind["memory"]
	slices.Sort(inv)
	slices.Sort(dur)
	slices.Sort(mem)
	if len(inv) == 0 || len(inv) != len(dur) || len(inv) != len(mem) {
		return nil, "", fmt.Errorf("%w: an Azure 2019 trace needs, per day, an invocations, a durations and a memory file (found %d, %d, %d)",
			errUsage, len(inv), len(dur), len(mem))
	}
	var days []traces.Azure2019Day
	for i := range inv {
		days = append(days, traces.Azure2019Day{Invocations: inv[i], Durations: dur[i], Memory: mem[i]})
	}
	src, err := traces.OpenAzure2019(traces.Azure2019Options{Days: days, Spread: spread, Streams: streams})
	return src, fmt.Sprintf("Azure Functions 2019 trace, %d day(s) from %s, spread %s", len(days), filepath.Dir(inv[0]), spread), err
}

func printStats(w io.Writer, desc string, st *traces.Stats) error {
	fmt.Fprintln(w, desc)
	fmt.Fprintf(w, "functions %d (%d invoked), apps %d, invocations %s\n", st.Functions, st.FunctionsInvoked, st.Apps, results.Thousands(st.Invocations))
	fmt.Fprintf(w, "span %.2f h (first arrival %.3f s, last %.3f s), mean rate %.2f invocations/s\n",
		st.Horizon.Seconds()/3600, st.First.Seconds(), st.Last.Seconds(), st.MeanRate)
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: []tw.Align{tw.AlignLeft, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight, tw.AlignRight}}))
	t.Header("quantity", "p50", "p90", "p99", "max", "mean")
	for _, r := range []struct {
		name string
		q    traces.Quantiles
	}{{"invocations per day, per invoked function", st.PerFunction},
		{"execution time (ms), per invocation", st.Duration},
		{"memory footprint (MB), per invocation", st.Memory}} {
		f := func(v float64) string { return fmt.Sprintf("%.4g", v) }
		if err := t.Append(r.name, f(r.q.P50), f(r.q.P90), f(r.q.P99), f(r.q.Max), f(r.q.Mean)); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	for _, n := range st.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	return nil
}
