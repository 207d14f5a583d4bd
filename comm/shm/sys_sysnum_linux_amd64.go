package shm

// memfd_create, which this Go release's syscall package does not name on amd64.
const sysMemfdCreate = 319
