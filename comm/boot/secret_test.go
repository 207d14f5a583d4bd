package boot

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadSecret(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(p, mode) // WriteFile's mode passes through the umask
		return p
	}
	hexSecret := "00112233445566778899aabbccddeeff"
	raw := "raw secret bytes, at least sixteen"
	hexFile := write("hex", hexSecret+"\n", 0o600)
	rawFile := write("raw", raw, 0o400)
	for _, tc := range []struct {
		name       string
		env        map[string]string
		file       string
		want       []byte
		wantSource string
	}{
		{"none", nil, "", nil, ""},
		{"env hex", map[string]string{"SPMD_SECRET": hexSecret}, "", []byte("\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff"), "SPMD_SECRET"},
		{"env file", map[string]string{"SPMD_SECRET_FILE": hexFile}, "", []byte("\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff"), "file " + hexFile},
		{"raw file", nil, rawFile, []byte(raw), "file " + rawFile},
		{"option beats env", map[string]string{"SPMD_SECRET_FILE": hexFile, "SPMD_SECRET": hexSecret}, rawFile, []byte(raw), "file " + rawFile},
		{"file beats SPMD_SECRET", map[string]string{"SPMD_SECRET_FILE": rawFile, "SPMD_SECRET": hexSecret}, "", []byte(raw), "file " + rawFile},
	} {
		got, src, err := loadSecret(getenvOf(tc.env), tc.file)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !bytes.Equal(got, tc.want) || src != tc.wantSource {
			t.Errorf("%s: %q from %q, want %q from %q", tc.name, got, src, tc.want, tc.wantSource)
		}
	}

	open := write("open", hexSecret, 0o644)
	group := write("group", hexSecret, 0o640)
	short := write("short", "0011", 0o600)
	for _, tc := range []struct {
		name    string
		env     map[string]string
		file    string
		want    string
		notWant string
	}{
		{"world readable", nil, open, "secret file " + open + " has mode 0644: it must be 0600 or stricter (chmod 600 " + open + ")", ""},
		{"group readable", nil, group, "has mode 0640", ""},
		{"short file", nil, short, "holds 2 bytes, need at least 16", ""},
		{"missing file", nil, filepath.Join(dir, "nope"), "no such file", ""},
		{"directory", nil, dir, "is not a regular file", ""},
		{"env not hex", map[string]string{"SPMD_SECRET": "not-hex-but-secret"}, "", "SPMD_SECRET is not hex", "not-hex-but-secret"},
		{"env short", map[string]string{"SPMD_SECRET": "0011"}, "", "SPMD_SECRET holds 2 bytes, need at least 16", "0011"},
	} {
		_, _, err := loadSecret(getenvOf(tc.env), tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
		if err != nil && tc.notWant != "" && strings.Contains(err.Error(), tc.notWant) {
			t.Errorf("%s: the error %q shows the secret", tc.name, err)
		}
	}
}
