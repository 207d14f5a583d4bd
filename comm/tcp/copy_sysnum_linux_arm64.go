package tcp

// process_vm_readv on arm64.
const sysProcessVMReadv = 270
