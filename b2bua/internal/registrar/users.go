package registrar

import (
	"bufio"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"log/slog"
	"os"
	"strings"
)

// account is a user able to authenticate: its HA1 per algorithm (lower-case
// hex) and the AORs it may register and watch.
type account struct {
	name string
	ha1  map[string]string // algorithm -> hex HA1
	aors []string          // canonical; empty: sip:<name>@<served domain>
}

// LogValue keeps the hashes out of logs.
func (a *account) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", a.name))
}

// users is the account table; it is built once and only read.
type users map[string]*account

func newHash(alg string) hash.Hash {
	if alg == AlgSHA256 {
		return sha256.New()
	}
	return md5.New()
}

// hexHash is hex(H(parts joined by ':')).
func hexHash(alg string, parts ...string) string {
	h := newHash(alg)
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{':'})
		}
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// loadUsers builds the accounts of the configuration and its users file.
func loadUsers(cfg Config, log *slog.Logger) (users, error) {
	realm := cfg.realm()
	us := users{}
	get := func(name string) *account {
		a := us[name]
		if a == nil {
			a = &account{name: name, ha1: map[string]string{}}
			us[name] = a
		}
		return a
	}
	for _, u := range cfg.Auth.Users {
		a := get(u.User)
		if u.Password != "" {
			a.ha1[AlgMD5] = hexHash(AlgMD5, u.User, realm, u.Password)
			a.ha1[AlgSHA256] = hexHash(AlgSHA256, u.User, realm, u.Password)
		}
		if u.HA1 != "" {
			a.ha1[AlgMD5] = strings.ToLower(u.HA1)
		}
		if u.HA1SHA256 != "" {
			a.ha1[AlgSHA256] = strings.ToLower(u.HA1SHA256)
		}
		for _, s := range u.AORs {
			aor, err := canonicalAORString(s)
			if err != nil {
				return nil, fmt.Errorf("registrar: user %s: %w", u.User, err)
			}
			a.aors = append(a.aors, aor)
		}
	}
	if cfg.Auth.UsersFile == "" {
		return us, nil
	}
	f, err := os.Open(cfg.Auth.UsersFile)
	if err != nil {
		return nil, fmt.Errorf("registrar: users file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		fields := strings.Split(text, ":")
		switch {
		case len(fields) == 2 && fields[0] != "" && fields[1] != "":
			name, pw := fields[0], fields[1]
			a := get(name)
			a.ha1[AlgMD5] = hexHash(AlgMD5, name, realm, pw)
			a.ha1[AlgSHA256] = hexHash(AlgSHA256, name, realm, pw)
		case len(fields) == 3 && fields[0] != "":
			name, fileRealm, h := fields[0], fields[1], strings.ToLower(fields[2])
			if fileRealm != realm {
				log.Warn("registrar: users file line for another realm ignored", "line", line, "realm", fileRealm)
				continue
			}
			switch {
			case isHex(h, 32):
				get(name).ha1[AlgMD5] = h
			case isHex(h, 64):
				get(name).ha1[AlgSHA256] = h
			default:
				return nil, fmt.Errorf("registrar: users file line %d: the hash is neither 32 (MD5) nor 64 (SHA-256) hex digits", line)
			}
		default:
			return nil, fmt.Errorf("registrar: users file line %d: want user:password or user:realm:HA1", line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("registrar: users file: %w", err)
	}
	return us, nil
}
