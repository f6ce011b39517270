package mixer

import "testing"

func TestMixMinus(t *testing.T) {
	var sum frame32
	var own frame16
	sum[0], own[0] = 40000, 1000 // saturates before and after taking own out
	sum[1], own[1] = -50000, -1000
	sum[2], own[2] = 3000, 1000
	sum[3], own[3] = 34000, 2000
	tests := []struct {
		name string
		own  *frame16
		q16  int32
		want [4]int16
	}{
		{"all, unity", nil, gainOne, [4]int16{32767, -32768, 3000, 32767}},
		{"minus own, unity", &own, gainOne, [4]int16{32767, -32768, 2000, 32000}},
		{"all, half", nil, gainOne / 2, [4]int16{20000, -25000, 1500, 17000}},
		{"minus own, double", &own, 2 * gainOne, [4]int16{32767, -32768, 4000, 32767}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst frame16
			mixMinus(&dst, &sum, tt.own, tt.q16)
			if [4]int16(dst[:4]) != tt.want {
				t.Fatalf("got %v, want %v", dst[:4], tt.want)
			}
		})
	}
}

func TestScaleAndAttenuate(t *testing.T) {
	var src, dst frame16
	src[0], src[1], src[2] = 20000, -20000, 100
	scale(&dst, &src, 2*gainOne)
	if dst[0] != 32767 || dst[1] != -32768 || dst[2] != 200 {
		t.Fatalf("scale ×2: %v", dst[:3])
	}
	attenuate(&src, 1<<14) // ×0.5
	if src[0] != 10000 || src[1] != -10000 || src[2] != 50 {
		t.Fatalf("attenuate ×0.5: %v", src[:3])
	}
	var sum frame32
	addTo(&sum, &src)
	addTo(&sum, &src)
	if sum[0] != 20000 || sum[1] != -20000 {
		t.Fatalf("addTo: %v", sum[:2])
	}
}
