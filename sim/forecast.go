package sim

import "math"

// DefaultForecastHorizon is how far ahead the carbon forecast looks unless
// Config.CarbonForecast says otherwise: one hour, the default strategic
// epoch, and the resolution of the hourly grid-intensity series the catalog
// takes.
const DefaultForecastHorizon = Hour

// CarbonForecast declares the grid-intensity forecast policies are handed
// (OptionView.CarbonForecast): the intensity expected Horizon after the
// observation's Now.
//
// With Noise 0 the forecast is persistence: the intensity now, the only
// forecast that reads nothing of the future. Its error is the series'
// change over the horizon, zero for a constant intensity.
//
// With Noise > 0 it is a noisy view of the truth: the true intensity at
// Now + Horizon times max(0, 1 + Noise·z), z standard normal, drawn from
// the run's "forecast/carbon" stream keyed by (provider, region, Now), so
// that every arm and every policy asking at the same moment sees the same
// forecast (common random numbers), whatever the order of the asks. Noise
// is the relative standard deviation of the error, a scenario's choice (no
// default: published day-ahead forecast errors depend on the grid).
//
// No policy sees the true future intensity: a forecast with Noise 0 is
// persistence, never clairvoyance.
type CarbonForecast struct {
	Horizon Duration
	Noise   float64
}

// forecastCarbon returns the forecast intensity (g/kWh) of region r of
// provider p made at now.
func (e *Engine) forecastCarbon(p ProviderID, r uint8, now Time) float64 {
	in := e.cat.Providers[p].Regions[r].Carbon
	if e.forecast.Noise == 0 {
		return in.At(int64(now))
	}
	truth := in.At(int64(now.Add(e.forecast.Horizon)))
	key := splitmix64(e.fcSeed ^ splitmix64(uint64(p)<<8|uint64(r)) ^ splitmix64(uint64(now)))
	// Box-Muller from two uniforms in (0, 1].
	u1 := (float64(key>>11) + 1) * 0x1p-53
	u2 := float64(splitmix64(key)>>11) * 0x1p-53
	z := math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
	return truth * math.Max(0, 1+e.forecast.Noise*z)
}
