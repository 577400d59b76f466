package scenarios_test

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/scenarios"
)

// catalogFigures reads the embedded catalog's raw figures.
type catalogFigures struct {
	Providers []struct {
		Name      string
		ColdStart struct {
			MedianS float64 `toml:"median_s"`
			P975S   float64 `toml:"p975_s"`
		} `toml:"cold_start"`
		Regions []struct {
			Name          string
			CarbonGPerKWh float64 `toml:"carbon_g_per_kwh"`
			Site          string
		}
	}
	Network struct {
		Sites []string
		RTTMs [][]float64 `toml:"rtt_ms"`
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestCatalogFiguresMatchTheirSources checks the embedded catalog against
// the reference data its comments cite: carbon intensities against
// Google's 2024 region file, round trips against the Skyplane-derived
// matrix, cold-start quantiles against Shilkov's measurements.
func TestCatalogFiguresMatchTheirSources(t *testing.T) {
	ref := filepath.Join(sharedtest.Dir(t), "reference")
	var cf catalogFigures
	if _, err := toml.Decode(string(scenarios.DefaultCatalog), &cf); err != nil {
		t.Fatal(err)
	}

	// Carbon: each region takes the 2024 grid intensity of the GCP region in
	// its metro (Pacific Northwest: us-west1; the Netherlands: europe-west4).
	google := map[string]float64{}
	for _, r := range readCSV(t, filepath.Join(ref, "gcp-region-carbon-info", "2024.csv"))[1:] {
		v, _ := strconv.ParseFloat(r[3], 64)
		google[r[0]] = v
	}
	proxy := map[string]string{"us-east-1": "us-east4", "us-west-2": "us-west1", "eu-central-1": "europe-west3",
		"ap-northeast-1": "asia-northeast1", "eastus": "us-east4", "westus2": "us-west1", "westeurope": "europe-west4",
		"japaneast": "asia-northeast1", "us-east4": "us-east4", "us-west1": "us-west1", "europe-west3": "europe-west3",
		"asia-northeast1": "asia-northeast1"}
	for _, p := range cf.Providers {
		for _, r := range p.Regions {
			want, ok := google[proxy[r.Name]]
			if !ok || r.CarbonGPerKWh != want {
				t.Errorf("%s/%s: carbon %v g/kWh, Google 2024 %s: %v", p.Name, r.Name, r.CarbonGPerKWh, proxy[r.Name], want)
			}
		}
	}

	// Round trips: the catalog's matrix is the derived Skyplane matrix.
	rtt := map[[2]string]float64{}
	for _, r := range readCSV(t, filepath.Join(ref, "derived", "rtt_ms_median_symmetric_selected_regions.csv"))[1:] {
		v, _ := strconv.ParseFloat(r[2], 64)
		rtt[[2]string{r[0], r[1]}], rtt[[2]string{r[1], r[0]}] = v, v
	}
	for i, a := range cf.Network.Sites {
		for j, b := range cf.Network.Sites {
			want := rtt[[2]string{a, b}]
			if got := cf.Network.RTTMs[i][j]; (i == j && got != 0) || (i != j && got != want) {
				t.Errorf("rtt %s-%s: %v ms, Skyplane-derived %v ms", a, b, got, want)
			}
		}
	}

	// Cold starts: median and upper end of the 95% range of JavaScript
	// (AWS, GCP) and of JavaScript on Azure's Linux Consumption plan,
	// rounded to 3 or 4 significant digits in the catalog.
	point := func(file, label string) (median, hi95 float64) {
		var d struct{ Points [][]any }
		b, err := os.ReadFile(filepath.Join(ref, "shilkov-coldstarts", file))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatal(err)
		}
		for _, p := range d.Points {
			if p[0] == label {
				return p[1].(float64), p[4].(float64)
			}
		}
		t.Fatalf("%s: no %q", file, label)
		return 0, 0
	}
	src := map[string][2]string{"aws": {"coldstart_aws_bylanguage.json", "JavaScript"},
		"azure": {"coldstart_azure_bylanguagelinux.json", "JavaScript"}, "gcp": {"coldstart_gcp_bylanguage.json", "JavaScript"}}
	for _, p := range cf.Providers {
		med, hi := point(src[p.Name][0], src[p.Name][1])
		if math.Abs(p.ColdStart.MedianS-med) > 0.005*med || math.Abs(p.ColdStart.P975S-hi) > 0.005*hi {
			t.Errorf("%s cold start median %v p97.5 %v; measured %v, %v", p.Name, p.ColdStart.MedianS, p.ColdStart.P975S, med, hi)
		}
	}
}
