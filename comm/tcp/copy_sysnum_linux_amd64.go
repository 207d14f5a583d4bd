package tcp

// process_vm_readv, which this Go release's syscall package does not name on amd64.
const sysProcessVMReadv = 310
