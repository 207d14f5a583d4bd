package boot

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
)

// MinSecret is the shortest accepted job secret, in bytes.
const MinSecret = 16

// maxSecretFile bounds what is read of a secret file.
const maxSecretFile = 4096

// Secret sources reported in Info.SecretFrom.
const (
	secretFromEnv   = "SPMD_SECRET"
	secretGenerated = "generated"
	secretFromFile  = "file "
)

// loadSecret returns the job secret from, in order, file (Options.SecretFile),
// SPMD_SECRET_FILE or SPMD_SECRET, and a description of where it came
// from. It returns nil, "", nil when none is given. The secret is never
// taken from the command line, where every user of the machine can read
// it (ps), and is never quoted in an error.
func loadSecret(getenv func(string) string, file string) ([]byte, string, error) {
	if file == "" {
		file = getenv("SPMD_SECRET_FILE")
	}
	if file != "" {
		s, err := ReadSecretFile(file)
		return s, secretFromFile + file, err
	}
	v := getenv("SPMD_SECRET")
	if v == "" {
		return nil, "", nil
	}
	s, err := hex.DecodeString(strings.TrimSpace(v))
	if err != nil {
		return nil, "", fmt.Errorf("boot: SPMD_SECRET is not hex (its value is not shown)")
	}
	if len(s) < MinSecret {
		return nil, "", fmt.Errorf("boot: SPMD_SECRET holds %d bytes, need at least %d (%d hex digits)", len(s), MinSecret, 2*MinSecret)
	}
	return s, secretFromEnv, nil
}

// ReadSecretFile reads a job secret from path. The file must be a regular
// file that only its owner can read or write (mode 0600 or stricter): a
// secret others can read is no secret. Its content is the secret in hex
// (what `openssl rand -hex 32` writes) or, if it is not hex, the raw
// bytes; surrounding whitespace is ignored; at least MinSecret bytes.
func ReadSecretFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("boot: secret file: %v", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("boot: secret file: %v", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("boot: secret file %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("boot: secret file %s has mode %04o: it must be 0600 or stricter (chmod 600 %s)", path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return nil, fmt.Errorf("boot: secret file %s: %v", path, err)
	}
	if len(data) > maxSecretFile {
		return nil, fmt.Errorf("boot: secret file %s is longer than %d bytes", path, maxSecretFile)
	}
	text := strings.TrimSpace(string(data))
	secret := []byte(text)
	if s, err := hex.DecodeString(text); err == nil {
		secret = s
	}
	if len(secret) < MinSecret {
		return nil, fmt.Errorf("boot: secret file %s holds %d bytes, need at least %d", path, len(secret), MinSecret)
	}
	return secret, nil
}
