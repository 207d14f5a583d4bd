// Package cpuid tells which CPU the calling thread runs on, cheaply
// enough to ask while spinning: a few tens of nanoseconds through RDTSCP
// (Linux keeps the CPU's number in TSC_AUX for its vDSO getcpu), where the
// getcpu system call costs hundreds of nanoseconds on the virtual
// machines spmd is measured on. comm and comm/shm use it to notice that a
// rank they wait for last ran on their own CPU, so it cannot be running
// now and may be queued behind them: they give the CPU up at once.
package cpuid
