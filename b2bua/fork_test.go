package b2bua

import "testing"

func TestBestFailure(t *testing.T) {
	tests := []struct {
		name  string
		codes []int
		want  int
	}{
		{"none", nil, 500},
		{"one", []int{486}, 486},
		{"global wins", []int{486, 603, 404}, 603},
		{"global wins over redirect", []int{302, 600}, 600},
		{"lowest class", []int{503, 486}, 486},
		{"redirect before client error", []int{404, 302}, 302},
		{"first of a class", []int{480, 486, 404}, 480},
		{"server errors only", []int{503, 500}, 503},
		{"first global", []int{603, 600}, 603},
	}
	for _, tt := range tests {
		var fs []forkFailure
		for _, c := range tt.codes {
			fs = append(fs, forkFailure{code: c})
		}
		if got := bestFailure(fs).code; got != tt.want {
			t.Errorf("%s: bestFailure(%v) = %d, want %d", tt.name, tt.codes, got, tt.want)
		}
	}
}
