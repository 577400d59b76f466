package sim

// The one-execution fast path. An instance of a pool whose instances hold
// one execution at a time and bill it apart (AWS Lambda and GCP 1st gen:
// InstanceConcurrency 1, per-execution billing) never shares its CPU: its
// execution progresses at rate 1, so its end is known when it begins (its
// start plus its work, or its deadline if sooner). join and complete then
// need no progress rate, no scan of the execution list and no
// rescheduling, and these two are most of the events of a replay on such
// a provider. joinSingle and completeSingle leave the instance (its
// virtual clock included, which observations read) and the metrics
// exactly as join and complete do: TestSinglePathMatchesGeneral runs
// random configurations through both.

// joinSingle is join for instance i (in, of pool p, p.single), which holds
// no execution.
func (e *Engine) joinSingle(i int32, in *instance, p *pool, r request) {
	e.accrue(p, in, e.now) // touch: nothing runs, nothing is billed per instance
	cold := in.readyAt > e.now
	if in.state != stBusy {
		in.state = stBusy
		p.setBusy(e.now, 1)
	}
	in.ownBusy = true
	in.own = execution{r: r, cold: cold, next: in.head}
	in.head = ownExec
	in.k = 1
	e.m.ExecutionsPeakPerInstance = max(e.m.ExecutionsPeakPerInstance, 1)
	e.holdMemory(in, r.mem)
	e.fns[r.fn].running++
	e.countStart(p, r, cold)
	start := e.now
	if cold {
		// Nobody else can join it: it begins when its start completes,
		// without waiting for a ready event.
		p.cold++
		start = in.readyAt
	}

	// begin
	ex := &in.own
	ex.started, ex.start = true, start
	work := e.workOf(p, ex)
	ex.vEnd = in.vclock + float64(work) + float64(start.Sub(e.now))
	in.running = 1
	if e.measured(r.arrival) {
		e.m.StartDelaySeconds += start.Sub(r.arrival).Seconds()
	}

	// reschedule: at rate 1 the virtual clock keeps pace with time (both
	// count whole µs, exactly, in a float64), so endOf's end is start+work.
	in.egen++
	in.evAt = min(start.Add(work), deadline(p, ex))
	e.q.push(in.evAt, evComplete, i, in.egen)
	if n := e.q.len(); n > e.m.PeakEventQueue {
		e.m.PeakEventQueue = n
	}
}

// completeSingle is complete for instance i (in, of pool p, p.single),
// whose completion event is current: its execution has done its work, or
// has reached its deadline first.
func (e *Engine) completeSingle(i int32, in *instance, p *pool) {
	in.evAt = noTimer
	in.vclock += float64(e.now.Sub(in.since)) // touch at rate 1
	e.accrue(p, in, e.now)
	in.head = in.own.next
	e.endExecution(i, ownExec, in.own.vEnd > in.vclock+clockEps)
	e.afterFinish(i)
}
