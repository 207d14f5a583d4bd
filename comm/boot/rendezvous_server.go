package boot

import (
	"crypto/hmac"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Server timing. A connection must complete its registration within
// registerTimeout of being accepted, so a silent or slow stranger holds
// its slot only that long; each later write must complete within
// writeTimeout. Registered ranks get a status every statusInterval while
// they wait.
var (
	registerTimeout = 10 * time.Second
	writeTimeout    = 10 * time.Second
	statusInterval  = time.Second
)

// maxPending bounds the connections in the middle of registering, so that
// strangers who connect and say nothing hold a bounded number of sockets
// and goroutines however fast they come: far more than the job's own
// ranks, which all register at once at most, ever need. When it is
// reached the oldest registration in progress is cut to admit the new
// connection. A rank registers in one round trip while a silent stranger
// waits for its deadline, so the oldest is almost always a stranger; a
// rank cut by a flood connects again, as after any failed attempt.
// (comm/tcp caps its handshakes the same way.)
func maxPending(size int) int { return max(128, 2*size) }

// MaxSize bounds the size of a job a Server accepts, so a table stays a
// few hundred megabytes at worst.
const MaxSize = 1 << 20

// Server is a rendezvous server: every rank of a job registers its
// listening address, and once all size ranks have, each gets the whole
// table (see Exchange). spmd run starts one per job; without spmd run,
// rank 0 does.
//
// Connections that do not prove knowledge of the secret for this job
// (strangers, other jobs, garbage, connections that say nothing) are
// refused and closed without affecting the registered ranks.
type Server struct {
	ln     net.Listener
	size   int
	secret []byte
	job    string

	mu      sync.Mutex
	addrs   []string // by rank; "" until registered
	n       int      // registered ranks
	entries []byte   // encoded table, once full
	sent    []bool
	nsent   int
	conns   map[net.Conn]struct{}
	pending map[net.Conn]uint64 // registrations in progress, by arrival
	arrived uint64              // connections accepted so far

	full chan struct{} // closed when every rank registered
	done chan struct{} // closed when every rank was sent the table
	quit chan struct{} // closed by Close
	wg   sync.WaitGroup
	once sync.Once
}

// NewServer starts a rendezvous server for a job of size ranks on addr
// ("host:port", port 0 for any free port). secret must be at least
// MinSecret bytes.
func NewServer(addr string, size int, secret []byte, job string) (*Server, error) {
	switch {
	case size < 1 || size > MaxSize:
		return nil, fmt.Errorf("rendezvous: job size %d out of range 1..%d", size, MaxSize)
	case len(secret) < MinSecret:
		return nil, fmt.Errorf("rendezvous: secret of %d bytes, need at least %d", len(secret), MinSecret)
	case len(job) > MaxJobLen:
		return nil, fmt.Errorf("rendezvous: job id of %d bytes, at most %d", len(job), MaxJobLen)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("rendezvous: %v", err)
	}
	s := &Server{
		ln: ln, size: size, secret: append([]byte(nil), secret...), job: job,
		addrs:   make([]string, size),
		sent:    make([]bool, size),
		conns:   map[net.Conn]struct{}{},
		pending: map[net.Conn]uint64{},
		full:    make(chan struct{}),
		done:    make(chan struct{}),
		quit:    make(chan struct{}),
	}
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// Addr returns the address the server listens on, "host:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Done is closed once every rank has been sent the table.
func (s *Server) Done() <-chan struct{} { return s.done }

// Missing returns the ranks that have not registered yet, in order.
func (s *Server) Missing() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m []int
	for r, a := range s.addrs {
		if a == "" {
			m = append(m, r)
		}
	}
	return m
}

// Close stops the server and closes every connection. Ranks still waiting
// for the table get an error (and retry until their deadline).
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		close(s.quit)
		err = s.ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return err
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			select {
			case <-s.quit:
				return
			default:
			}
			// Out of descriptors and the like: back off, then go on.
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if !s.admit(c) {
			c.Close()
			return
		}
		go s.serve(c)
	}
}

// admit records c as a registration in progress, cutting the oldest one
// if there are maxPending already, and counts its goroutine in s.wg;
// false once the server is closed.
func (s *Server) admit(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.quit:
		return false
	default:
	}
	if len(s.pending) >= maxPending(s.size) {
		s.evictOldest()
	}
	s.conns[c] = struct{}{}
	s.arrived++
	s.pending[c] = s.arrived
	if testHookPending != nil {
		testHookPending(len(s.pending))
	}
	s.wg.Add(1)
	return true
}

// evictOldest cuts the registration in progress that has waited longest
// (s.mu held): its goroutine's read fails and it cleans up.
func (s *Server) evictOldest() {
	var oldest net.Conn
	var at uint64
	for c, n := range s.pending {
		if oldest == nil || n < at {
			oldest, at = c, n
		}
	}
	delete(s.pending, oldest)
	oldest.Close()
}

// testHookPending, when set by a test, is called (under s.mu) with the
// number of registrations in progress after each accept.
var testHookPending func(n int)

func (s *Server) serve(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	rank, nonceR, nonceS, ok := s.register(c)
	s.mu.Lock()
	delete(s.pending, c)
	s.mu.Unlock()
	if !ok {
		return
	}
	c.SetDeadline(time.Time{})
	tick := time.NewTicker(statusInterval)
	defer tick.Stop()
	for {
		if !s.isFull() {
			c.SetWriteDeadline(time.Now().Add(writeTimeout))
			if writeMsg(c, rvStatus, s.status().encode()) != nil {
				return
			}
		}
		select {
		case <-s.full:
			s.sendTable(c, rank, nonceR, nonceS)
			return
		case <-tick.C:
		case <-s.quit:
			return
		}
	}
}

// register runs the handshake of one connection under registerTimeout and
// records the rank. It refuses (and returns false) anything that is not a
// well-formed registration for this job made with the secret.
func (s *Server) register(c net.Conn) (rank int, nonceR, nonceS []byte, ok bool) {
	c.SetDeadline(time.Now().Add(registerTimeout))
	nonceS = make([]byte, nonceSize)
	rand.Read(nonceS)
	if writeMsg(c, rvChallenge, nonceS) != nil {
		return 0, nil, nil, false
	}
	refuse := func(reason uint16, format string, args ...any) (int, []byte, []byte, bool) {
		writeMsg(c, rvRefuse, encodeRefuse(reason, fmt.Sprintf(format, args...)))
		return 0, nil, nil, false
	}
	_, body, err := readMsg(c, func(k rvKind) (int, bool) { return maxRegisterBody, k == rvRegister })
	if err != nil {
		if errors.Is(err, errMalformed) {
			return refuse(refuseMalformed, "%v", err)
		}
		return 0, nil, nil, false // gone or too slow
	}
	m, signed, wellFormed := decodeRegister(body)
	// Nothing about the job (its id, its size) is told to a connection
	// before it has proved it holds the secret; even then the job id is
	// not, since with the secret it is all one needs to pass as a rank.
	switch {
	case !wellFormed:
		return refuse(refuseMalformed, "malformed registration")
	case !hmac.Equal(m.mac, macOf(s.secret, labelRegister, nonceS, signed)):
		return refuse(refuseAuth, "authentication failed: wrong secret")
	case m.job != s.job:
		return refuse(refuseJob, "this server is for another job, not %q", m.job)
	case m.size != s.size:
		return refuse(refuseSize, "this job has %d ranks, not %d", s.size, m.size)
	case m.rank < 0 || m.rank >= s.size:
		return refuse(refuseRank, "rank %d out of range for %d ranks", m.rank, s.size)
	case m.addr == "":
		return refuse(refuseMalformed, "empty address")
	}
	s.mu.Lock()
	prev := s.addrs[m.rank]
	if prev == "" {
		s.addrs[m.rank] = m.addr
		s.n++
		if s.n == s.size {
			s.entries = encodeTableEntries(s.addrs)
			close(s.full)
		}
	}
	s.mu.Unlock()
	if prev != "" && prev != m.addr {
		// The same address again is the rank retrying; another is not.
		return refuse(refuseDuplicate, "rank %d is already registered at %s", m.rank, prev)
	}
	return m.rank, m.nonce, nonceS, true
}

func (s *Server) isFull() bool {
	select {
	case <-s.full:
		return true
	default:
		return false
	}
}

func (s *Server) status() statusMsg {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := statusMsg{registered: s.n, size: s.size, missing: s.size - s.n}
	for r, a := range s.addrs {
		if a == "" && len(m.ranks) < maxMissingListed {
			m.ranks = append(m.ranks, r)
		}
	}
	return m
}

func (s *Server) sendTable(c net.Conn, rank int, nonceR, nonceS []byte) {
	body := append(append([]byte(nil), s.entries...), tableMAC(s.secret, nonceR, nonceS, s.job, s.entries)...)
	c.SetWriteDeadline(time.Now().Add(writeTimeout))
	if writeMsg(c, rvTable, body) != nil {
		return // the rank will come back if it is still waiting
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.sent[rank] {
		s.sent[rank] = true
		if s.nsent++; s.nsent == s.size {
			close(s.done)
		}
	}
}
