package boot

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// rankAddrs returns size distinct listening addresses on loopback
// aliases, as ranks on different hosts would have.
func rankAddrs(size int) []string {
	a := make([]string, size)
	for r := range a {
		a[r] = fmt.Sprintf("127.0.1.%d:%d", 10+r, 30000+r)
	}
	return a
}

// exchangeAll runs Exchange for every rank in ranks concurrently and
// returns their tables and errors, by rank.
func exchangeAll(ctx context.Context, rv string, size int, ranks []int, addrs []string, secret []byte, job string) ([][]string, []error) {
	tables := make([][]string, size)
	errs := make([]error, size)
	var wg sync.WaitGroup
	for _, r := range ranks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tables[r], errs[r] = Exchange(ctx, rv, r, size, addrs[r], secret, job)
		}()
	}
	wg.Wait()
	return tables, errs
}

// fastStatus makes servers send statuses often, so that the last one a
// rank saw before its deadline lists exactly the ranks still missing.
func fastStatus(t *testing.T) {
	old := statusInterval
	statusInterval = 50 * time.Millisecond
	t.Cleanup(func() { statusInterval = old })
}

func allRanks(size int) []int {
	rs := make([]int, size)
	for i := range rs {
		rs[i] = i
	}
	return rs
}

func TestExchangeServer(t *testing.T) {
	for _, size := range []int{1, 2, 5} {
		s, err := NewServer("127.0.0.7:0", size, testSecret, "job-1")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		addrs := rankAddrs(size)
		tables, errs := exchangeAll(ctx, s.Addr(), size, allRanks(size), addrs, testSecret, "job-1")
		for r := range size {
			if errs[r] != nil {
				t.Errorf("size %d rank %d: %v", size, r, errs[r])
			} else if !reflect.DeepEqual(tables[r], addrs) {
				t.Errorf("size %d rank %d: table %v, want %v", size, r, tables[r], addrs)
			}
		}
		select {
		case <-s.Done():
		case <-ctx.Done():
			t.Errorf("size %d: Done not closed after every rank got its table", size)
		}
		if m := s.Missing(); len(m) != 0 {
			t.Errorf("size %d: Missing() = %v after the exchange", size, m)
		}
		cancel()
		s.Close()
	}
}

// TestExchangeServerStartsLate: ranks retry until the server is up, as
// when rank 0 serves the rendezvous and starts last.
func TestExchangeServerStartsLate(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.7:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	addrs := rankAddrs(3)
	var tables [][]string
	var errs []error
	done := make(chan struct{})
	go func() {
		tables, errs = exchangeAll(ctx, addr, 3, allRanks(3), addrs, testSecret, "late")
		close(done)
	}()
	time.Sleep(300 * time.Millisecond)
	s, err := NewServer(addr, 3, testSecret, "late")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	<-done
	for r := range 3 {
		if errs[r] != nil || !reflect.DeepEqual(tables[r], addrs) {
			t.Errorf("rank %d: %v, %v", r, tables[r], errs[r])
		}
	}
}

// TestExchangeIntruders runs a job while strangers connect: garbage, a
// huge length, a silent connection (slow loris), a wrong secret, another
// job, a wrong size, a rank out of range and a second claim on a rank.
// Each intruder is refused and the job's exchange completes.
func TestExchangeIntruders(t *testing.T) {
	const size = 4
	s, err := NewServer("127.0.0.8:0", size, testSecret, "job-A")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	addrs := rankAddrs(size)

	// Silent connections hold a slot until registerTimeout, no longer.
	for range 3 {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	rawGarbage := func(data []byte) {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		c.Write(data)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.Copy(io.Discard, c) // the server must hang up
	}
	rawGarbage([]byte("GET / HTTP/1.0\r\n\r\n"))
	huge := make([]byte, rvHeaderSize)
	copy(huge, rvMagic[:])
	huge[4], huge[5] = rvVersion, byte(rvRegister)
	binary.BigEndian.PutUint32(huge[8:], 1<<31)
	rawGarbage(huge)

	// Ranks 0 and 1 register before the intruders, 2 and 3 after.
	var tables [][]string
	var errs []error
	done := make(chan struct{})
	go func() {
		tables, errs = exchangeAll(ctx, s.Addr(), size, []int{0, 1}, addrs, testSecret, "job-A")
		close(done)
	}()

	for _, tc := range []struct {
		name   string
		rank   int
		size   int
		addr   string
		secret []byte
		job    string
		want   string
	}{
		{"wrong secret", 2, size, "127.0.0.66:1", []byte("another secret, sixteen+"), "job-A", "authentication failed: wrong secret"},
		{"another job", 2, size, "127.0.0.66:1", testSecret, "job-B", `this server is for another job, not "job-B"`},
		{"wrong size", 2, 5, "127.0.0.66:1", testSecret, "job-A", "this job has 4 ranks, not 5"},
	} {
		ictx, icancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := Exchange(ictx, s.Addr(), tc.rank, tc.size, tc.addr, tc.secret, tc.job)
		icancel()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "job-A") {
			t.Errorf("%s: the refusal discloses the job id: %v", tc.name, err)
		}
	}
	// A second claim on rank 0 once it is registered.
	for len(s.Missing()) > 2 {
		time.Sleep(10 * time.Millisecond)
	}
	ictx, icancel := context.WithTimeout(ctx, 5*time.Second)
	_, err = Exchange(ictx, s.Addr(), 0, size, "127.0.0.66:1", testSecret, "job-A")
	icancel()
	if want := "rank 0 is already registered at " + addrs[0]; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("duplicate rank: got %v, want an error containing %q", err, want)
	}

	t2, e2 := exchangeAll(ctx, s.Addr(), size, []int{2, 3}, addrs, testSecret, "job-A")
	<-done
	tables[2], tables[3], errs[2], errs[3] = t2[2], t2[3], e2[2], e2[3]
	for r := range size {
		if errs[r] != nil || !reflect.DeepEqual(tables[r], addrs) {
			t.Errorf("rank %d: table %v, err %v; want %v", r, tables[r], errs[r], addrs)
		}
	}
}

// TestExchangeMissingRank: a rank that never comes is named in the error
// of every rank that did, within the deadline.
func TestExchangeMissingRank(t *testing.T) {
	fastStatus(t)
	const size = 4
	s, err := NewServer("127.0.0.9:0", size, testSecret, "j")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	_, errs := exchangeAll(ctx, s.Addr(), size, []int{0, 2}, rankAddrs(size), testSecret, "j")
	want := "rendezvous: 2 of 4 ranks never registered (ranks 1, 3) at " + s.Addr() + " after "
	for _, r := range []int{0, 2} {
		if errs[r] == nil || !strings.HasPrefix(errs[r].Error(), want) {
			t.Errorf("rank %d: %v, want an error starting %q", r, errs[r], want)
		}
	}
	if m := s.Missing(); !reflect.DeepEqual(m, []int{1, 3}) {
		t.Errorf("Missing() = %v, want [1 3]", m)
	}
}

func TestExchangeNoServer(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.9:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := Exchange(ctx, addr, 0, 2, "127.0.0.1:1", testSecret, "j")
	if want := "rendezvous: no server at " + addr + " after "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v, want an error starting %q", err, want)
	}
}

func TestExchangeArguments(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		rank, size int
		addr       string
		secret     []byte
		job        string
		rv         string
		want       string
	}{
		{2, 2, "a:1", testSecret, "j", "x:1", "rank 2 out of range for size 2"},
		{0, 2, "", testSecret, "j", "x:1", `address "" must be 1 to 255 bytes`},
		{0, 2, "a:1", []byte("short"), "j", "x:1", "secret of 5 bytes, need at least 16"},
		{0, 2, "a:1", testSecret, strings.Repeat("j", 256), "x:1", "job id of 256 bytes"},
		{0, 2, "a:1", testSecret, "j", "file:", "file: needs a directory"},
		{0, 2, "a:1", testSecret, "", "file:" + t.TempDir(), "needs a job id"},
	} {
		_, err := Exchange(ctx, tc.rv, tc.rank, tc.size, tc.addr, tc.secret, tc.job)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Exchange(%q, %d, %d, %q): %v, want an error containing %q", tc.rv, tc.rank, tc.size, tc.addr, err, tc.want)
		}
	}
	for _, tc := range []struct {
		size   int
		secret []byte
		want   string
	}{
		{0, testSecret, "job size 0 out of range"},
		{2, []byte("short"), "secret of 5 bytes"},
	} {
		if _, err := NewServer("127.0.0.1:0", tc.size, tc.secret, "j"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewServer(size %d): %v, want an error containing %q", tc.size, err, tc.want)
		}
	}
}

// TestTableAuthentication: a table made with another secret, or for
// another request, is rejected by the rank.
func TestTableAuthentication(t *testing.T) {
	addrs := []string{"127.0.0.1:1", "127.0.0.2:2"}
	nR, nS := bytes.Repeat([]byte{1}, nonceSize), bytes.Repeat([]byte{2}, nonceSize)
	entries := encodeTableEntries(addrs)
	body := append(append([]byte(nil), entries...), tableMAC(testSecret, nR, nS, "j", entries)...)
	if got, err := decodeTable(body, 2, testSecret, nR, nS, "j"); err != nil || !reflect.DeepEqual(got, addrs) {
		t.Fatalf("decodeTable: %v, %v", got, err)
	}
	for _, tc := range []struct {
		name       string
		secret     []byte
		nonceR     []byte
		job        string
		size       int
		wantSubstr string
	}{
		{"other secret", []byte("another secret, sixteen+"), nR, "j", 2, "holds another secret"},
		{"replayed for another request", testSecret, nS, "j", 2, "holds another secret"},
		{"other job", testSecret, nR, "k", 2, "holds another secret"},
		{"other size", testSecret, nR, "j", 3, "has 2 ranks, this job 3"},
	} {
		if _, err := decodeTable(body, tc.size, tc.secret, tc.nonceR, nS, tc.job); err == nil || !strings.Contains(err.Error(), tc.wantSubstr) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.wantSubstr)
		}
	}
}

func TestRegisterRoundTrip(t *testing.T) {
	nS := bytes.Repeat([]byte{7}, nonceSize)
	m := registerMsg{rank: 3, size: 8, nonce: bytes.Repeat([]byte{9}, nonceSize), job: "25.0", addr: "127.0.1.2:4567"}
	body := m.encode(testSecret, nS)
	got, signed, ok := decodeRegister(body)
	if !ok || got.rank != 3 || got.size != 8 || got.job != "25.0" || got.addr != "127.0.1.2:4567" || !bytes.Equal(got.nonce, m.nonce) {
		t.Fatalf("decodeRegister: %+v, ok %v", got, ok)
	}
	if !bytes.Equal(got.mac, macOf(testSecret, labelRegister, nS, signed)) {
		t.Error("MAC does not verify")
	}
	if _, _, ok := decodeRegister(body[:len(body)-1]); ok {
		t.Error("truncated registration accepted")
	}
	if _, _, ok := decodeRegister(append(body, 0)); ok {
		t.Error("registration with a trailing byte accepted")
	}
}

func TestStatusString(t *testing.T) {
	for _, tc := range []struct {
		m    statusMsg
		want string
	}{
		{statusMsg{size: 8, missing: 2, ranks: []int{3, 5}}, "2 of 8 ranks never registered (ranks 3, 5)"},
		{statusMsg{size: 3, missing: 1, ranks: []int{1}}, "1 of 3 ranks never registered (rank 1)"},
		{statusMsg{size: 100, missing: 3, ranks: []int{0, 1}}, "3 of 100 ranks never registered (ranks 0, 1, ...)"},
	} {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.m, got, tc.want)
		}
	}
}

func TestExchangeFile(t *testing.T) {
	for _, size := range []int{1, 3, 6} {
		dir := filepath.Join(t.TempDir(), "rv") // created by Exchange
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		addrs := rankAddrs(size)
		tables, errs := exchangeAll(ctx, "file:"+dir, size, allRanks(size), addrs, testSecret, "slurm.25.0")
		cancel()
		for r := range size {
			if errs[r] != nil || !reflect.DeepEqual(tables[r], addrs) {
				t.Errorf("size %d rank %d: %v, %v", size, r, tables[r], errs[r])
			}
		}
		left, _ := os.ReadDir(dir)
		if len(left) != 0 {
			t.Errorf("size %d: %d files left in the directory, first %s", size, len(left), left[0].Name())
		}
		if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("size %d: directory mode %v, %v; want 0700", size, fi.Mode().Perm(), err)
		}
	}
}

func TestExchangeFileMissingAndForged(t *testing.T) {
	dir := t.TempDir()
	// Rank 1's file is there but made with another secret.
	forged := encodeRendezvousFile([]byte("another secret, sixteen+"), "j", 1, 3, "127.0.0.99:1")
	if err := os.WriteFile(filepath.Join(dir, "j.1"), forged, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	_, errs := exchangeAll(ctx, "file:"+dir, 3, []int{0}, rankAddrs(3), testSecret, "j")
	want := "rendezvous: 2 of 3 ranks never registered (ranks 1, 2) in file:" + dir + " after "
	if errs[0] == nil || !strings.HasPrefix(errs[0].Error(), want) || !strings.Contains(errs[0].Error(), "j.1: authentication failed") {
		t.Errorf("got %v, want an error starting %q and naming j.1", errs[0], want)
	}
	if exists(filepath.Join(dir, "j.0")) {
		t.Error("rank 0's file left after the failure")
	}
}

func TestRendezvousFileFormat(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := writeFileAtomic(p, encodeRendezvousFile(testSecret, "j", 2, 4, "h:1")); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if a, err := readRendezvousFile(p, testSecret, "j", 2, 4); err != nil || a != "h:1" {
		t.Errorf("read back: %q, %v", a, err)
	}
	for _, tc := range []struct {
		job        string
		rank, size int
		want       string
	}{
		{"k", 2, 4, "authentication failed"},
		{"j", 3, 4, "says rank 2"},
		{"j", 2, 5, "says 4 ranks, this job has 5"},
	} {
		if _, err := readRendezvousFile(p, testSecret, tc.job, tc.rank, tc.size); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc, err, tc.want)
		}
	}
	for in, want := range map[string]string{"25.0": "25.0", "a/b": "a_b", "..": "_.", "prterun-vm-12@1": "prterun-vm-12@1"} {
		if got := fileBaseName(in); got != want {
			t.Errorf("fileBaseName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExchangeServerLost: when the server goes away while ranks wait, the
// error says so and what it last reported.
func TestExchangeServerLost(t *testing.T) {
	fastStatus(t)
	s, err := NewServer("127.0.0.9:0", 3, testSecret, "j")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	go func() {
		for len(s.Missing()) > 2 {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond)
		s.Close()
	}()
	_, err = Exchange(ctx, s.Addr(), 0, 3, "127.0.0.1:1", testSecret, "j")
	want := "rendezvous: lost the server at " + s.Addr() + " ("
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "it last reported 2 of 3 ranks never registered (ranks 1, 2)") {
		t.Errorf("got %v, want an error starting %q with the last status", err, want)
	}
}

// TestRefusalDisclosesNothing: a stranger without the secret learns
// neither the job id nor the job's size from a refusal, whatever it
// claims; it is told only that it failed to authenticate.
func TestRefusalDisclosesNothing(t *testing.T) {
	const job = "secret-job-7c1e"
	s, err := NewServer("127.0.0.8:0", 3, testSecret, job)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stranger := []byte("not the secret, but long enough")
	for _, c := range []struct {
		job        string
		size, rank int
	}{{"guess", 3, 1}, {"", 5, 1}, {job, 4, 3}} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := Exchange(ctx, s.Addr(), c.rank, c.size, "127.0.0.66:1", stranger, c.job)
		cancel()
		if err == nil || !strings.Contains(err.Error(), "authentication failed") {
			t.Errorf("stranger claiming job %q size %d: %v, want an authentication failure", c.job, c.size, err)
		}
		if err != nil && c.job != job && strings.Contains(err.Error(), job) {
			t.Errorf("stranger claiming job %q: the refusal discloses the job id: %v", c.job, err)
		}
		if err != nil && c.size != 3 && strings.Contains(err.Error(), "3 ranks") {
			t.Errorf("stranger claiming size %d: the refusal discloses the size: %v", c.size, err)
		}
	}
}

// TestExchangeFlood: strangers hold 500 connections to the rendezvous and
// say nothing. The server keeps at most maxPending of them (cutting the
// oldest), so the ranks still get in and start-up completes; without the
// cap, registrations in progress filled every slot and the ranks waited
// behind the strangers for good.
func TestExchangeFlood(t *testing.T) {
	// Without the cap, strangers would keep their slots all test long.
	old := registerTimeout
	registerTimeout = 10 * time.Minute
	defer func() { registerTimeout = old }()
	var most atomic.Int64
	testHookPending = func(n int) {
		if int64(n) > most.Load() {
			most.Store(int64(n))
		}
	}
	defer func() { testHookPending = nil }()

	const size, flood = 3, 500
	limit := maxPending(size)
	if limit >= flood/2 {
		t.Fatalf("the cap (%d) is not well below the flood (%d): the test would prove nothing", limit, flood)
	}
	s, err := NewServer("127.0.0.9:0", size, testSecret, "job-F")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var cut atomic.Int64 // strangers the server hung up on
	var held sync.WaitGroup
	conns := make([]net.Conn, 0, flood)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
		held.Wait()
	}()
	for range flood {
		c, err := net.Dial("tcp", s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		held.Add(1)
		go func() {
			defer held.Done()
			// Read the challenge and say nothing until hung up on (EOF or
			// a reset), or until the test closes c at its end.
			_, err := io.Copy(io.Discard, c)
			if !errors.Is(err, net.ErrClosed) {
				cut.Add(1)
			}
		}()
	}
	waitUntil(t, "the strangers to fill the server", func() bool { return most.Load() >= int64(limit) })

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	addrs := rankAddrs(size)
	tables, errs := exchangeAll(ctx, s.Addr(), size, allRanks(size), addrs, testSecret, "job-F")
	for r := range size {
		if errs[r] != nil || !reflect.DeepEqual(tables[r], addrs) {
			t.Errorf("rank %d with %d strangers holding connections: table %v, err %v", r, flood, tables[r], errs[r])
		}
	}
	waitUntil(t, "the server to cut every stranger beyond its cap", func() bool { return cut.Load() >= flood-int64(limit) })
	if got := most.Load(); got > int64(limit) {
		t.Errorf("%d registrations in progress at once, cap %d", got, limit)
	}
	t.Logf("%d strangers cut, at most %d registrations in progress at once", cut.Load(), most.Load())
}

// waitUntil polls cond until it holds, failing t after 20s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
