package comm

const sysMemfdCreate = 319
