package boot

import (
	"fmt"
	"os"
	"strconv"
)

// Kinds of environment Detect recognises, in the order it tries them.
const (
	KindOpenMPI = "openmpi" // mpirun/mpiexec of Open MPI: OMPI_COMM_WORLD_*
	KindMPICH   = "mpich"   // MPICH hydra or another PMI launcher: PMI_RANK, PMI_SIZE
	KindPMIx    = "pmix"    // a PMIx launcher without Open MPI's variables: PMIX_RANK
	KindSlurm   = "slurm"   // a task of an srun step: SLURM_PROCID with SLURM_STEP_ID
	KindSpmd    = "spmd"    // spmd run: SPMD_RANK
	KindPeers   = "peers"   // an explicit address list (Options.Peers), set by Init
	KindSingle  = "single"  // nothing found: a lone process, size 1
)

// Env is what the environment says about this rank. Fields a launcher does
// not provide keep the zero value noted.
type Env struct {
	Kind      string // one of the Kind constants
	Rank      int    // this rank, 0 <= Rank < Size
	Size      int    // ranks in the job
	LocalRank int    // index among the ranks on this node; -1 when unknown
	LocalSize int    // ranks on this node; 0 when unknown

	Node         string   // this node's name; "" when unknown
	NodeID       int      // index of Node in Nodes; -1 when unknown
	NumNodes     int      // nodes of the job; 0 when unknown
	Nodes        []string // every node of the job in launcher order; nil when unknown
	TasksPerNode []int    // ranks on each of Nodes; nil when unknown

	// JobID identifies this run of the job, the same on every rank:
	// SLURM_JOB_ID.SLURM_STEP_ID, Open MPI's PMIx namespace, SPMD_JOB.
	// "" when the launcher gives none (MPICH), unless SPMD_JOB is set.
	JobID string

	// Overrides any launcher may pass on: SPMD_HOST (the address to
	// listen on) and SPMD_RENDEZVOUS (where to exchange addresses).
	Host       string
	Rendezvous string
}

// SingleNode reports whether every rank of the job runs on this node, as
// far as the launcher says: a job of size 1, a local size equal to the
// size, or a node count of 1. MPICH without MPI_LOCALNRANKS says nothing
// and is taken as one node, hydra's default without a hostfile.
func (e Env) SingleNode() bool {
	switch {
	case e.Size == 1, e.LocalSize == e.Size, e.NumNodes == 1:
		return true
	case e.NumNodes > 1, e.LocalSize > 0:
		return false
	}
	return e.Kind == KindMPICH
}

// Detect reads this rank's place in the job from the environment, trying
// in order:
//
//  1. Open MPI: OMPI_COMM_WORLD_RANK, _SIZE, _LOCAL_RANK, _LOCAL_SIZE;
//  2. MPICH hydra or PMI: PMI_RANK, PMI_SIZE, MPI_LOCALRANKID, MPI_LOCALNRANKS;
//  3. PMIx: PMIX_RANK, with the size from a Slurm step or SPMD_SIZE;
//  4. Slurm: SLURM_PROCID and SLURM_STEP_NUM_TASKS (or SLURM_NTASKS), only
//     inside a step (SLURM_STEP_ID set): a batch script outside srun also
//     has SLURM_PROCID=0 but is not a rank. When SPMD_RANK is set too and
//     the step's size is not SPMD_SIZE, spmd run was started by srun and
//     its ranks are spmd run's (5);
//  5. spmd run: SPMD_RANK, SPMD_SIZE, SPMD_LOCAL_RANK, SPMD_LOCAL_SIZE;
//  6. otherwise a lone process: Kind KindSingle, size 1.
//
// MPI launchers come first because mpirun inside a Slurm allocation passes
// the allocation's SLURM_* variables on to its ranks, where they are
// wrong. A malformed or inconsistent value of the kind found is an error
// naming the variable and its value. getenv is os.Getenv when nil.
func Detect(getenv func(string) string) (Env, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	r := &envReader{getenv: getenv}
	var e Env
	switch {
	case getenv("OMPI_COMM_WORLD_RANK") != "":
		e = r.openMPI()
	case getenv("PMI_RANK") != "":
		e = r.pmi()
	case getenv("PMIX_RANK") != "":
		e = r.pmix()
	case getenv("SLURM_PROCID") != "" && getenv("SLURM_STEP_ID") != "" && !r.spmdInsideSlurm():
		e = r.slurm()
	case getenv("SPMD_RANK") != "":
		e = r.spmd()
	default:
		e = Env{Kind: KindSingle, Size: 1, LocalRank: 0, LocalSize: 1, NodeID: -1}
	}
	if r.err != nil {
		return Env{}, r.err
	}
	e.Host = getenv("SPMD_HOST")
	e.Rendezvous = getenv("SPMD_RENDEZVOUS")
	if e.JobID == "" {
		e.JobID = getenv("SPMD_JOB")
	}
	return e, nil
}

func (r *envReader) openMPI() Env {
	e := Env{Kind: KindOpenMPI, NodeID: -1}
	e.Rank, e.Size = r.rankSize("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE")
	e.LocalRank, e.LocalSize = r.local("OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE", e.Size)
	e.NumNodes = r.optional("OMPI_MCA_orte_num_nodes", 1, 0)
	e.Node = r.getenv("PMIX_HOSTNAME")
	e.JobID = r.getenv("PMIX_NAMESPACE")
	if e.JobID == "" {
		e.JobID = r.getenv("OMPI_MCA_ess_base_jobid")
	}
	return e
}

func (r *envReader) pmi() Env {
	e := Env{Kind: KindMPICH, NodeID: -1}
	e.Rank, e.Size = r.rankSize("PMI_RANK", "PMI_SIZE")
	e.LocalRank, e.LocalSize = r.local("MPI_LOCALRANKID", "MPI_LOCALNRANKS", e.Size)
	// srun --mpi=pmi2 also sets PMI_RANK; the step then knows the nodes.
	// Hydra started by srun runs in a step of its own proxies, whose size
	// differs: ignore that one.
	if s, ok := r.slurmStepOf(e.Size); ok && e.LocalSize == 0 {
		e.Node, e.NodeID, e.NumNodes, e.Nodes, e.TasksPerNode = s.Node, s.NodeID, s.NumNodes, s.Nodes, s.TasksPerNode
		e.LocalRank, e.LocalSize = s.LocalRank, s.LocalSize
	}
	return e
}

func (r *envReader) pmix() Env {
	e := Env{Kind: KindPMIx, NodeID: -1, LocalRank: -1}
	e.Rank = r.required("PMIX_RANK", 0)
	e.JobID = r.getenv("PMIX_NAMESPACE")
	if r.err != nil {
		return e
	}
	if s, ok := r.slurmStepOf(-1); ok { // srun --mpi=pmix
		e.Size = s.Size
		e.Node, e.NodeID, e.NumNodes, e.Nodes, e.TasksPerNode = s.Node, s.NodeID, s.NumNodes, s.Nodes, s.TasksPerNode
		e.LocalRank, e.LocalSize = s.LocalRank, s.LocalSize
	} else if r.getenv("SPMD_SIZE") != "" {
		e.Size = r.required("SPMD_SIZE", 1)
	} else if r.err == nil {
		r.fail(fmt.Errorf("boot: PMIX_RANK=%s is set but nothing gives the job size (no OMPI_COMM_WORLD_SIZE, Slurm step or SPMD_SIZE)", r.getenv("PMIX_RANK")))
	}
	if r.err == nil && e.Rank >= e.Size {
		r.fail(fmt.Errorf("boot: PMIX_RANK=%d is not below the job size %d", e.Rank, e.Size))
	}
	return e
}

// slurmStepOf returns the Slurm step the process runs in, if there is one
// and its size is size (any size when size < 0). A malformed step is an
// error only when the step matters, in slurm itself.
func (r *envReader) slurmStepOf(size int) (Env, bool) {
	if r.getenv("SLURM_STEP_ID") == "" || r.getenv("SLURM_PROCID") == "" {
		return Env{}, false
	}
	sub := &envReader{getenv: r.getenv}
	s := sub.slurm()
	if sub.err != nil || (size >= 0 && s.Size != size) {
		return Env{}, false
	}
	return s, true
}

func (r *envReader) slurm() Env {
	e := Env{Kind: KindSlurm, NodeID: -1}
	sizeVar := "SLURM_STEP_NUM_TASKS"
	if r.getenv(sizeVar) == "" {
		sizeVar = "SLURM_NTASKS"
	}
	e.Rank, e.Size = r.rankSize("SLURM_PROCID", sizeVar)
	job := r.required("SLURM_JOB_ID", 0)
	step := r.required("SLURM_STEP_ID", 0)
	e.JobID = strconv.Itoa(job) + "." + strconv.Itoa(step)
	if v := r.getenv("SLURM_STEP_NODELIST"); v != "" {
		nodes, err := ExpandHostlist(v)
		if err != nil {
			r.fail(fmt.Errorf("boot: SLURM_STEP_NODELIST=%q: %v", v, err))
		}
		e.Nodes = nodes
	}
	e.NumNodes = r.optional("SLURM_STEP_NUM_NODES", 1, len(e.Nodes))
	if e.Nodes != nil && e.NumNodes != len(e.Nodes) && r.err == nil {
		r.fail(fmt.Errorf("boot: SLURM_STEP_NUM_NODES=%d but SLURM_STEP_NODELIST=%q has %d nodes", e.NumNodes, r.getenv("SLURM_STEP_NODELIST"), len(e.Nodes)))
	}
	if v := r.getenv("SLURM_STEP_TASKS_PER_NODE"); v != "" {
		tpn, err := ParseTasksPerNode(v)
		if err != nil {
			r.fail(fmt.Errorf("boot: SLURM_STEP_TASKS_PER_NODE=%q: %v", v, err))
		}
		sum := 0
		for _, n := range tpn {
			sum += n
		}
		switch {
		case r.err != nil:
		case e.NumNodes > 0 && len(tpn) != e.NumNodes:
			r.fail(fmt.Errorf("boot: SLURM_STEP_TASKS_PER_NODE=%q lists %d nodes, the step has %d", v, len(tpn), e.NumNodes))
		case sum != e.Size:
			r.fail(fmt.Errorf("boot: SLURM_STEP_TASKS_PER_NODE=%q adds up to %d tasks, %s=%d", v, sum, sizeVar, e.Size))
		}
		e.TasksPerNode = tpn
	}
	e.NodeID = r.optional("SLURM_NODEID", 0, -1)
	if e.NodeID >= 0 && e.NumNodes > 0 && e.NodeID >= e.NumNodes && r.err == nil {
		r.fail(fmt.Errorf("boot: SLURM_NODEID=%d is not below the step's %d nodes", e.NodeID, e.NumNodes))
	}
	e.Node = r.getenv("SLURMD_NODENAME")
	if e.Node == "" && e.NodeID >= 0 && e.NodeID < len(e.Nodes) {
		e.Node = e.Nodes[e.NodeID]
	}
	e.LocalRank = r.optional("SLURM_LOCALID", 0, -1)
	if e.NodeID >= 0 && e.NodeID < len(e.TasksPerNode) {
		e.LocalSize = e.TasksPerNode[e.NodeID]
		if e.LocalRank >= e.LocalSize && r.err == nil {
			r.fail(fmt.Errorf("boot: SLURM_LOCALID=%d is not below this node's %d tasks (SLURM_STEP_TASKS_PER_NODE=%q)", e.LocalRank, e.LocalSize, r.getenv("SLURM_STEP_TASKS_PER_NODE")))
		}
	}
	return e
}

// spmdInsideSlurm reports whether spmd run was itself started as a task
// of a Slurm step (srun -n 1 spmd run -np 4 ...): its ranks then inherit
// the step's SLURM_* variables, which describe the launcher, not them.
// The sizes tell: the step's differs from SPMD_SIZE.
func (r *envReader) spmdInsideSlurm() bool {
	spmdSize := r.getenv("SPMD_SIZE")
	if r.getenv("SPMD_RANK") == "" || spmdSize == "" {
		return false
	}
	stepSize := r.getenv("SLURM_STEP_NUM_TASKS")
	if stepSize == "" {
		stepSize = r.getenv("SLURM_NTASKS")
	}
	return stepSize != spmdSize
}

func (r *envReader) spmd() Env {
	e := Env{Kind: KindSpmd, NodeID: -1}
	e.Rank, e.Size = r.rankSize("SPMD_RANK", "SPMD_SIZE")
	e.LocalRank, e.LocalSize = r.local("SPMD_LOCAL_RANK", "SPMD_LOCAL_SIZE", e.Size)
	e.JobID = r.getenv("SPMD_JOB")
	return e
}

// envReader parses integer variables, keeping the first error.
type envReader struct {
	getenv func(string) string
	err    error
}

func (r *envReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

// required parses a variable that must be set, as an integer >= min.
func (r *envReader) required(name string, min int) int {
	v := r.getenv(name)
	if v == "" {
		r.fail(fmt.Errorf("boot: %s is not set", name))
		return 0
	}
	return r.parse(name, v, min)
}

// optional parses a variable that may be unset (giving def).
func (r *envReader) optional(name string, min, def int) int {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	return r.parse(name, v, min)
}

func (r *envReader) parse(name, v string, min int) int {
	n, err := nonNegativeInt(v)
	if err != nil || n < min {
		what := "a non-negative integer"
		if min == 1 {
			what = "a positive integer"
		}
		r.fail(fmt.Errorf("boot: %s=%q is not %s", name, v, what))
		return 0
	}
	return n
}

// rankSize parses a rank and size pair and checks rank < size.
func (r *envReader) rankSize(rankVar, sizeVar string) (rank, size int) {
	rank = r.required(rankVar, 0)
	size = r.required(sizeVar, 1)
	if r.err == nil && rank >= size {
		r.fail(fmt.Errorf("boot: %s=%d is not below %s=%d", rankVar, rank, sizeVar, size))
	}
	return rank, size
}

// local parses an optional local rank and size (-1 and 0 when unset) and
// checks localRank < localSize <= size.
func (r *envReader) local(rankVar, sizeVar string, size int) (localRank, localSize int) {
	localRank = r.optional(rankVar, 0, -1)
	localSize = r.optional(sizeVar, 1, 0)
	if r.err != nil {
		return
	}
	if localSize > size {
		r.fail(fmt.Errorf("boot: %s=%d is more than the job size %d", sizeVar, localSize, size))
	} else if localSize > 0 && localRank >= localSize {
		r.fail(fmt.Errorf("boot: %s=%d is not below %s=%d", rankVar, localRank, sizeVar, localSize))
	}
	return
}
