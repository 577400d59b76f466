// Command skyfaas runs multi-cloud serverless simulations: it replays a
// workload (an Azure Functions trace or a synthetic one) across simulated
// providers and regions under policy combinations, and compares their cost,
// latency, carbon and SLA violations.
//
//	skyfaas run [SCENARIO] [--out DIR] [--seed N]
//	skyfaas validate SCENARIO
//	skyfaas report DIR
//	skyfaas trace stats PATH...
//	skyfaas policies
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

const usage = `skyfaas: a discrete-event simulator of serverless functions across clouds

Usage:
  skyfaas run [SCENARIO] [--out DIR] [--seed N] [--replications N] [--series]
        run every arm of a scenario (the embedded default if none is given)
        over its replications and grid; print means with 95 % intervals and
        paired differences; write job records, a report and summary.json
  skyfaas sweep SCENARIO --out DIR [--shard i/n]
        run a scenario's sweep, or one shard of it (Slurm arrays, Kubernetes
        Indexed Jobs), resumable, into a shared directory
  skyfaas validate SCENARIO
        check a scenario file and report every problem with its line
  skyfaas report DIR [--reference ARM] [--intervals pm|bracket]
        re-render a sweep's rows, tables and plots from its stored job
        records, with 95 % intervals over replications
  skyfaas trace stats PATH...
        summarise a trace: Azure 2019 files or a directory of them, or an
        Azure 2021 file
  skyfaas train lstm SCENARIO [--out DIR]
        train the operational LSTM on the series of a simulation of the
        scenario: progress, learning curve (CSV, PNG), checkpoint
  skyfaas eval lstm SCENARIO --checkpoint FILE [--out DIR]
        compare a checkpoint with the forecasting baselines on the test part
  skyfaas policies
        list the policies of each layer
  skyfaas version

Run "skyfaas COMMAND -h" for a command's flags.
`

// errUsage marks errors whose message is a usage hint.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "skyfaas:", printable(err.Error()))
		}
		if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// Run dispatches a command line; only main exits the process.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: no command given", errUsage)
	}
	switch args[0] {
	case "run":
		return runRun(ctx, args[1:], stdout, stderr)
	case "sweep":
		return runSweep(ctx, args[1:], stdout, stderr)
	case "validate":
		return runValidate(args[1:], stdout, stderr)
	case "report":
		return runReport(args[1:], stdout, stderr)
	case "trace":
		return runTrace(ctx, args[1:], stdout, stderr)
	case "train":
		return runTrain(ctx, args[1:], stdout, stderr)
	case "eval":
		return runEval(ctx, args[1:], stdout, stderr)
	case "policies":
		return runPolicies(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "skyfaas", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

// release is the version of this source tree; it names the model whose
// semantics the results depend on.
const release = "0.1.0-dev"

// version identifies the build: the release, and the VCS revision (with
// "+dirty" for uncommitted changes) when the build was stamped with it
// ("go build" and "go install" from a checkout stamp it; "go run" does not).
func version() string {
	v := release
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += "+" + rev
		if dirty {
			v += ".dirty"
		}
	}
	return v
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, stderr io.Writer, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// printable escapes the control characters of an error message (but its
// line breaks and tabs), so that a name or value read from a file never
// reaches the terminal as an escape sequence.
func printable(msg string) string {
	var b strings.Builder
	for _, r := range msg {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r) || r == utf8.RuneError:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parseInterleaved parses args with fs, accepting flags before, between
// and after the positional arguments, which it returns in order.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return positional, nil
}
