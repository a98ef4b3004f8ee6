package main

// Host key verification. connection.hostKey holds one or more OpenSSH public keys, one per line
// ("TYPE BASE64 [comment]"): the host must present one of them. The client offers only those keys'
// algorithms, so a host with ECDSA and RSA keys besides the pinned ed25519 one presents the pinned
// one (offering the library's default list would make it present ECDSA and fail).
// An empty hostKey accepts any key, as the official plugin does; kubeha leaves it empty only when
// the stack says kubeha:insecureSkipHostKeyVerification.

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strings"

	"golang.org/x/crypto/ssh"
)

// parseHostKeys reads the pinned keys of one endpoint.
func parseHostKeys(host, text string) ([]ssh.PublicKey, error) {
	var keys []ssh.PublicKey
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("connection.hostKey of %s is not an OpenSSH public key (\"ssh-ed25519 AAAA...\"): %w", host, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// hostKeyAlgorithms are the algorithms a client may negotiate to get one of these keys.
func hostKeyAlgorithms(keys []ssh.PublicKey) []string {
	var algos []string
	seen := map[string]bool{}
	add := func(a string) {
		if !seen[a] {
			seen[a] = true
			algos = append(algos, a)
		}
	}
	for _, k := range keys {
		if k.Type() == ssh.KeyAlgoRSA {
			// An RSA key signs with SHA-2 today; ssh-rsa (SHA-1) only for old servers.
			add(ssh.KeyAlgoRSASHA512)
			add(ssh.KeyAlgoRSASHA256)
		}
		add(k.Type())
	}
	return algos
}

func describeKey(k ssh.PublicKey) string {
	return k.Type() + " " + ssh.FingerprintSHA256(k)
}

// errHostKey marks a host that presented a key it was not pinned to: never retried.
var errHostKey = errors.New("host key verification failed")

// verifyHostKey accepts exactly the pinned keys and names both sides of a mismatch.
func verifyHostKey(address string, pinned []ssh.PublicKey) ssh.HostKeyCallback {
	return func(_ string, _ net.Addr, key ssh.PublicKey) error {
		for _, p := range pinned {
			if bytes.Equal(p.Marshal(), key.Marshal()) {
				return nil
			}
		}
		expected := make([]string, len(pinned))
		for i, p := range pinned {
			expected[i] = describeKey(p)
		}
		return fmt.Errorf("%w for %s: it presented %s, but the recorded key is %s. "+
			"Nothing was sent to it. If this host was reinstalled or its SSH keys replaced on purpose, record its new key "+
			"(its hostKey in kubeha:hosts, the kubeha:knownHostsFile, or for a key trusted on first use `npm run forget-host -- STACK HOST --rebuilt`); "+
			"otherwise another machine answers on this address",
			errHostKey, address, describeKey(key), strings.Join(expected, " or "))
	}
}
