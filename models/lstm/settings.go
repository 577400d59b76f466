package lstm

// Settings are the `[train.lstm]` table of a scenario: the network, the
// dataset and the optimiser, flattened into one table.
type Settings struct {
	Config
	DataConfig
	TrainConfig
}

// DefaultSettings is the thesis network, the dataset split and
// optimiser.
func DefaultSettings() Settings {
	return Settings{Config: Thesis(), DataConfig: DefaultData(), TrainConfig: DefaultTrain()}
}
