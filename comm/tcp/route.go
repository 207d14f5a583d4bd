package tcp

// Route implements comm.Router: every peer is reached over TCP.
func (t *Transport) Route(int) string { return "tcp" }
