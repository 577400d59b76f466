package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/skyfaas/skyfaas/scenarios"
)

func runValidate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", stderr, "Usage: skyfaas validate SCENARIO\n\nChecks a scenario file (and the files it names) and reports every problem with its line.\n")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("%w: validate needs exactly one scenario file", errUsage)
	}
	plan, err := scenarios.Load(fs.Arg(0), registry())
	if err != nil {
		return err
	}
	s := &plan.Scenario
	fmt.Fprintf(stdout, "%s: ok\n  scenario %q, seed %d, workload %s, catalog %s\n", fs.Arg(0), s.Name, plan.Seed(), s.Workload.Kind, plan.CatalogName)
	for _, a := range plan.Arms {
		fmt.Fprintf(stdout, "  arm %-22s %s | %s | %s\n", a.Name, a.Strategic.Label(), a.Tactical.Label(), a.Operational.Label())
	}
	fmt.Fprintf(stdout, "  sweep: %d arms x %d cell(s) x %d replications = %d jobs; differences against %s\n",
		len(plan.Arms), len(plan.Cells()), plan.Replications(), plan.Jobs(), s.Sweep.Reference)
	for _, c := range plan.Cells() {
		if len(c.Params) > 0 {
			fmt.Fprintf(stdout, "  cell %d: %s\n", c.Index, strings.Join(c.Params, ", "))
		}
	}
	return nil
}
