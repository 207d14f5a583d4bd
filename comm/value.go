package comm

import (
	"bytes"
	"encoding/gob"
	"fmt"
)

// The value tier sends any Go value that encoding/gob can encode and
// returns what it receives, as mpi4py's lowercase methods do with pickle.
// It is convenient and slow: every message is encoded and decoded in full
// (a self-contained gob stream per message, so no state is shared between
// messages). Use the fast tier (Send, Allreduce, ...) for numeric slices.

func encode[T any](op string, v T) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(&v); err != nil {
		return nil, fmt.Errorf("comm: %s: encoding %T: %w", op, v, err)
	}
	return b.Bytes(), nil
}

func decode[T any](op string, b []byte) (T, error) {
	var v T
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&v); err != nil {
		return v, fmt.Errorf("comm: %s: decoding into %T: %w", op, v, err)
	}
	return v, nil
}

// Register records a concrete type that travels inside an interface
// field of a value, as gob.Register does; other values need none.
func Register(v any) { gob.Register(v) }

// SendValue encodes v and sends it to dest with tag.
func SendValue[T any](c *Comm, v T, dest, tag int) error {
	checkTag(tag, "SendValue")
	b, err := encode("SendValue", v)
	if err != nil {
		return err
	}
	return c.sendRaw(dest, int32(tag), Encoded, b, "SendValue")
}

// RecvValue receives a value sent with SendValue from source (or
// AnySource) with tag (or AnyTag) and returns it.
func RecvValue[T any](c *Comm, source, tag int) (T, Status, error) {
	var zero T
	r := c.irecvRaw(source, tag, Encoded, nil, true, "RecvValue")
	st, err := r.Wait()
	if err != nil {
		return zero, st, err
	}
	if r.recv.hdr.Type != Encoded {
		return zero, st, fmt.Errorf("comm: RecvValue: %w: message of %v, not an encoded value", ErrType, r.recv.hdr.Type)
	}
	v, err := decode[T]("RecvValue", r.recv.data)
	return v, st, err
}

// BcastValue returns root's v at every rank.
func BcastValue[T any](c *Comm, v T, root int) (T, error) {
	c.checkRoot(root, "BcastValue")
	var b []byte
	if c.rank == root {
		var err error
		if b, err = encode("BcastValue", v); err != nil {
			return v, err
		}
	}
	n := []int64{int64(len(b))}
	if err := c.Bcast(n, root); err != nil {
		return v, renameOp(err, "BcastValue")
	}
	if c.rank != root {
		b = make([]byte, n[0])
	}
	if err := c.Bcast(b, root); err != nil {
		return v, renameOp(err, "BcastValue")
	}
	if c.rank == root {
		return v, nil
	}
	return decode[T]("BcastValue", b)
}

// GatherValue returns, at root, every rank's v in rank order; nil elsewhere.
func GatherValue[T any](c *Comm, v T, root int) ([]T, error) {
	c.checkRoot(root, "GatherValue")
	b, err := encode("GatherValue", v)
	if err != nil {
		return nil, err
	}
	p := c.Size()
	lens := make([]int64, p)
	if err := c.Gather([]int64{int64(len(b))}, lens, root); err != nil {
		return nil, renameOp(err, "GatherValue")
	}
	if c.rank != root {
		return nil, renameOp(c.Gatherv(b, nil, nil, nil, root), "GatherValue")
	}
	counts := make([]int, p)
	total := 0
	for i, n := range lens {
		counts[i] = int(n)
		total += int(n)
	}
	all := make([]byte, total)
	if err := c.Gatherv(b, all, counts, nil, root); err != nil {
		return nil, renameOp(err, "GatherValue")
	}
	out := make([]T, p)
	off := 0
	for i, n := range counts {
		if out[i], err = decode[T]("GatherValue", all[off:off+n]); err != nil {
			return nil, err
		}
		off += n
	}
	return out, nil
}

// AllgatherValue returns every rank's v, in rank order, at every rank.
func AllgatherValue[T any](c *Comm, v T) ([]T, error) {
	vs, err := GatherValue(c, v, 0)
	if err != nil {
		return nil, renameOp(err, "AllgatherValue")
	}
	vs, err = BcastValue(c, vs, 0)
	return vs, renameOp(err, "AllgatherValue")
}

// ScatterValue gives rank i the value vs[i] from root (vs matters only at
// root, where len(vs) must be Size()).
func ScatterValue[T any](c *Comm, vs []T, root int) (T, error) {
	var zero T
	c.checkRoot(root, "ScatterValue")
	if c.rank == root {
		if len(vs) != c.Size() {
			panic(fmt.Sprintf("comm: ScatterValue: %d values for %d ranks", len(vs), c.Size()))
		}
		for i, v := range vs {
			if i == root {
				continue
			}
			b, err := encode("ScatterValue", v)
			if err != nil {
				return zero, err
			}
			if err := c.sendRaw(i, tagValue, Encoded, b, "ScatterValue"); err != nil {
				return zero, err
			}
		}
		return vs[root], nil
	}
	b, err := c.recvAlloc(root, tagValue, Encoded, "ScatterValue")
	if err != nil {
		return zero, err
	}
	return decode[T]("ScatterValue", b)
}

// ReduceValue combines every rank's v with fn at root, which gets the
// result (other ranks get the zero value). fn must be associative and
// commutative; it is applied along a binomial tree, always as fn(lower
// ranks' partial, higher ranks' partial), in the same order on every run.
func ReduceValue[T any](c *Comm, v T, fn func(a, b T) T, root int) (T, error) {
	var zero T
	c.checkRoot(root, "ReduceValue")
	p := c.Size()
	vr := rel(c.rank, root, p)
	acc := v
	for mask := 1; mask < p; mask <<= 1 {
		if vr&mask != 0 {
			b, err := encode("ReduceValue", acc)
			if err != nil {
				return zero, err
			}
			return zero, c.sendRaw(abs(vr&^mask, root, p), tagValue, Encoded, b, "ReduceValue")
		}
		if child := vr | mask; child < p {
			b, err := c.recvAlloc(abs(child, root, p), tagValue, Encoded, "ReduceValue")
			if err != nil {
				return zero, err
			}
			other, err := decode[T]("ReduceValue", b)
			if err != nil {
				return zero, err
			}
			acc = fn(acc, other)
		}
	}
	return acc, nil
}

// AllreduceValue combines every rank's v with fn and returns the result
// at every rank.
func AllreduceValue[T any](c *Comm, v T, fn func(a, b T) T) (T, error) {
	r, err := ReduceValue(c, v, fn, 0)
	if err != nil {
		return r, renameOp(err, "AllreduceValue")
	}
	r, err = BcastValue(c, r, 0)
	return r, renameOp(err, "AllreduceValue")
}
