package boot

import (
	"maps"
	"reflect"
	"strings"
	"testing"
)

// Environments as measured on the test cluster (docs: the notes in
// cluster-testing.md; captured with `env` under each launcher).
var (
	// mpirun.openmpi --oversubscribe -np 2, rank 1 (Open MPI 4.1).
	envOpenMPI = map[string]string{
		"OMPI_COMM_WORLD_LOCAL_RANK": "1",
		"OMPI_COMM_WORLD_LOCAL_SIZE": "2",
		"OMPI_COMM_WORLD_NODE_RANK":  "1",
		"OMPI_COMM_WORLD_RANK":       "1",
		"OMPI_COMM_WORLD_SIZE":       "2",
		"OMPI_MCA_ess_base_jobid":    "476184577",
		"OMPI_MCA_orte_hnp_uri":      "476184576.0;tcp://127.0.0.1:35539",
		"OMPI_MCA_orte_num_nodes":    "1",
		"PMIX_HOSTNAME":              "vm",
		"PMIX_ID":                    "476184577.1",
		"PMIX_NAMESPACE":             "476184577",
		"PMIX_RANK":                  "1",
	}
	// mpiexec.mpich -n 2, rank 1 (MPICH 4.0 hydra).
	envMPICH = map[string]string{
		"HYDI_CONTROL_FD": "7",
		"MPI_LOCALNRANKS": "2",
		"MPI_LOCALRANKID": "1",
		"PMI_FD":          "8",
		"PMI_RANK":        "1",
		"PMI_SIZE":        "2",
	}
	// srun -O -N 3 -n 5, the task with SLURM_PROCID=3 (Slurm 22.05).
	envSlurm = map[string]string{
		"SLURMD_NODENAME":           "n2",
		"SLURM_JOBID":               "25",
		"SLURM_JOB_ID":              "25",
		"SLURM_JOB_NODELIST":        "n[1-3]",
		"SLURM_JOB_NUM_NODES":       "3",
		"SLURM_LOCALID":             "1",
		"SLURM_NNODES":              "3",
		"SLURM_NODEID":              "1",
		"SLURM_NODELIST":            "n[1-3]",
		"SLURM_NPROCS":              "5",
		"SLURM_NTASKS":              "5",
		"SLURM_PROCID":              "3",
		"SLURM_STEPID":              "0",
		"SLURM_STEP_ID":             "0",
		"SLURM_STEP_NODELIST":       "n[1-3]",
		"SLURM_STEP_NUM_NODES":      "3",
		"SLURM_STEP_NUM_TASKS":      "5",
		"SLURM_STEP_TASKS_PER_NODE": "2(x2),1",
		"SLURM_TASKS_PER_NODE":      "2(x2),1",
	}
	// The batch script of an sbatch -N 2 -n 4 job, outside srun.
	envBatch = map[string]string{
		"SLURM_JOB_ID":         "26",
		"SLURM_JOB_NODELIST":   "n[1-2]",
		"SLURM_NODEID":         "0",
		"SLURM_PROCID":         "0",
		"SLURM_LOCALID":        "0",
		"SLURM_NTASKS":         "4",
		"SLURM_TASKS_PER_NODE": "2(x2)",
		"SLURMD_NODENAME":      "n1",
	}
	// spmd run -np 3, rank 2.
	envSpmd = map[string]string{
		"SPMD_RANK":       "2",
		"SPMD_SIZE":       "3",
		"SPMD_LOCAL_RANK": "2",
		"SPMD_LOCAL_SIZE": "3",
		"SPMD_HOST":       "127.0.0.1",
		"SPMD_RENDEZVOUS": "127.0.0.1:40001",
		"SPMD_SECRET":     "00112233445566778899aabbccddeeff",
		"SPMD_JOB":        "9f86d081884c7d65",
	}
)

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

func with(m map[string]string, kv ...string) map[string]string {
	out := maps.Clone(m)
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "-" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

func getenvOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDetect(t *testing.T) {
	slurmNodes := []string{"n1", "n2", "n3"}
	for _, tc := range []struct {
		name   string
		env    map[string]string
		want   Env
		single bool
	}{
		{"nothing", nil,
			Env{Kind: KindSingle, Rank: 0, Size: 1, LocalRank: 0, LocalSize: 1, NodeID: -1}, true},
		{"open mpi", envOpenMPI,
			Env{Kind: KindOpenMPI, Rank: 1, Size: 2, LocalRank: 1, LocalSize: 2, NodeID: -1, NumNodes: 1, Node: "vm", JobID: "476184577"}, true},
		{"open mpi two nodes", with(envOpenMPI, "OMPI_COMM_WORLD_SIZE", "4", "OMPI_MCA_orte_num_nodes", "2"),
			Env{Kind: KindOpenMPI, Rank: 1, Size: 4, LocalRank: 1, LocalSize: 2, NodeID: -1, NumNodes: 2, Node: "vm", JobID: "476184577"}, false},
		{"open mpi minimal", map[string]string{"OMPI_COMM_WORLD_RANK": "0", "OMPI_COMM_WORLD_SIZE": "3"},
			Env{Kind: KindOpenMPI, Rank: 0, Size: 3, LocalRank: -1, NodeID: -1}, false},
		{"mpich", envMPICH,
			Env{Kind: KindMPICH, Rank: 1, Size: 2, LocalRank: 1, LocalSize: 2, NodeID: -1}, true},
		{"mpich without local info", map[string]string{"PMI_RANK": "0", "PMI_SIZE": "4"},
			Env{Kind: KindMPICH, Rank: 0, Size: 4, LocalRank: -1, NodeID: -1}, true},
		{"mpich two nodes", with(envMPICH, "PMI_SIZE", "4"),
			Env{Kind: KindMPICH, Rank: 1, Size: 4, LocalRank: 1, LocalSize: 2, NodeID: -1}, false},
		{"slurm", envSlurm,
			Env{Kind: KindSlurm, Rank: 3, Size: 5, LocalRank: 1, LocalSize: 2, Node: "n2", NodeID: 1, NumNodes: 3,
				Nodes: slurmNodes, TasksPerNode: []int{2, 2, 1}, JobID: "25.0"}, false},
		{"slurm ntasks only", with(envSlurm, "SLURM_STEP_NUM_TASKS", "-"),
			Env{Kind: KindSlurm, Rank: 3, Size: 5, LocalRank: 1, LocalSize: 2, Node: "n2", NodeID: 1, NumNodes: 3,
				Nodes: slurmNodes, TasksPerNode: []int{2, 2, 1}, JobID: "25.0"}, false},
		{"slurm one node", map[string]string{
			"SLURM_PROCID": "1", "SLURM_STEP_NUM_TASKS": "4", "SLURM_JOB_ID": "7", "SLURM_STEP_ID": "2",
			"SLURM_STEP_NODELIST": "node07", "SLURM_STEP_TASKS_PER_NODE": "4", "SLURM_NODEID": "0",
			"SLURM_LOCALID": "1", "SLURMD_NODENAME": "node07"},
			Env{Kind: KindSlurm, Rank: 1, Size: 4, LocalRank: 1, LocalSize: 4, Node: "node07", NodeID: 0, NumNodes: 1,
				Nodes: []string{"node07"}, TasksPerNode: []int{4}, JobID: "7.2"}, true},
		{"slurm padded nodelist, node from list", map[string]string{
			"SLURM_PROCID": "2", "SLURM_STEP_NUM_TASKS": "3", "SLURM_JOB_ID": "8", "SLURM_STEP_ID": "0",
			"SLURM_STEP_NODELIST": "node[01-03]", "SLURM_STEP_TASKS_PER_NODE": "1(x3)", "SLURM_NODEID": "2",
			"SLURM_LOCALID": "0"},
			Env{Kind: KindSlurm, Rank: 2, Size: 3, LocalRank: 0, LocalSize: 1, Node: "node03", NodeID: 2, NumNodes: 3,
				Nodes: []string{"node01", "node02", "node03"}, TasksPerNode: []int{1, 1, 1}, JobID: "8.0"}, false},
		// mpirun inside a Slurm job: the ranks inherit the allocation's
		// SLURM_* values (even a step id: mpirun starts its daemons with
		// srun), which describe the daemons, not the ranks.
		{"mpirun inside slurm", merge(envSlurm, envOpenMPI),
			Env{Kind: KindOpenMPI, Rank: 1, Size: 2, LocalRank: 1, LocalSize: 2, NodeID: -1, NumNodes: 1, Node: "vm", JobID: "476184577"}, true},
		// The batch script itself has SLURM_PROCID=0 but no step: not a rank.
		{"batch script outside srun", envBatch,
			Env{Kind: KindSingle, Rank: 0, Size: 1, LocalRank: 0, LocalSize: 1, NodeID: -1}, true},
		{"spmd", envSpmd,
			Env{Kind: KindSpmd, Rank: 2, Size: 3, LocalRank: 2, LocalSize: 3, NodeID: -1, JobID: "9f86d081884c7d65",
				Host: "127.0.0.1", Rendezvous: "127.0.0.1:40001"}, true},
		{"spmd inside a slurm batch script", merge(envBatch, envSpmd),
			Env{Kind: KindSpmd, Rank: 2, Size: 3, LocalRank: 2, LocalSize: 3, NodeID: -1, JobID: "9f86d081884c7d65",
				Host: "127.0.0.1", Rendezvous: "127.0.0.1:40001"}, true},
		// srun -n 1 spmd run -np 3: the ranks inherit the launcher's step.
		{"spmd run started by srun", merge(with(envSlurm, "SLURM_PROCID", "0", "SLURM_STEP_NUM_TASKS", "1", "SLURM_NTASKS", "1",
			"SLURM_STEP_TASKS_PER_NODE", "1", "SLURM_STEP_NODELIST", "n1", "SLURM_STEP_NUM_NODES", "1", "SLURM_NODEID", "0", "SLURM_LOCALID", "0"), envSpmd),
			Env{Kind: KindSpmd, Rank: 2, Size: 3, LocalRank: 2, LocalSize: 3, NodeID: -1, JobID: "9f86d081884c7d65",
				Host: "127.0.0.1", Rendezvous: "127.0.0.1:40001"}, true},
		// Same sizes: the step is trusted (Slurm comes first).
		{"spmd variables inside a step of the same size", merge(envSpmd, with(envSlurm, "SLURM_STEP_NUM_TASKS", "3", "SLURM_PROCID", "1",
			"SLURM_STEP_TASKS_PER_NODE", "1(x3)", "SLURM_LOCALID", "0")),
			Env{Kind: KindSlurm, Rank: 1, Size: 3, LocalRank: 0, LocalSize: 1, Node: "n2", NodeID: 1, NumNodes: 3,
				Nodes: slurmNodes, TasksPerNode: []int{1, 1, 1}, JobID: "25.0", Host: "127.0.0.1", Rendezvous: "127.0.0.1:40001"}, false},
		{"sbatch script with a rendezvous override", with(envSlurm, "SPMD_RENDEZVOUS", "n1:5000"),
			Env{Kind: KindSlurm, Rank: 3, Size: 5, LocalRank: 1, LocalSize: 2, Node: "n2", NodeID: 1, NumNodes: 3,
				Nodes: slurmNodes, TasksPerNode: []int{2, 2, 1}, JobID: "25.0", Rendezvous: "n1:5000"}, false},
		{"srun --mpi=pmix", with(envSlurm, "PMIX_RANK", "3", "PMIX_NAMESPACE", "slurm.pmix.25.0"),
			Env{Kind: KindPMIx, Rank: 3, Size: 5, LocalRank: 1, LocalSize: 2, Node: "n2", NodeID: 1, NumNodes: 3,
				Nodes: slurmNodes, TasksPerNode: []int{2, 2, 1}, JobID: "slurm.pmix.25.0"}, false},
		{"pmix with SPMD_SIZE", map[string]string{"PMIX_RANK": "2", "SPMD_SIZE": "4", "PMIX_NAMESPACE": "ns"},
			Env{Kind: KindPMIx, Rank: 2, Size: 4, LocalRank: -1, NodeID: -1, JobID: "ns"}, false},
		{"srun --mpi=pmi2", with(envSlurm, "PMI_RANK", "3", "PMI_SIZE", "5"),
			Env{Kind: KindMPICH, Rank: 3, Size: 5, LocalRank: 1, LocalSize: 2, Node: "n2", NodeID: 1, NumNodes: 3,
				Nodes: slurmNodes, TasksPerNode: []int{2, 2, 1}}, false},
		// Hydra under Slurm starts its proxies with srun: the step is the
		// proxies' (3 tasks), not the ranks' (8).
		{"hydra proxies in a slurm step", with(envSlurm, "PMI_RANK", "6", "PMI_SIZE", "8", "MPI_LOCALRANKID", "0", "MPI_LOCALNRANKS", "3"),
			Env{Kind: KindMPICH, Rank: 6, Size: 8, LocalRank: 0, LocalSize: 3, NodeID: -1}, false},
		{"SPMD_JOB fills a missing job id", with(envMPICH, "SPMD_JOB", "run7"),
			Env{Kind: KindMPICH, Rank: 1, Size: 2, LocalRank: 1, LocalSize: 2, NodeID: -1, JobID: "run7"}, true},
	} {
		got, err := Detect(getenvOf(tc.env))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
		if got.SingleNode() != tc.single {
			t.Errorf("%s: SingleNode() = %v, want %v", tc.name, got.SingleNode(), tc.single)
		}
	}
}

func TestDetectErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"ompi rank not a number", with(envOpenMPI, "OMPI_COMM_WORLD_RANK", "one"), `OMPI_COMM_WORLD_RANK="one" is not a non-negative integer`},
		{"ompi negative rank", with(envOpenMPI, "OMPI_COMM_WORLD_RANK", "-1"), `OMPI_COMM_WORLD_RANK="-1"`},
		{"ompi size missing", with(envOpenMPI, "OMPI_COMM_WORLD_SIZE", "-"), "OMPI_COMM_WORLD_SIZE is not set"},
		{"ompi size zero", with(envOpenMPI, "OMPI_COMM_WORLD_SIZE", "0"), `OMPI_COMM_WORLD_SIZE="0" is not a positive integer`},
		{"ompi rank too big", with(envOpenMPI, "OMPI_COMM_WORLD_RANK", "2"), "OMPI_COMM_WORLD_RANK=2 is not below OMPI_COMM_WORLD_SIZE=2"},
		{"ompi local size too big", with(envOpenMPI, "OMPI_COMM_WORLD_LOCAL_SIZE", "3"), "OMPI_COMM_WORLD_LOCAL_SIZE=3 is more than the job size 2"},
		{"ompi local rank too big", with(envOpenMPI, "OMPI_COMM_WORLD_LOCAL_RANK", "2"), "OMPI_COMM_WORLD_LOCAL_RANK=2 is not below OMPI_COMM_WORLD_LOCAL_SIZE=2"},
		{"ompi num nodes", with(envOpenMPI, "OMPI_MCA_orte_num_nodes", "x"), `OMPI_MCA_orte_num_nodes="x"`},
		{"pmi size", with(envMPICH, "PMI_SIZE", "2 "), `PMI_SIZE="2 " is not a positive integer`},
		{"pmi local rank", with(envMPICH, "MPI_LOCALRANKID", "+1"), `MPI_LOCALRANKID="+1"`},
		{"pmix without size", map[string]string{"PMIX_RANK": "0"}, "PMIX_RANK=0 is set but nothing gives the job size"},
		{"pmix rank too big", map[string]string{"PMIX_RANK": "4", "SPMD_SIZE": "4"}, "PMIX_RANK=4 is not below the job size 4"},
		{"slurm procid", with(envSlurm, "SLURM_PROCID", "x"), `SLURM_PROCID="x" is not a non-negative integer`},
		{"slurm ntasks", with(envSlurm, "SLURM_STEP_NUM_TASKS", "five"), `SLURM_STEP_NUM_TASKS="five" is not a positive integer`},
		{"slurm no size", with(envSlurm, "SLURM_STEP_NUM_TASKS", "-", "SLURM_NTASKS", "-"), "SLURM_NTASKS is not set"},
		{"slurm procid too big", with(envSlurm, "SLURM_PROCID", "5"), "SLURM_PROCID=5 is not below SLURM_STEP_NUM_TASKS=5"},
		{"slurm job id", with(envSlurm, "SLURM_JOB_ID", "25_1"), `SLURM_JOB_ID="25_1"`},
		{"slurm no job id", with(envSlurm, "SLURM_JOB_ID", "-"), "SLURM_JOB_ID is not set"},
		{"slurm step id", with(envSlurm, "SLURM_STEP_ID", "batch"), `SLURM_STEP_ID="batch"`},
		{"slurm nodelist", with(envSlurm, "SLURM_STEP_NODELIST", "n[3-1]"), `SLURM_STEP_NODELIST="n[3-1]": hostlist "n[3-1]": reversed range 3-1`},
		{"slurm nodelist count", with(envSlurm, "SLURM_STEP_NODELIST", "n[1-2]"), `SLURM_STEP_NUM_NODES=3 but SLURM_STEP_NODELIST="n[1-2]" has 2 nodes`},
		{"slurm tasks per node syntax", with(envSlurm, "SLURM_STEP_TASKS_PER_NODE", "2(x2"), `SLURM_STEP_TASKS_PER_NODE="2(x2"`},
		{"slurm tasks per node nodes", with(envSlurm, "SLURM_STEP_TASKS_PER_NODE", "2,3"), `SLURM_STEP_TASKS_PER_NODE="2,3" lists 2 nodes, the step has 3`},
		{"slurm tasks per node sum", with(envSlurm, "SLURM_STEP_TASKS_PER_NODE", "2(x3)"), `SLURM_STEP_TASKS_PER_NODE="2(x3)" adds up to 6 tasks, SLURM_STEP_NUM_TASKS=5`},
		{"slurm node id", with(envSlurm, "SLURM_NODEID", "3"), "SLURM_NODEID=3 is not below the step's 3 nodes"},
		{"slurm local id", with(envSlurm, "SLURM_LOCALID", "2"), "SLURM_LOCALID=2 is not below this node's 2 tasks"},
		{"slurm num nodes", with(envSlurm, "SLURM_STEP_NUM_NODES", "0"), `SLURM_STEP_NUM_NODES="0" is not a positive integer`},
		{"spmd size missing", with(envSpmd, "SPMD_SIZE", "-"), "SPMD_SIZE is not set"},
		{"spmd rank", with(envSpmd, "SPMD_RANK", "3"), "SPMD_RANK=3 is not below SPMD_SIZE=3"},
		{"spmd local size", with(envSpmd, "SPMD_LOCAL_SIZE", "0"), `SPMD_LOCAL_SIZE="0" is not a positive integer`},
	} {
		_, err := Detect(getenvOf(tc.env))
		if err == nil {
			t.Errorf("%s: no error, want one containing %q", tc.name, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %q, want it to contain %q", tc.name, err, tc.want)
		}
	}
}
