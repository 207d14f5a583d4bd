package clustertest

import (
	"strings"
	"testing"
)

func TestParseSlurmJob(t *testing.T) {
	line := "JobId=12 JobName=spmd UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) ExitCode=3:0 RunTime=00:00:01\n"
	j := parseSlurmJob("12", line)
	if j.ID != "12" || j.State != "FAILED" || j.ExitCode != "3:0" {
		t.Errorf("parseSlurmJob = %+v, want state FAILED exit 3:0", j)
	}
}

func TestCheckNodes(t *testing.T) {
	for _, tc := range []struct {
		sinfo string
		want  string // substring of the error; "" for none
	}{
		{"n1 idle\nn2 idle\nn3 idle\n", ""},
		{"n1 mixed\nn2 allocated\nn3 idle\n", ""},
		{"n1 idle\nn2 idle\n", "lists 2 nodes"},
		{"n1 idle\nn2 down\nn3 idle\n", "n2 is down"},
		{"n1 idle*\nn2 idle\nn3 idle\n", "n1 is not responding"},
		{"n1 drained\nn2 idle\nn3 idle\n", "n1 is drained"},
		{"", "lists 0 nodes"},
	} {
		err := checkNodes(tc.sinfo, 3)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("checkNodes(%q) = %v, want nil", tc.sinfo, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("checkNodes(%q) = %v, want an error containing %q", tc.sinfo, err, tc.want)
		}
	}
}
