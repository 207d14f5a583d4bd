package study

import "testing"

func TestParseReport(t *testing.T) {
	out := []byte("progress...\n{\"schema\":\"spmd.report/2\",\"job\":\"pi\",\"ranks\":2,\"threads\":1,\"section_seconds\":0.5,\"elapsed_seconds\":0.7,\"verify\":{\"agrees\":true,\"reference_seconds\":1.2},\"result\":{\"estimate\":3.14}}\n")
	rep, err := parseReport(out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Job != "pi" || rep.Ranks != 2 || rep.SectionSeconds != 0.5 || rep.ElapsedSeconds != 0.7 || rep.Verify.ReferenceSeconds != 1.2 || !rep.Verify.Agrees || rep.Result["estimate"] != 3.14 {
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
