package study

import "testing"

func TestParseReport(t *testing.T) {
	out := []byte("progress...\n{\"job\":\"pi\",\"ranks\":2,\"threads\":1,\"wall_seconds\":0.5,\"serial_seconds\":1.2,\"verified\":true,\"result\":{\"estimate\":3.14}}\n")
	rep, err := parseReport(out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Job != "pi" || rep.Ranks != 2 || rep.WallSeconds != 0.5 || *rep.SerialSeconds != 1.2 || !*rep.Verified || rep.Result["estimate"] != 3.14 {
		t.Errorf("parsed %+v", rep)
	}
	if _, err := parseReport([]byte("no json here\n")); err == nil {
		t.Error("accepted output without a report")
	}
}

func TestMedian(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median = %v", m)
	}
	if m := median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Errorf("median = %v", m)
	}
}
