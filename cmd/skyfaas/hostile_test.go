package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/skyfaas/skyfaas/results/sweep"
)

// The hostile corpus (issue 10, "What it must show"): inputs a careless or
// hostile user gives, each with its expected outcome: an error naming the
// problem, or a run whose figures are finite and in range. No case may
// crash with a stack trace, hang (each has a deadline) or exit 0 with
// nonsense. Cases run in-process through Run, as main runs them.

// hostileBase is a valid scenario the cases change: 3 functions for 10
// minutes, one replication.
const hostileBase = `name = "h"
[workload]
kind = "synthetic"
[workload.synthetic]
functions = 3
duration = "10m"
[sweep]
replications = 1
[[arms]]
name = "a"
strategic = "cheapest"
`

// Trace files: a valid Azure 2019 day of two minutes, and a carbon series.
const (
	hInv  = "HashOwner,HashApp,HashFunction,Trigger,1,2\no1,a1,f1,http,3,1\no1,a1,f2,timer,1,0\n"
	hDur  = "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100\no1,a1,f1,100,10,10,500,10,12,50,90,150,400,500\no1,a1,f2,100,10,10,500,10,12,50,90,150,400,500\n"
	hMem  = "HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,AverageAllocatedMb_pct5,AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,AverageAllocatedMb_pct75,AverageAllocatedMb_pct95,AverageAllocatedMb_pct99,AverageAllocatedMb_pct100\no1,a1,10,150,100,110,130,150,170,190,199,200\n"
	h2021 = "app,func,end_timestamp,duration\na1,f1,10.5,0.5\na1,f2,20.0,1.0\na1,f1,30.0,0.2\n"
	hCO2  = "time,DE\n2020-01-01 00:00:00,300\n2020-01-01 00:15:00,320\n2020-01-01 00:30:00,310\n"
)

// Special file contents: a FIFO, a link to a device, a directory.
const (
	asFIFO   = "\x00fifo"
	asDevice = "\x00/dev/zero"
	asDir    = "\x00dir"
)

// az19 is a scenario replaying the trace files inv.csv, dur.csv, mem.csv.
const az19 = `[workload]
kind = "azure2019"
[workload.azure2019]
invocations = "inv.csv"
durations = "dur.csv"
memory = "mem.csv"
[sweep]
replications = 1
[[arms]]
name = "a"
strategic = "cheapest"
`

// az21 replays t.csv.
const az21 = `[workload]
kind = "azure2021"
[workload.azure2021]
file = "t.csv"
[sweep]
replications = 1
[[arms]]
name = "a"
strategic = "cheapest"
`

// withCO2 adds a carbon series from co2.csv to a scenario.
func withCO2(s, start string) string {
	return s + "[[catalog.carbon_series]]\nregion = \"aws/eu-central-1\"\nfile = \"co2.csv\"\ncolumn = \"DE\"\nstart = \"" + start + "\"\n"
}

type hostileCase struct {
	name  string
	files map[string]string // written in a fresh directory; "s.toml" is the scenario
	args  []string          // "{dir}" stands for the directory
	want  string            // an error substring; "" for a run that must succeed, sanely
	note  string            // for a success, a substring its output must show (a note)
}

// scen is a case validating scenario s with extra files.
func scen(name, s, want string, files ...string) hostileCase {
	fs := map[string]string{"s.toml": s}
	for i := 0; i+1 < len(files); i += 2 {
		fs[files[i]] = files[i+1]
	}
	return hostileCase{name: name, files: fs, args: []string{"validate", "{dir}/s.toml"}, want: want}
}

// runOf is a case running scenario s into {dir}/out.
func runOf(name, s, want string, files ...string) hostileCase {
	c := scen(name, s, want, files...)
	c.args = []string{"run", "{dir}/s.toml", "--out", "{dir}/out", "--quiet", "--workers", "1"}
	return c
}

func add(extra string) string { return hostileBase + extra }

// manyArms is the base scenario with n arms.
func manyArms(n int) string {
	s := strings.Split(hostileBase, "[[arms]]")[0]
	for k := range n {
		s += fmt.Sprintf("[[arms]]\nname = \"a%d\"\nstrategic = \"cheapest\"\n", k)
	}
	return s
}

// noted makes an accepted case show a note.
func noted(c hostileCase, note string) hostileCase {
	c.note = note
	return c
}

func repl(old, new string) string {
	if !strings.Contains(hostileBase, old) {
		panic("hostile corpus: " + old)
	}
	return strings.Replace(hostileBase, old, new, 1)
}

func ovr(kv string) string { return add("[[catalog.override]]\nprovider = \"aws\"\n" + kv + "\n") }

func hostileCases() []hostileCase {
	cs := []hostileCase{
		// Scenario syntax and types.
		scen("empty file", "", "arms: missing"),
		scen("binary garbage", "\x00\x01\x02\xff", "invalid TOML"),
		scen("unterminated string", "name = \"x\n", "invalid TOML"),
		scen("duplicate key", hostileBase+"name = \"y\"\n", "invalid TOML"),
		scen("array of arms as table", repl("[[arms]]", "[arms]"), "arms"),
		scen("arms as a string", "arms = \"a\"\n", "arms"),
		scen("workload kind number", repl(`kind = "synthetic"`, "kind = 1"), "workload.kind"),
		scen("workload kind unknown", repl(`kind = "synthetic"`, `kind = "azure2030"`), "workload.kind: must be synthetic, azure2019, azure2021 or poisson"),
		scen("kind empty", repl(`kind = "synthetic"`, `kind = ""`), "workload.kind"),
		scen("unknown top-level key", add("colour = \"blue\"\n"), "unknown key"),
		scen("a catalog given as the scenario", "[[providers]]\nname = \"x\"\n[[providers]]\nname = \"y\"\n", "a catalog (top-level [[providers]]), not a scenario"),
		scen("misspelt section", add("[simulaton]\ntick = \"15s\"\n"), "simulaton: unknown key"),
		scen("seed negative", "seed = -1\n"+hostileBase, "seed: must be a non-negative integer"),
		scen("seed float", "seed = 1.5\n"+hostileBase, "seed"),
		scen("seed huge", "seed = 99999999999999999999\n"+hostileBase, "invalid TOML"),
		scen("seed string", "seed = \"1\"\n"+hostileBase, "seed"),
		scen("name with escape", "name = \"\\u001b[2J\"\n"+strings.TrimPrefix(hostileBase, "name = \"h\"\n"), "name: must not contain control characters"),
		scen("name of 1000 bytes", "name = \""+strings.Repeat("n", 1000)+"\"\n"+strings.TrimPrefix(hostileBase, "name = \"h\"\n"), "name: must be at most 200 bytes"),
		scen("arm name with NUL", repl(`name = "a"`, `name = "a\u0000b"`), "arms[0].name: must not contain control characters"),
		scen("arm name with newline", repl(`name = "a"`, `name = "a\nb"`), "arms[0].name: must not contain control characters"),
		scen("arm name bell", repl(`name = "a"`, `name = "\u0007"`), "arms[0].name: must not contain control characters"),
		scen("arm names twice", add("[[arms]]\nname = \"a\"\nstrategic = \"greenest\"\n"), "appears twice"),
		scen("arm names alike in case", add("[[arms]]\nname = \"A\"\nstrategic = \"greenest\"\n"), `line 13: arms[1].name: arm "A" and arms[0] "a" (line 10) have the same file name "a"`),
		scen("arm names alike in punctuation", add("[[arms]]\nname = \"a?\"\nstrategic = \"greenest\"\n"), `arm "a?" and arms[0] "a" (line 10) have the same file name "a"`),
		scen("arm names of another script", repl(`name = "a"`, `name = "日本"`)+"[[arms]]\nname = \"中国\"\nstrategic = \"greenest\"\n", `arm "中国" and arms[0] "日本" (line 10) have the same file name ""`),
		scen("no arms", strings.Split(hostileBase, "[[arms]]")[0], "arms: missing"),
		scen("arm without strategic", repl(`strategic = "cheapest"`, ""), "arms[0]"),
		scen("unknown strategic", repl(`"cheapest"`, `"dearest"`), "unknown strategic policy"),
		scen("strategic number", repl(`strategic = "cheapest"`, "strategic = 3"), "arms[0].strategic"),
		scen("nested policy wrong type", repl(`strategic = "cheapest"`, "[arms.strategic]\npolicy = \"single-cloud\"\nprovider = 5"), "arms[0].strategic.provider: incompatible types"),
		scen("nested policy unknown provider", repl(`strategic = "cheapest"`, "strategic = { policy = \"single-cloud\", provider = \"ibm\" }"), "arms[0].strategic.provider: unknown provider"),
		scen("policy setting misspelt", repl(`strategic = "cheapest"`, "strategic = { policy = \"single-cloud\", provder = \"aws\" }"), "arms[0].strategic.provder: unknown setting"),
		scen("keepalive bare number", add("operational = { policy = \"fixed-keepalive\", keepalive = 600 }\n"), "arms[0].operational.keepalive: must be a duration string"),
		scen("keepalive array", add("operational = { policy = \"fixed-keepalive\", keepalive = [1] }\n"), "arms[0].operational.keepalive"),
		scen("lstm checkpoint FIFO", add("operational = { policy = \"lstm\", checkpoint = \"c.ckpt\" }\n"), "is a named pipe (FIFO)", "c.ckpt", asFIFO),
		scen("lstm checkpoint /dev/zero", add("operational = { policy = \"lstm\", checkpoint = \"c.ckpt\" }\n"), "is a device", "c.ckpt", asDevice),
		scen("lstm checkpoint out of the directory", add("operational = { policy = \"lstm\", checkpoint = \"../c.ckpt\" }\n"), "invalid argument"),
		scen("unknown tactical", add("tactical = \"farthest\"\n"), "unknown tactical policy"),
		scen("unknown operational", add("operational = \"forever\"\n"), "unknown operational policy"),
		scen("arm fraction 2", add("cpu_bound_fraction = 2.0\n"), "arms[0].cpu_bound_fraction: must be a fraction in [0, 1]"),
		scen("arm fraction nan", add("cpu_bound_fraction = nan\n"), "arms[0].cpu_bound_fraction"),
		scen("arm_defaults override", add("[arm_defaults]\ncpu_bound_fraction = 0.5\n"), "arm_defaults: cpu_bound_fraction and override belong to an arm"),

		// Synthetic workload figures.
		scen("functions 0", repl("functions = 3", "functions = 0"), "workload.synthetic.functions: must be in 1..200000"),
		scen("functions at the old maximum", repl("functions = 3", "functions = 10000000"), "workload.synthetic.functions: must be in 1..200000"),
		scen("functions int64 max", repl("functions = 3", "functions = 9223372036854775807"), "workload.synthetic.functions"),
		scen("functions float", repl("functions = 3", "functions = 3.5"), "workload.synthetic.functions"),
		scen("duration zero", repl(`duration = "10m"`, `duration = "0s"`), ""), // "0s" is the default: a day; accepted
		scen("duration negative", repl(`duration = "10m"`, `duration = "-1h"`), "workload.synthetic.duration: must be positive"),
		scen("duration ten years", repl(`duration = "10m"`, `duration = "87600h"`), "workload.synthetic.duration: must be at most 366d"),
		scen("duration bare number", repl(`duration = "10m"`, "duration = 600"), "workload.synthetic.duration: must be a duration string"),
		scen("duration overflow string", repl(`duration = "10m"`, `duration = "9999999999h"`), "workload.synthetic.duration"),
		scen("duration nonsense unit", repl(`duration = "10m"`, `duration = "10 parsecs"`), "workload.synthetic.duration"),
		scen("peak hour 24", add("[workload.synthetic.x]\n"), "unknown key"),
		scen("peak hour nan", repl(`duration = "10m"`, "duration = \"10m\"\npeak_hour = nan"), "workload.synthetic.peak_hour: must be in [0, 24)"),
		scen("peak hour -1", repl(`duration = "10m"`, "duration = \"10m\"\npeak_hour = -1.0"), "workload.synthetic.peak_hour"),
		scen("two workload tables", add("[workload.poisson]\nrate = 1.0\nmean_duration = \"1s\"\n"), "workload.poisson: given, but workload.kind is \"synthetic\""),

		// Poisson figures.
		scen("poisson rate 1e12", repl("kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 3\n", "kind = \"poisson\"\n[workload.poisson]\nrate = 1e12\nmean_duration = \"1s\"\n"), "workload.poisson.rate: must be a rate per second in (0, 100000]"),
		scen("poisson rate 0", repl("kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 3\n", "kind = \"poisson\"\n[workload.poisson]\nrate = 0.0\nmean_duration = \"1s\"\n"), "workload.poisson.rate"),
		scen("poisson rate inf", repl("kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 3\n", "kind = \"poisson\"\n[workload.poisson]\nrate = inf\nmean_duration = \"1s\"\n"), "workload.poisson.rate"),
		scen("poisson rate -nan", repl("kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 3\n", "kind = \"poisson\"\n[workload.poisson]\nrate = -nan\nmean_duration = \"1s\"\n"), "workload.poisson.rate"),
		scen("poisson busy 1e9", repl("kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 3\n", "kind = \"poisson\"\n[workload.poisson]\nrate = 1e5\nmean_duration = \"10000s\"\n"), "rate × mean_duration"),
		scen("poisson mean of a month", repl("kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 3\n", "kind = \"poisson\"\n[workload.poisson]\nrate = 0.001\nmean_duration = \"720h\"\n"), "workload.poisson.mean_duration: must be at most 7d"),
		scen("poisson memory 1e300", repl("kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 3\n", "kind = \"poisson\"\n[workload.poisson]\nrate = 1.0\nmean_duration = \"1s\"\nmemory_mb = 1e300\n"), "workload.poisson.memory_mb: must be in [0, 1048576] MB"),
		scen("poisson no duration", repl("kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 3\nduration = \"10m\"\n", "kind = \"poisson\"\n[workload.poisson]\nrate = 1.0\nmean_duration = \"1s\"\n"), "workload.poisson.duration: must be positive"),

		// Simulation figures.
		scen("tick zero", add("[simulation]\ntick = \"0s\"\n"), "simulation.tick: must be positive"),
		scen("tick 1ns", add("[simulation]\ntick = \"1ns\"\n"), "simulation.tick: must be a whole number of microseconds"),
		scen("tick of two years", add("[simulation]\ntick = \"17520h\"\ntactical_epoch = \"17520h\"\nstrategic_epoch = \"17520h\"\n"), "simulation.tick: must be at most 366d"),
		scen("epoch not a multiple", add("[simulation]\ntactical_epoch = \"100s\"\n"), "simulation.tactical_epoch: must be a multiple of the tick"),
		scen("queue wait of a week", add("[simulation]\nmax_queue_wait = \"168h\"\n"), "simulation.max_queue_wait: must be at most 24h"),
		scen("queue wait zero", add("[simulation]\nmax_queue_wait = \"0s\"\n"), "simulation.max_queue_wait: must be positive"),
		scen("routing unknown", add("[simulation]\nrouting = \"random\"\n"), "simulation.routing"),
		scen("on_limit unknown", add("[simulation]\non_limit = \"explode\"\n"), "simulation.on_limit"),
		scen("busy utilisation 2", add("[simulation]\nbusy_utilisation = 2.0\n"), "simulation.busy_utilisation: must be a fraction"),
		scen("cpu fraction inf", add("[simulation]\ncpu_bound_fraction = inf\n"), "simulation.cpu_bound_fraction"),
		scen("history 0", add("[simulation]\nhistory_intervals = 0\n"), "simulation.history_intervals"),
		scen("history huge", add("[simulation]\nhistory_intervals = 100000000\n"), "simulation.history_intervals"),
		scen("memory sizes empty", add("[simulation]\nmemory_sizes = []\n"), "simulation.memory_sizes: needs 1 to 255"),
		scen("memory sizes zero", add("[simulation]\nmemory_sizes = [0]\n"), "simulation.memory_sizes: sizes must be in 1..1048576 MB"),
		scen("memory sizes 2^40", add("[simulation]\nmemory_sizes = [1099511627776]\n"), "simulation.memory_sizes"),
		scen("memory sizes 300 of them", add("[simulation]\nmemory_sizes = ["+strings.TrimSuffix(strings.Repeat("1,", 300), ",")+"]\n"), "simulation.memory_sizes: needs 1 to 255"),
		scen("memory sizes floats", add("[simulation]\nmemory_sizes = [1.5]\n"), "simulation.memory_sizes"),
		scen("warm-up negative", add("[simulation]\nwarmup = \"-1s\"\n"), "simulation.warmup: must not be negative"),
		scen("warm-up past the run", add("[simulation]\nwarmup = \"1h\"\n"), "simulation.warmup: warm-up longer than the run"),
		scen("window reversed", add("[simulation]\nwindow = { from = \"5m\", to = \"1m\" }\n"), "simulation.window: is empty"),
		scen("window beyond", add("[simulation]\nwindow = { from = \"1m\", to = \"2h\" }\n"), "outside the workload's span"),
		scen("window ten years", add("[simulation]\nwindow = { from = \"1m\", to = \"87600h\" }\n"), "simulation.window.to: must be at most 366d"),
		scen("profile window reversed", add("[simulation]\nprofile_from = { from = \"5m\", to = \"1m\" }\n"), "simulation.profile_from"),
		scen("forecast noise 1e9", add("[simulation]\ncarbon_forecast = { horizon = \"1h\", noise = 1e9 }\n"), "simulation.carbon_forecast"),
		scen("forecast horizon a year", add("[simulation]\ncarbon_forecast = { horizon = \"8760h\", noise = 0.0 }\n"), "simulation.carbon_forecast"),
		scen("keepalive mode unknown", add("[simulation]\nkeepalive_mode = \"forever\"\n"), "simulation.keepalive_mode"),
		scen("horizon negative", "horizon = \"-1h\"\n"+hostileBase, "horizon: must not be negative"),
		scen("horizon ten years", "horizon = \"87600h\"\n"+hostileBase, "horizon: must be at most 366d"),

		// SLO and objective figures.
		scen("slo factor 1e13", add("[slo]\nfactor = 1e13\n"), "slo.factor: must be a number in [0, 1000]"),
		scen("slo factor -1", add("[slo]\nfactor = -1.0\n"), "slo.factor"),
		scen("slo factor nan", add("[slo]\nfactor = nan\n"), "slo.factor"),
		scen("slo slack a year", add("[slo]\nslack = \"8760h\"\n"), "slo.slack: must be at most 24h"),
		scen("slo slack negative", add("[slo]\nslack = \"-1s\"\n"), "slo.slack: must not be negative"),
		scen("slo fixed 1ns", add("[slo]\nfixed = \"1ns\"\n"), "slo.fixed"),
		scen("slo fixed a week", add("[slo]\nfixed = \"168h\"\n"), "slo.fixed: must be at most 24h"),
		scen("slo all zero", add("[slo]\nfactor = 0.0\nslack = \"0s\"\n"), "slo: an objective of zero latency can never be met"),
		scen("weight inf", add("[objective]\ncost = inf\n"), "objective.cost: must be a weight in [0, 1e+06]"),
		scen("weight 1e300", add("[objective]\nperformance = 1e300\n"), "objective.performance"),
		scen("weights zero", add("[objective]\ncost = 0.0\nperformance = 0.0\ncarbon = 0.0\nsla = 0.0\n"), "objective: every weight is 0"),
		scen("reference cost denormal", add("[objective]\nreference_cost_usd = 5e-324\n"), "objective.reference_cost_usd: must be in [1e-12, 1000] USD"),
		scen("reference carbon huge", add("[objective]\nreference_carbon_g = 1e300\n"), "objective.reference_carbon_g"),
		scen("reference latency 0", add("[objective]\nreference_latency = \"0s\"\n"), "objective.reference_latency"),
		scen("reference latency a week", add("[objective]\nreference_latency = \"168h\"\n"), "objective.reference_latency: must be at most 24h"),
		scen("client mix unknown zone", add("[clients]\nmix = { mars = 1.0 }\n"), "clients.mix.mars: unknown client zone"),
		scen("client mix negative", add("[clients]\nmix = { europe = -1.0, asia = 2.0 }\n"), "clients.mix.europe: must be a share >= 0"),
		scen("client mix overflow", add("[clients]\nmix = { europe = 1.7e308, asia = 1.7e308 }\n"), "clients.mix: shares must add up to a positive number"),
		scen("client mix all zero", add("[clients]\nmix = { europe = 0.0 }\n"), "clients.mix: shares must add up"),
		scen("sweep replications 0", strings.Replace(hostileBase, "replications = 1", "replications = 0", 1), "sweep.replications"),
		scen("sweep replications 1e9", strings.Replace(hostileBase, "replications = 1", "replications = 1000000000", 1), "sweep.replications"),

		// Catalog overrides: the examples and every kind of figure.
		scen("override speed 1e13", ovr("speed = 1e13"), "catalog.override[0].speed: must be in [0.01, 100] (a multiplier on execution time)"),
		scen("override speed 0", ovr("speed = 0.0"), "catalog.override[0].speed"),
		scen("override speed negative", ovr("speed = -1.0"), "catalog.override[0].speed"),
		scen("override speed nan", ovr("speed = nan"), "catalog.override[0].speed"),
		scen("override speed string", ovr("speed = \"fast\""), "catalog.override[0].speed"),
		scen("override price 1e308", ovr("billing.gb_second_usd = 1e308"), "catalog.override[0].billing.gb_second_usd: must be in [0, 1] USD"),
		scen("override request fee inf", ovr("billing.request_usd = inf"), "catalog.override[0].billing.request_usd"),
		scen("override ghz price negative", ovr("billing.ghz_second_usd = -1.0"), "catalog.override[0].billing.ghz_second_usd"),
		scen("override granularity a day", ovr("billing.granularity_ms = 86400000.0"), "catalog.override[0].billing.granularity_ms: must be in [0, 3.6e+06] ms"),
		scen("override provisioned granularity", ovr("billing.provisioned_granularity_s = 1e9"), "billing.provisioned_granularity_s"),
		scen("override free grant 1e300", ovr("billing.free_gb_seconds_per_month = 1e300"), "billing.free_gb_seconds_per_month"),
		scen("override billing memory unknown", ovr("billing.memory = \"imagined\""), "billing.memory"),
		scen("override memory step huge", ovr("billing.memory_step_mb = 1e12"), "billing.memory_step_mb"),
		scen("override cold start a day", ovr("cold_start = { dist = \"constant\", value_s = 86400.0 }"), "cold_start.value_s: must be in [0, 3600] s"),
		scen("override cold start tail", ovr("cold_start = { median_s = 0.001, p975_s = 3000.0 }"), "the distribution's mean"),
		scen("override cold start reversed", ovr("cold_start = { median_s = 2.0, p975_s = 1.0 }"), "cold_start"),
		scen("override cold start exp 0", ovr("cold_start = { dist = \"exponential\", mean_s = 0.0 }"), "cold_start.mean_s"),
		scen("override cold start dist unknown", ovr("cold_start = { dist = \"weibull\" }"), "cold_start.dist"),
		scen("override keepalive a year", ovr("keepalive = \"8760h\""), "catalog.override[0].keepalive: must be at most 24h"),
		scen("override keepalive bare", ovr("keepalive = 600"), "catalog.override[0].keepalive: must be a duration string"),
		scen("override warm overhead negative", ovr("warm_overhead = \"-1ms\""), "catalog.override[0].warm_overhead: must not be negative"),
		scen("override timeout a month", ovr("timeout = \"720h\""), "catalog.override[0].timeout: must be at most 7d"),
		scen("override concurrency -1", ovr("concurrency = -1"), "catalog.override[0].concurrency"),
		scen("override concurrency 1e12", ovr("concurrency = 1000000000000"), "catalog.override[0].concurrency"),
		scen("override scale-up tiny", ovr("scale_up_per_s = 1e-300\nscale_up_burst = 1"), "catalog.override[0].scale_up_per_s"),
		scen("override scale-up no burst", ovr("scale_up_per_s = 10.0\nscale_up_burst = 0"), "scale_up_burst: must be at least 1"),
		scen("override burst huge", ovr("scale_up_per_s = 10.0\nscale_up_burst = 1000000000000"), "scale_up_burst"),
		scen("override instance concurrency 0", ovr("instance_concurrency = 0"), "instance_concurrency: must be in 1..1000"),
		scen("override pue 0", ovr("power.pue = 0.0"), "power.pue"),
		scen("override watts 1e9", ovr("power.max_w_per_vcpu = 1e9"), "power.max_w_per_vcpu"),
		scen("override watts reversed", ovr("power.min_w_per_vcpu = 10.0\npower.max_w_per_vcpu = 1.0"), "power.max_w_per_vcpu: must be >= min_w_per_vcpu"),
		scen("override cpu rule tiny", ovr("cpu = { rule = \"proportional\", mb_per_vcpu = 1e-300 }"), "the cpu rule gives"),
		scen("override memory mb huge", ovr("memory = [{ mb = 2000000000, vcpu = 1.0 }]"), "memory[0].mb: must be in 1..1048576 MB"),
		scen("override memory vcpu tiny", ovr("memory = [{ mb = 128, vcpu = 1e-9 }]"), "memory[0].vcpu"),
		scen("override memory none", ovr("memory = []"), "memory: needs 1 to 255"),
		scen("override regions carbon 1e6", ovr("regions = [{ name = \"r\", role = \"x\", carbon_g_per_kwh = 1e6, site = \"virginia\" }]"), "carbon_g_per_kwh: must be in [0, 2000] g/kWh"),
		scen("override regions price factor 0", ovr("regions = [{ name = \"r\", role = \"x\", carbon_g_per_kwh = 100.0, price_factor = 0.0, site = \"virginia\" }]"), "price_factor"),
		scen("override region unknown site", ovr("regions = [{ name = \"r\", role = \"x\", carbon_g_per_kwh = 100.0, site = \"atlantis\" }]"), "unknown network site"),
		scen("override name", ovr("name = \"x\""), "catalog.override[0].name: cannot be overridden"),
		scen("override unknown provider", add("[[catalog.override]]\nprovider = \"ibm\"\n"), "unknown provider \"ibm\""),
		scen("override no provider", add("[[catalog.override]]\nspeed = 2.0\n"), "provider: missing"),
		scen("per-arm override price", add("[[arms.override]]\nprovider = \"aws\"\nbilling = { request_usd = 1e308 }\n"), "arms[0].override[0].billing.request_usd"),

		// Catalog files.
		scen("catalog missing", add("[catalog]\nfile = \"nope.toml\"\n"), "catalog.file: cannot read the catalog"),
		scen("catalog empty", add("[catalog]\nfile = \"c.toml\"\n"), "the catalog needs at least one provider", "c.toml", ""),
		scen("catalog garbage", add("[catalog]\nfile = \"c.toml\"\n"), "invalid TOML", "c.toml", "[[[["),
		scen("catalog is a FIFO", add("[catalog]\nfile = \"c.toml\"\n"), "is a named pipe (FIFO), not a regular file", "c.toml", asFIFO),
		scen("catalog is /dev/zero", add("[catalog]\nfile = \"c.toml\"\n"), "is a device, not a regular file", "c.toml", asDevice),
		scen("catalog is a directory", add("[catalog]\nfile = \"c.toml\"\n"), "is a directory, not a regular file", "c.toml", asDir),
		scen("catalog of 17 MiB", add("[catalog]\nfile = \"c.toml\"\n"), "larger than 16777216 bytes", "c.toml", strings.Repeat("#", 17<<20)),
		scen("catalog unknown key", add("[catalog]\nfile = \"c.toml\"\n"), "unknown key", "c.toml", "[[providers]]\nnmae = \"x\"\n"),

		// Azure 2019 traces.
		scen("az19 ok", az19, "", "inv.csv", hInv, "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 count at the old limit", az19, "above the limit of 8388608 arrivals in a minute", "inv.csv", strings.Replace(hInv, "3,1", "4294967295,1", 1), "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 count with sign", az19, "is not a non-negative integer count", "inv.csv", strings.Replace(hInv, "3,1", "+3,1", 1), "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 count float", az19, "is not a non-negative integer count", "inv.csv", strings.Replace(hInv, "3,1", "3.0,1", 1), "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 count empty", az19, "empty count", "inv.csv", strings.Replace(hInv, "3,1", ",1", 1), "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 minute total over", az19, "pass the limit of 8388608", "inv.csv", strings.Replace(strings.Replace(hInv, "3,1", "5000000,1", 1), "1,0", "5000000,0", 1), "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 percentiles 1e300", az19, "ms is above the limit of 6.048e+08 ms", "inv.csv", hInv, "dur.csv", strings.Replace(hDur, "10,12,50,90,150,400,500\no1,a1,f2", "1e300,1e300,1e300,1e300,1e300,1e300,1e300\no1,a1,f2", 1), "mem.csv", hMem),
		scen("az19 percentiles nan", az19, "not a finite number", "inv.csv", hInv, "dur.csv", strings.Replace(hDur, ",90,", ",nan,", 1), "mem.csv", hMem),
		scen("az19 percentiles negative", az19, "is negative", "inv.csv", hInv, "dur.csv", strings.Replace(hDur, ",90,", ",-90,", 1), "mem.csv", hMem),
		scen("az19 percentiles decrease", az19, "must not decrease", "inv.csv", hInv, "dur.csv", strings.Replace(hDur, "50,90,150", "95,90,150", 1), "mem.csv", hMem),
		scen("az19 memory 1e300", az19, "above the limit of 1.048576e+06 MB", "inv.csv", hInv, "dur.csv", hDur, "mem.csv", strings.Replace(hMem, ",200\n", ",1e300\n", 1)),
		scen("az19 ragged row", az19, "row has 5 fields, the header has 6", "inv.csv", strings.Replace(hInv, "3,1\n", "3\n", 1), "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 header only", az19, "no function rows", "inv.csv", "HashOwner,HashApp,HashFunction,Trigger,1,2\n", "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 empty", az19, "no header", "inv.csv", "", "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 CR-only", az19, "CR-only (classic Mac) line endings", "inv.csv", strings.ReplaceAll(hInv, "\n", "\r"), "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 CRLF", az19, "", "inv.csv", strings.ReplaceAll(hInv, "\n", "\r\n"), "dur.csv", strings.ReplaceAll(hDur, "\n", "\r\n"), "mem.csv", hMem),
		scen("az19 BOM", az19, "", "inv.csv", "\ufeff"+hInv, "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 line of 2 MiB", az19, "line longer than 1048576 bytes", "inv.csv", strings.Replace(hInv, "http,3,1", "http,"+strings.Repeat("1", 2<<20)+",1", 1), "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 invocations FIFO", az19, "is a named pipe (FIFO), not a regular file", "inv.csv", asFIFO, "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 durations /dev/zero", az19, "is a device, not a regular file", "inv.csv", hInv, "dur.csv", asDevice, "mem.csv", hMem),
		scen("az19 memory directory", az19, "is a directory, not a regular file", "inv.csv", hInv, "dur.csv", hDur, "mem.csv", asDir),
		scen("az19 missing file", az19, "cannot open the trace file", "inv.csv", hInv, "dur.csv", hDur),
		scen("az19 minutes go back", az19, "minutes must increase", "inv.csv", strings.Replace(hInv, "Trigger,1,2", "Trigger,2,1", 1), "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 durations missing column", az19, "percentile_Average_99", "inv.csv", hInv, "dur.csv", strings.Replace(hDur, "percentile_Average_99,", "", 1), "mem.csv", hMem),
		scen("az19 bad second day", strings.Replace(az19, "invocations = \"inv.csv\"\ndurations = \"dur.csv\"\nmemory = \"mem.csv\"", "days = [{ invocations = \"inv.csv\", durations = \"dur.csv\", memory = \"mem.csv\" }, { invocations = \"inv.csv\", durations = \"bad.csv\", memory = \"mem.csv\" }]", 1),
			"workload.azure2019.days: cannot read the trace", "inv.csv", hInv, "dur.csv", hDur, "mem.csv", hMem, "bad.csv", strings.Replace(hDur, ",90,", ",x,", 1)),
		scen("az19 function twice", az19, `inv.csv:4: column "HashFunction" (field 3): function "o1/a1/f1" has a row already, on line 2`, "inv.csv", hInv+"o1,a1,f1,http,1,1\n", "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 function twice on another day", strings.Replace(az19, "invocations = \"inv.csv\"\ndurations = \"dur.csv\"\nmemory = \"mem.csv\"", "days = [{ invocations = \"inv.csv\", durations = \"dur.csv\", memory = \"mem.csv\" }, { invocations = \"inv2.csv\", durations = \"dur.csv\", memory = \"mem.csv\" }]", 1),
			`inv2.csv:4: column "HashFunction" (field 3): function "o1/a1/f2" has a row already, on line 3`, "inv.csv", hInv, "inv2.csv", hInv+"o1,a1,f2,timer,0,0\n", "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 empty function hash", az19, `inv.csv:3: column "HashFunction" (field 3): empty hash`, "inv.csv", strings.Replace(hInv, "o1,a1,f2", "o1,a1,", 1), "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 blank owner hash", az19, `inv.csv:2: column "HashOwner" (field 1): empty hash`, "inv.csv", strings.Replace(hInv, "o1,a1,f1", "  ,a1,f1", 1), "dur.csv", hDur, "mem.csv", hMem),
		scen("az19 empty app hash in durations", az19, `dur.csv:3: column "HashApp" (field 2): empty hash`, "inv.csv", hInv, "dur.csv", strings.Replace(hDur, "o1,a1,f2", "o1,,f2", 1), "mem.csv", hMem),
		scen("az19 empty app hash in memory", az19, `mem.csv:2: column "HashApp" (field 2): empty hash`, "inv.csv", hInv, "dur.csv", hDur, "mem.csv", strings.Replace(hMem, "o1,a1,", "o1,,", 1)),
		scen("az19 spread unknown", strings.Replace(az19, "memory = \"mem.csv\"", "memory = \"mem.csv\"\nspread = \"gaussian\"", 1), "workload.azure2019.spread", "inv.csv", hInv, "dur.csv", hDur, "mem.csv", hMem),

		// Azure 2021 traces.
		scen("az21 ok", az21, "", "t.csv", h2021),
		scen("az21 duration of a year", az21, "is above the limit of 604800 s", "t.csv", strings.Replace(h2021, "10.5,0.5", "10.5,31536000", 1)),
		scen("az21 end 1e300", az21, "is beyond", "t.csv", strings.Replace(h2021, "10.5,0.5", "1e300,0.5", 1)),
		scen("az21 negative duration", az21, "is negative", "t.csv", strings.Replace(h2021, "10.5,0.5", "10.5,-0.5", 1)),
		scen("az21 inf", az21, "not a finite number", "t.csv", strings.Replace(h2021, "10.5,0.5", "inf,0.5", 1)),
		scen("az21 empty app", az21, "empty app or func", "t.csv", strings.Replace(h2021, "a1,f1,10.5", ",f1,10.5", 1)),
		scen("az21 missing column", az21, "duration", "t.csv", "app,func,end_timestamp\na,f,1\n"),
		scen("az21 FIFO", az21, "is a named pipe (FIFO)", "t.csv", asFIFO),
		scen("az21 /dev/zero", az21, "is a device", "t.csv", asDevice),
		scen("az21 memory 1e300", strings.Replace(az21, "file = \"t.csv\"", "file = \"t.csv\"\nmemory_mb = 1e300", 1), "workload.azure2021.memory_mb", "t.csv", h2021),

		// Carbon series.
		scen("co2 ok", withCO2(hostileBase, "2020-01-01 00:00:00"), "", "co2.csv", hCO2),
		scen("co2 value 1e300", withCO2(hostileBase, ""), "is not an intensity in [0, 2000] g/kWh", "co2.csv", strings.Replace(hCO2, ",320", ",1e300", 1)),
		scen("co2 value nan", withCO2(hostileBase, ""), "is not an intensity", "co2.csv", strings.Replace(hCO2, ",320", ",NaN", 1)),
		scen("co2 value negative", withCO2(hostileBase, ""), "is not an intensity", "co2.csv", strings.Replace(hCO2, ",320", ",-1", 1)),
		scen("co2 bad start", withCO2(hostileBase, "yesterday"), "catalog.carbon_series[0].start: \"yesterday\" is not a time", "co2.csv", hCO2),
		scen("co2 start a millennium away", withCO2(hostileBase, "1020-01-01 00:00:00"), "catalog.carbon_series[0].start", "co2.csv", hCO2),
		scen("co2 CR-only", withCO2(hostileBase, ""), "", "co2.csv", strings.ReplaceAll(hCO2, "\n", "\r")),
		scen("co2 long line", withCO2(hostileBase, ""), "co2.csv:2: line longer than 1048576 bytes", "co2.csv", "time,DE\n"+strings.Repeat("x", 2<<20)+"\n"),
		scen("co2 irregular", withCO2(hostileBase, ""), "the series must be regular", "co2.csv", strings.Replace(hCO2, "00:30:00", "00:45:00", 1)),
		scen("co2 time back", withCO2(hostileBase, ""), "time does not increase", "co2.csv", strings.Replace(hCO2, "00:15:00", "00:00:00", 1)),
		scen("co2 one row", withCO2(hostileBase, ""), "needs at least two rows", "co2.csv", "time,DE\n2020-01-01 00:00:00,300\n"),
		scen("co2 no column", withCO2(hostileBase, ""), "no value column \"DE\"", "co2.csv", "time,FR\n2020-01-01 00:00:00,300\n"),
		scen("co2 FIFO", withCO2(hostileBase, ""), "is a named pipe (FIFO)", "co2.csv", asFIFO),
		scen("co2 /dev/zero", withCO2(hostileBase, ""), "is a device", "co2.csv", asDevice),
		scen("co2 unknown region", strings.Replace(withCO2(hostileBase, ""), "aws/eu-central-1", "aws/moon-1", 1), "catalog.carbon_series[0].region: unknown region", "co2.csv", hCO2),

		// The scenario file itself.
		{name: "scenario is a FIFO", files: map[string]string{"s.toml": asFIFO}, args: []string{"validate", "{dir}/s.toml"}, want: "is a named pipe (FIFO)"},
		{name: "scenario is /dev/zero", files: map[string]string{"s.toml": asDevice}, args: []string{"validate", "{dir}/s.toml"}, want: "is a device"},
		{name: "scenario is a directory", files: map[string]string{"s.toml": asDir}, args: []string{"run", "{dir}/s.toml", "--out", "{dir}/o"}, want: "is a directory"},
		{name: "scenario missing", files: map[string]string{}, args: []string{"validate", "{dir}/none.toml"}, want: "no such file"},
		{name: "scenario of 17 MiB", files: map[string]string{"s.toml": strings.Repeat("#", 17<<20)}, args: []string{"validate", "{dir}/s.toml"}, want: "larger than 16777216 bytes"},

		// Flags.
		{name: "seed negative", files: map[string]string{"s.toml": hostileBase}, args: []string{"run", "{dir}/s.toml", "--seed", "-1", "--out", "{dir}/o"}, want: "--seed must be a non-negative integer"},
		{name: "seed overflow", files: map[string]string{"s.toml": hostileBase}, args: []string{"run", "{dir}/s.toml", "--seed", "99999999999999999999", "--out", "{dir}/o"}, want: "--seed"},
		{name: "replications 0", files: map[string]string{"s.toml": hostileBase}, args: []string{"run", "{dir}/s.toml", "--replications", "0", "--out", "{dir}/o"}, want: "--replications must be in"},
		{name: "workers 0", files: map[string]string{"s.toml": hostileBase}, args: []string{"run", "{dir}/s.toml", "--workers", "0", "--out", "{dir}/o"}, want: "--workers must be at least 1"},
		{name: "two scenarios", files: map[string]string{"s.toml": hostileBase}, args: []string{"run", "{dir}/s.toml", "{dir}/s.toml"}, want: "takes at most one scenario file"},
		{name: "unknown flag", files: map[string]string{}, args: []string{"run", "--frobnicate"}, want: "flag provided but not defined"},
		{name: "sweep without out", files: map[string]string{"s.toml": hostileBase}, args: []string{"sweep", "{dir}/s.toml"}, want: "sweep"},
		{name: "shard 0/0", files: map[string]string{"s.toml": hostileBase}, args: []string{"sweep", "{dir}/s.toml", "--out", "{dir}/o", "--shard", "0/0"}, want: "shard"},
		{name: "shard 3/2", files: map[string]string{"s.toml": hostileBase}, args: []string{"sweep", "{dir}/s.toml", "--out", "{dir}/o", "--shard", "3/2"}, want: "shard"},
		{name: "unknown command", files: map[string]string{}, args: []string{"explode"}, want: "unknown command"},
		{name: "trace without subcommand", files: map[string]string{}, args: []string{"trace"}, want: "trace needs a subcommand"},
		{name: "trace stats flags after paths", files: map[string]string{"t.csv": h2021}, args: []string{"trace", "stats", "{dir}/t.csv", "--seed", "3"}, want: ""},
		{name: "trace stats FIFO", files: map[string]string{"t.csv": asFIFO}, args: []string{"trace", "stats", "{dir}/t.csv"}, want: "is a named pipe (FIFO)"},
		{name: "trace stats /dev/zero", files: map[string]string{"t.csv": asDevice}, args: []string{"trace", "stats", "{dir}/t.csv"}, want: "is a device"},
		{name: "trace stats bad spread", files: map[string]string{"t.csv": h2021}, args: []string{"trace", "stats", "--spread", "x", "{dir}/t.csv"}, want: "--spread"},
		{name: "eval checkpoint FIFO", files: map[string]string{"s.toml": hostileBase, "c.ckpt": asFIFO}, args: []string{"eval", "lstm", "{dir}/s.toml", "--checkpoint", "{dir}/c.ckpt", "--out", "{dir}/o"}, want: "is a named pipe (FIFO)"},
		{name: "eval checkpoint /dev/zero", files: map[string]string{"s.toml": hostileBase, "c.ckpt": asDevice}, args: []string{"eval", "lstm", "{dir}/s.toml", "--checkpoint", "{dir}/c.ckpt", "--out", "{dir}/o"}, want: "is a device"},
		{name: "report of nothing", files: map[string]string{}, args: []string{"report", "{dir}"}, want: "no job records"},
		{name: "report of a FIFO record", files: map[string]string{"jobs/c000-a00-a-r000.json": asFIFO}, args: []string{"report", "{dir}"}, want: "is a named pipe (FIFO)"},
		{name: "report of a garbage record", files: map[string]string{"jobs/c000-a00-a-r000.json": "{"}, args: []string{"report", "{dir}"}, want: "job record"},

		// Output directories.
		{name: "out is a file", files: map[string]string{"s.toml": hostileBase, "o": "x"}, args: []string{"run", "{dir}/s.toml", "--out", "{dir}/o", "--quiet"}, want: "output directory"},
		{name: "out under a file", files: map[string]string{"s.toml": hostileBase, "o": "x"}, args: []string{"run", "{dir}/s.toml", "--out", "{dir}/o/sub", "--quiet"}, want: "not a directory"},
		{name: "out with a FIFO run.json", files: map[string]string{"s.toml": hostileBase, "o/run.json": asFIFO}, args: []string{"run", "{dir}/s.toml", "--out", "{dir}/o", "--quiet"}, want: "is a named pipe (FIFO)"},
		{name: "out with a garbage run.json", files: map[string]string{"s.toml": hostileBase, "o/run.json": "{"}, args: []string{"run", "{dir}/s.toml", "--out", "{dir}/o", "--quiet"}, want: "run.json"},
		{name: "sweep into another run's directory", files: map[string]string{"s.toml": hostileBase, "o/run.json": `{"tool":"skyfaas","scenario_sha256":"00"}`, "o/jobs/c000-a00-x-r000.json": "{}"}, args: []string{"sweep", "{dir}/s.toml", "--out", "{dir}/o"}, want: "another"},
		{name: "series directory is a file", files: map[string]string{"s.toml": hostileBase, "o/series": "x"}, args: []string{"run", "{dir}/s.toml", "--out", "{dir}/o", "--quiet", "--series"}, want: "series directory"},
	}
	// Runs that must succeed with finite, in-range figures.
	cs = append(cs,
		runOf("run at the limits of the ranges", add("[slo]\nfactor = 1000.0\nslack = \"24h\"\n[[catalog.override]]\nprovider = \"aws\"\nspeed = 100.0\nbilling = { gb_second_usd = 1.0, request_usd = 1.0 }\n"), ""),
		runOf("run at the low limits", add("[[catalog.override]]\nprovider = \"gcp\"\nspeed = 0.01\ncold_start = { dist = \"constant\", value_s = 0.0 }\n[[catalog.override]]\nprovider = \"aws\"\nspeed = 0.01\ncold_start = { dist = \"constant\", value_s = 0.0 }\n[[catalog.override]]\nprovider = \"azure\"\nspeed = 0.01\ncold_start = { dist = \"constant\", value_s = 0.0 }\n"), ""),
		runOf("run with a tiny poisson", repl("kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 3\n", "kind = \"poisson\"\n[workload.poisson]\nrate = 0.01\nmean_duration = \"1ms\"\n"), ""),
		runOf("run of an azure 2019 day", az19, "", "inv.csv", hInv, "dur.csv", hDur, "mem.csv", hMem),
		runOf("run of an azure 2021 trace", az21, "", "t.csv", h2021),
		runOf("run with a carbon series", withCO2(hostileBase, "2019-12-31 23:00:00"), "", "co2.csv", hCO2),
		runOf("run with zero-duration trace", az19, "", "inv.csv", hInv, "dur.csv", strings.Replace(strings.Replace(hDur, "10,12,50,90,150,400,500", "0,0,0,0,0,0,0", 2), "10,12,50,90,150,400,500", "0,0,0,0,0,0,0", 1), "mem.csv", hMem),
		runOf("run with a throttling limit", ovr("concurrency = 1\nscale_up_per_s = 0.001\nscale_up_burst = 1"), ""),
		noted(runOf("run with a duration row repeated", az19, "", "inv.csv", hInv, "dur.csv", hDur+"o1,a1,f1,100,10,10,500,10,12,50,90,150,400,500\n", "mem.csv", hMem),
			"dur.csv: 1 row(s) repeat an earlier row's function, 0 of them with other values (the first: line 4 repeats line 2)"),
		noted(runOf("run with conflicting duration rows", az19, "", "inv.csv", hInv, "dur.csv", hDur+"o1,a1,f2,100,10,10,500,10,12,50,90,150,400,9000\n", "mem.csv", hMem),
			"1 of them with other values (the first: line 4 repeats line 3); each function's first row is used"),
		noted(runOf("run with conflicting memory rows", az19, "", "inv.csv", hInv, "dur.csv", hDur, "mem.csv", hMem+"o1,a1,10,150,100,110,130,150,170,190,199,900\n"),
			"mem.csv: 1 row(s) repeat an earlier row's app, 1 of them with other values (the first: line 3 repeats line 2); each app's first row is used"),
		noted(runOf("run of more arms than a plot holds", manyArms(41), ""),
			"note: no tradeoff.png: 41 arms: more arms than the 40 a trade-off plot keeps legible; summary.csv gives every arm\nnote: cell 0: no pareto figure: 41 arms"),
		runOf("run failing mid-way leaves nothing", az19, "cannot read the trace", "inv.csv", hInv, "dur.csv", strings.Replace(hDur, ",90,", ",x,", 1), "mem.csv", hMem),
	)
	return cs
}

func TestHostileCorpus(t *testing.T) {
	cases := hostileCases()
	if len(cases) < 150 {
		t.Errorf("the corpus holds %d cases, fewer than the 150 promised", len(cases))
	}
	var refused, sane int
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			preexisting := map[string]bool{}
			for name, body := range c.files {
				makeHostileFile(t, filepath.Join(dir, name), body)
				for d := filepath.Dir(filepath.Join(dir, name)); d != dir; d = filepath.Dir(d) {
					preexisting[d] = true
				}
			}
			args := make([]string, len(c.args))
			for i, a := range c.args {
				args[i] = strings.ReplaceAll(a, "{dir}", dir)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var out, errOut bytes.Buffer
			done := make(chan error, 1)
			go func() { done <- Run(ctx, args, &out, &errOut) }()
			var err error
			select {
			case err = <-done:
			case <-time.After(3 * time.Minute):
				t.Fatalf("hung: %q", args)
			}
			if s := errOut.String() + out.String(); strings.Contains(s, "goroutine ") || strings.Contains(s, "panic:") {
				t.Fatalf("a stack trace:\n%s", s)
			}
			if c.want != "" {
				if err == nil {
					t.Fatalf("accepted; want an error containing %q\nstdout: %s", c.want, out.String())
				}
				if !strings.Contains(err.Error(), c.want) {
					t.Fatalf("error\n%v\nlacks %q", err, c.want)
				}
				if len(c.want) >= 25 && strings.Count(err.Error(), c.want) > 1 { // once, not once per arm
					t.Errorf("error repeats %q:\n%v", c.want, err)
				}
				if args[0] == "run" {
					checkNoEmptyRun(t, dir, args, preexisting)
				}
				refused++
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if args[0] == "run" {
				checkSaneSummary(t, filepath.Join(dir, "out", "summary.json"))
			}
			if !strings.Contains(out.String(), c.note) {
				t.Errorf("output lacks the note %q:\n%s", c.note, out.String())
			}
			sane++
		})
	}
	t.Logf("hostile corpus: %d cases, %d refused with the expected error, %d accepted and sane", len(cases), refused, sane)
}

// makeHostileFile writes body at path, or makes the special file it names.
func makeHostileFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	switch body {
	case asFIFO:
		if err = syscall.Mkfifo(path, 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
	case asDevice:
		err = os.Symlink("/dev/zero", path)
	case asDir:
		err = os.Mkdir(path, 0o755)
	default:
		err = os.WriteFile(path, []byte(body), 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// checkNoEmptyRun fails if a refused run left an output directory with no
// results in it.
func checkNoEmptyRun(t *testing.T, dir string, args []string, preexisting map[string]bool) {
	t.Helper()
	for i, a := range args {
		if a != "--out" || i+1 == len(args) {
			continue
		}
		out := args[i+1]
		st, err := os.Stat(out)
		if err != nil || !st.IsDir() {
			return // absent, or not ours
		}
		if ents, _ := os.ReadDir(out); len(ents) == 0 && !preexisting[out] {
			t.Errorf("the refused run left the empty directory %s", out)
		} else if st, err := os.Lstat(filepath.Join(out, "run.json")); err == nil && st.Mode().IsRegular() && !hasOutputs(out) && !preexisting[out] {
			t.Errorf("the refused run left %s with a run.json and no result", out)
		}
	}
}

// checkSaneSummary checks every number of a run's summary.json: finite
// (JSON holds no other), percentages in [0, 100], counts, costs, energy and
// latencies not negative.
func checkSaneSummary(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(at+"."+k, e)
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", at, i), e)
			}
		case float64:
			if strings.HasSuffix(at, "_pct") && x > 100+1e-9 {
				t.Errorf("%s = %v, above 100 %%", at, x)
			}
			if x < 0 && !strings.Contains(at, "credit") && !strings.Contains(at, "objective") && !strings.Contains(at, "seed") {
				t.Errorf("%s = %v, negative", at, x)
			}
		}
	}
	walk("", v)
	arms, _ := v.(map[string]any)["arms"].([]any)
	if len(arms) == 0 {
		t.Errorf("%s has no arm", path)
	}
}

// signalScenario is small made long enough to be interrupted between
// jobs and in the middle of one: 200 functions for 12 hours, about a
// second a job.
var signalScenario = strings.NewReplacer("functions = 30", "functions = 200", `duration = "3h"`, `duration = "12h"`).Replace(small)

// Signals and blocking files, through the built command in a child
// process (the corpus's cases run in-process): Ctrl-C (SIGINT) and SIGTERM
// end a run within about a second, with exit status 1 and a message
// saying where the finished jobs are; those jobs are kept, readable, and no
// temporary file is left. A FIFO given as the scenario or as a trace ends
// the command at once: it is refused before it is opened.
func TestHostileSignalsAndFIFOs(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command in child processes; skipped with -short")
	}
	if !strings.Contains(signalScenario, "functions = 200") || !strings.Contains(signalScenario, `duration = "12h"`) {
		t.Fatal("the scenario edit did not apply")
	}
	const prompt = 2 * time.Second // "within about a second": the bound, with slack for a loaded machine
	child := func(args ...string) *exec.Cmd {
		c := exec.Command(os.Args[0], args...)
		c.Env = append(os.Environ(), "SKYFAAS_TEST_MAIN=1")
		return c
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			c := child("run", writeScenario(t, signalScenario), "--out", dir, "--quiet", "--series", "--workers", "1")
			var stderr bytes.Buffer
			c.Stderr = &stderr
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			// Wait for a finished job, then a little into the next one.
			deadline := time.Now().Add(2 * time.Minute)
			for len(globs(t, filepath.Join(dir, "jobs", "*.json"))) == 0 {
				if time.Now().After(deadline) {
					c.Process.Kill()
					t.Fatal("no job finished in two minutes")
				}
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond)
			before := len(globs(t, filepath.Join(dir, "jobs", "*.json")))
			sent := time.Now()
			if err := c.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- c.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				c.Process.Kill()
				t.Fatalf("still running 30 s after %v", sig)
			}
			took := time.Since(sent)
			t.Logf("%v: ended in %v, %d job(s) finished before", sig, took.Round(time.Millisecond), before)
			if took > prompt {
				t.Errorf("%v: the run took %v to end, more than %v", sig, took, prompt)
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Errorf("%v: exit %v, want status 1", sig, err)
			}
			msg := stderr.String()
			if !strings.Contains(msg, "skyfaas: interrupted after ") || !strings.Contains(msg, "finished jobs are kept in "+filepath.Join(dir, "jobs")) || !strings.Contains(msg, "rerun the same command to resume") {
				t.Errorf("%v: unclear message:\n%s", sig, msg)
			}
			if strings.Contains(msg, "goroutine ") {
				t.Errorf("%v: a stack trace:\n%s", sig, msg)
			}
			jobs, err := sweep.ReadJobs(dir)
			if err != nil || len(jobs) < before {
				t.Errorf("%v: %d readable job records (%v), %d before the signal", sig, len(jobs), err, before)
			}
			if tmp := temporaries(t, dir); len(tmp) != 0 {
				t.Errorf("%v: temporary files left: %v", sig, tmp)
			}
			if _, err := os.Stat(filepath.Join(dir, "summary.json")); !os.IsNotExist(err) {
				t.Errorf("%v: an interrupted run wrote summary.json (stat: %v)", sig, err)
			}
		})
	}
	for _, c := range []struct {
		name string
		args []string // "{fifo}" and "{dir}" stand for the FIFO and its directory
		file string   // what the scenario, if any, is
		want string
	}{
		{"scenario", []string{"run", "{fifo}", "--out", "{dir}/o"}, "", "is a named pipe (FIFO)"},
		{"validated scenario", []string{"validate", "{fifo}"}, "", "is a named pipe (FIFO)"},
		{"trace", []string{"run", "{dir}/s.toml", "--out", "{dir}/o"}, az21, "is a named pipe (FIFO)"},
		{"trace stats", []string{"trace", "stats", "{fifo}"}, "", "is a named pipe (FIFO)"},
	} {
		t.Run("FIFO "+c.name, func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "t.csv")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skip("no FIFOs here:", err)
			}
			if c.file != "" {
				if err := os.WriteFile(filepath.Join(dir, "s.toml"), []byte(c.file), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := make([]string, len(c.args))
			for i, a := range c.args {
				args[i] = strings.NewReplacer("{fifo}", fifo, "{dir}", dir).Replace(a)
			}
			cmd := child(args...)
			start := time.Now()
			done := make(chan []byte, 1)
			go func() { out, _ := cmd.CombinedOutput(); done <- out }()
			select {
			case out := <-done:
				if took := time.Since(start); took > prompt {
					t.Errorf("ended after %v, more than %v", took, prompt)
				}
				if !strings.Contains(string(out), c.want) || cmd.ProcessState.ExitCode() != 1 {
					t.Errorf("exit %d, output\n%s\nlacks %q", cmd.ProcessState.ExitCode(), out, c.want)
				}
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatal("hung on the FIFO")
			}
		})
	}
}
