package slug

import "testing"

func TestOf(t *testing.T) {
	for in, want := range map[string]string{
		"greenest":                   "greenest",
		"Strategic + Tactical":       "strategic---tactical",
		"single-cloud(provider=aws)": "single-cloud-provider-aws",
		"a/b\\c":                     "a-b-c",
		"  v1.2_x ":                  "v1.2_x",
		"größe":                      "gr--e",
		"日本":                         "",
	} {
		if got := Of(in); got != want {
			t.Errorf("Of(%q) = %q, want %q", in, got, want)
		}
	}
}
