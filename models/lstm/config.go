package lstm

import (
	"fmt"
	"strings"
)

// Output transforms of the last layer (Config.Output).
const (
	// OutputLinear leaves the last dense layer linear: the prediction is a
	// normalised target, negative for any value below the training mean,
	// and the real value is clamped at 0 only after the normalisation and
	// the log1p are undone. The default.
	OutputLinear = "linear"
	// OutputReLU is the thesis notebook's ReLU on the normalised outputs:
	// it cannot predict below the training mean, so every interval quieter
	// than average is over-predicted. Kept to measure it.
	OutputReLU = "relu"
)

// Config is the network's architecture and loss.
type Config struct {
	// Units of each stacked LSTM layer; every layer but the last returns
	// its whole sequence to the next, the last only its final state.
	Units []int `toml:"units" json:"units"`
	// Dense is the width of the ReLU layer before the output (0: none).
	Dense int `toml:"dense" json:"dense"`
	// Dropout after every LSTM layer, during training only (0.2).
	Dropout float64 `toml:"dropout" json:"dropout"`
	Output  string  `toml:"output" json:"output"`
	// Residual adds the network's output to the last interval's normalised
	// targets: the network learns the change from "same as last interval"
	// (the reactive forecast), not the level. Default true.
	Residual bool `toml:"residual" json:"residual"`
	// UnderWeight and OverWeight weigh the squared error of an under- and
	// an over-prediction (5 and 1): missing demand costs cold starts.
	UnderWeight float64 `toml:"under_weight" json:"under_weight"`
	OverWeight  float64 `toml:"over_weight" json:"over_weight"`
	// Window is the input length in intervals (from the dataset).
	Window int `toml:"-" json:"input_intervals"`
}

// Thesis is the thesis's preset: LSTM 128 -> dropout 0.2 -> LSTM 64 ->
// dropout -> dense 32 ReLU -> dense 3, asymmetric MSE 5:1.
func Thesis() Config {
	return Config{Units: []int{128, 64}, Dense: 32, Dropout: 0.2, Output: OutputLinear, Residual: true, UnderWeight: 5, OverWeight: 1, Window: 12}
}

// Small is the preset the shipped checkpoint uses (LSTM 32 -> 16 -> dense
// 16): a quarter of the thesis's width, trainable on two cores in minutes.
func Small() Config {
	return Config{Units: []int{32, 16}, Dense: 16, Dropout: 0.2, Output: OutputLinear, Residual: true, UnderWeight: 5, OverWeight: 1, Window: 12}
}

// Preset returns a named preset.
func Preset(name string) (Config, error) {
	switch name {
	case "thesis":
		return Thesis(), nil
	case "small":
		return Small(), nil
	}
	return Config{}, fmt.Errorf("unknown preset %q (known: thesis, small)", name)
}

func (c Config) validate() error {
	var errs []string
	if len(c.Units) == 0 {
		errs = append(errs, "units: at least one LSTM layer")
	}
	for i, u := range c.Units {
		if u < 1 || u > 4096 {
			errs = append(errs, fmt.Sprintf("units[%d]: must be in 1..4096 (got %d)", i, u))
		}
	}
	if c.Dense < 0 || c.Dense > 4096 {
		errs = append(errs, fmt.Sprintf("dense: must be in 0..4096 (got %d)", c.Dense))
	}
	if !(c.Dropout >= 0 && c.Dropout < 1) {
		errs = append(errs, fmt.Sprintf("dropout: must be in [0, 1) (got %v)", c.Dropout))
	}
	if c.Output != OutputLinear && c.Output != OutputReLU {
		errs = append(errs, fmt.Sprintf("output: must be %q or %q (got %q)", OutputLinear, OutputReLU, c.Output))
	}
	if !(c.UnderWeight > 0 && c.OverWeight > 0) {
		errs = append(errs, fmt.Sprintf("under_weight, over_weight: must be positive (got %v, %v)", c.UnderWeight, c.OverWeight))
	}
	if c.Window < 2 {
		errs = append(errs, fmt.Sprintf("window: must be at least 2 (got %d)", c.Window))
	}
	if len(errs) > 0 {
		return fmt.Errorf("lstm: %s", strings.Join(errs, "; "))
	}
	return nil
}
