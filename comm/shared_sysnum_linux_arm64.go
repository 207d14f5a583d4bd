package comm

const sysMemfdCreate = 279
