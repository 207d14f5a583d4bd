package boot

import (
	"context"
	"testing"
	"time"
)

func BenchmarkExpandHostlist(b *testing.B) {
	for range b.N {
		if _, err := ExpandHostlist("rack[01-16]-node[001-064]"); err != nil {
			b.Fatal(err)
		}
	}
}

// benchmarkExchange times one whole rendezvous of size ranks over
// loopback: server start, every registration, every table.
func benchmarkExchange(b *testing.B, size int) {
	addrs := rankAddrs(size)
	for range b.N {
		s, err := NewServer("127.0.0.1:0", size, testSecret, "bench")
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, errs := exchangeAll(ctx, s.Addr(), size, allRanks(size), addrs, testSecret, "bench")
		cancel()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		s.Close()
	}
}

func BenchmarkExchange4(b *testing.B)   { benchmarkExchange(b, 4) }
func BenchmarkExchange64(b *testing.B)  { benchmarkExchange(b, 64) }
func BenchmarkExchange256(b *testing.B) { benchmarkExchange(b, 256) }

func benchmarkExchangeFile(b *testing.B, size int) {
	addrs := rankAddrs(size)
	dir := b.TempDir()
	for range b.N {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, errs := exchangeAll(ctx, "file:"+dir, size, allRanks(size), addrs, testSecret, "bench")
		cancel()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkExchangeFile4(b *testing.B)  { benchmarkExchangeFile(b, 4) }
func BenchmarkExchangeFile64(b *testing.B) { benchmarkExchangeFile(b, 64) }
