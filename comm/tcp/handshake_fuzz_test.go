package tcp

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
)

// FuzzHandshake feeds arbitrary bytes, in two chunks split where the input
// says, to both sides of the handshake: as what a dialer sends to an
// acceptor and as what an acceptor answers a dialer. Neither may panic or
// succeed: without the secret, no input can carry a proof over the fresh
// nonce the other side picks. Parsed hellos and challenges must encode
// back to the bytes they came from.
//
// Input: 2 bytes of split point, then the stream.
func FuzzHandshake(f *testing.F) {
	p := handshakeParams{secret: testSecret, job: "fuzz", size: 3}
	// Seeds: what a real dialer and a real acceptor send.
	hi := make([]byte, preambleSize+helloBody)
	putPreamble(hi, msgHello, 0)
	(&hello{size: 3, from: 2, to: 0}).put(hi[preambleSize:])
	proof := make([]byte, preambleSize+proofBody)
	putPreamble(proof, msgProof, 0)
	chal := make([]byte, preambleSize+challengeBody)
	putPreamble(chal, msgChallenge, 0)
	(&hello{size: 3, from: 0, to: 2}).put(chal[preambleSize:])
	welcome := make([]byte, preambleSize)
	putPreamble(welcome, msgWelcome, 0)
	refused := make([]byte, preambleSize)
	putPreamble(refused, msgRefuse, uint16(refuseProof))
	for _, seed := range [][]byte{
		append(hi, proof...),
		append(chal, welcome...),
		refused,
		hi[:20],
		[]byte("SPMD\x01\x07\x00\x00"),
		frameBytes(frameHeader{Type: frameData, Datatype: 1, Source: 2, Length: 1 << 62}, nil),
	} {
		for _, split := range []uint16{0, 3, 8, 9, 52} {
			f.Add(append(binary.BigEndian.AppendUint16(nil, split), seed...))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 2 {
			return
		}
		split := int(binary.BigEndian.Uint16(in)) % (len(in) - 1)
		stream := in[2:]
		chunks := func() io.Reader {
			return io.MultiReader(bytes.NewReader(stream[:split]), bytes.NewReader(stream[split:]))
		}
		ok := func(int) error { return nil }
		if peer, err := acceptHandshake(&scriptConn{r: chunks()}, p, 0, ok, ok); err == nil {
			t.Fatalf("acceptor authenticated rank %d from fuzz input", peer)
		}
		if err := dialHandshake(&scriptConn{r: chunks()}, p, 2, 0); err == nil {
			t.Fatal("dialer accepted fuzz input as rank 0")
		}

		if len(stream) >= challengeBody {
			c, err := parseChallenge(stream[:challengeBody])
			if err != nil {
				t.Fatal(err)
			}
			again := make([]byte, challengeBody)
			c.hello.put(again)
			copy(again[helloBody:], c.mac[:])
			if !bytes.Equal(again, stream[:challengeBody]) {
				t.Fatalf("challenge %x re-encodes as %x", stream[:challengeBody], again)
			}
		}
	})
}
