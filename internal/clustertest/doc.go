// Package clustertest lets tests use real cluster software (an sshd, a
// Slurm cluster, Open MPI and MPICH launchers) when it is there, and says
// plainly why a test was skipped when it is not.
//
// # Environment
//
// The scripts in scripts/ci start the software on loopback addresses and
// print the variables to export; .ci/run sources them. The variables:
//
//	SPMD_TEST_SSH_CONFIG   path of an ssh client config (ssh -F) that reaches
//	                       a test sshd on 127.0.0.1-3 port 2222 as root with
//	                       no prompts. Set by scripts/ci/start-sshd.sh.
//	SPMD_TEST_SLURM=1      a Slurm cluster that tests may submit jobs to: three
//	                       nodes n1-n3 (CPUs=4 each) in the default partition.
//	                       An opt-in, so tests never submit to a real cluster
//	                       by accident. Set by scripts/ci/start-slurm.sh.
//	SPMD_TEST_MPI          "0" turns the mpirun/mpiexec tests off; otherwise
//	                       they run whenever mpirun.openmpi or mpiexec.mpich is
//	                       on PATH (both launch ranks as local children, which
//	                       is always safe). scripts/ci/install-mpi.sh sets 1.
//	SPMD_REQUIRE_CLUSTER=1 turns every "skipped because X is not there" into a
//	                       test failure. CI sets it, so a broken install step
//	                       fails the run instead of hiding behind skips.
//	SPMD_TEST_BIN          an absolute path to a prebuilt spmd binary for
//	                       BuildSpmd to return instead of building one.
//
// # Use
//
//	func TestSrunHello(t *testing.T) {
//		clustertest.RequireSlurm(t)
//		spmd := clustertest.BuildSpmd(t)
//		res := clustertest.Run(t, time.Minute, "srun", "-N", "3", "-n", "6", "-O", spmd, "hello")
//		if res.Code != 0 { t.Fatalf("srun: exit %d\n%s", res.Code, res.Stderr) }
//	}
//
// Every Require function either returns what the test needs or ends the test
// (Skip, or Fatal under SPMD_REQUIRE_CLUSTER=1) with a message naming the
// script that would provide it. Run bounds every command with a timeout and
// kills the command's whole process group when it expires, so a hung launcher
// cannot hang the test binary.
//
// The package is for tests only, and for Linux (process groups, /proc).
package clustertest
