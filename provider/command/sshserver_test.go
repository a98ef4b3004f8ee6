package main

// A small in-process SSH server for the connection tests: host keys of chosen types, "exec" of
// three commands ("echo TEXT", "exit-unread", "hang"), and a TCP relay in front of it that can freeze like a host.

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

func signer(t *testing.T, kind string) ssh.Signer {
	t.Helper()
	var key interface{}
	var err error
	switch kind {
	case "ed25519":
		_, key, err = ed25519.GenerateKey(rand.Reader)
	case "ecdsa":
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "rsa":
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func authorized(s ssh.Signer) string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey())))
}

// testServer listens on loopback with the given host keys and accepts any client key.
func testServer(t *testing.T, hostKeys ...ssh.Signer) string {
	t.Helper()
	cfg := &ssh.ServerConfig{PublicKeyCallback: func(ssh.ConnMetadata, ssh.PublicKey) (*ssh.Permissions, error) { return nil, nil }}
	for _, k := range hostKeys {
		cfg.AddHostKey(k)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serveConn(conn, cfg)
		}
	}()
	return ln.Addr().String()
}

func serveConn(conn net.Conn, cfg *ssh.ServerConfig) {
	_, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		conn.Close()
		return
	}
	go ssh.DiscardRequests(reqs) // keepalives get an answer (false), which is all a client needs
	for ch := range chans {
		if ch.ChannelType() != "session" {
			_ = ch.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		channel, requests, err := ch.Accept()
		if err != nil {
			continue
		}
		go serveSession(channel, requests)
	}
}

func serveSession(channel ssh.Channel, requests <-chan *ssh.Request) {
	for req := range requests {
		if req.Type != "exec" {
			_ = req.Reply(req.Type == "env", nil)
			continue
		}
		var payload struct{ Command string }
		_ = ssh.Unmarshal(req.Payload, &payload)
		_ = req.Reply(true, nil)
		switch {
		case strings.HasPrefix(payload.Command, "echo "):
			_, _ = io.WriteString(channel, strings.TrimPrefix(payload.Command, "echo ")+"\n")
			_, _ = channel.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
			channel.Close()
		case payload.Command == "exit-unread":
			// Exits 0 a moment later without reading its stdin, as a delete command beside a step's script does.
			time.Sleep(100 * time.Millisecond)
			_, _ = channel.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{0}))
			channel.Close()
		case payload.Command == "hang":
			// Runs until the client goes away.
		}
	}
}

// relay forwards TCP to target until frozen: then it holds every byte, as a frozen host does.
type relay struct {
	addr   string
	mu     sync.Mutex
	frozen bool
	thaw   *sync.Cond
}

func newRelay(t *testing.T, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	r := &relay{addr: ln.Addr().String()}
	r.thaw = sync.NewCond(&r.mu)
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			go r.pipe(in, out)
			go r.pipe(out, in)
		}
	}()
	return r
}

func (r *relay) pipe(from, to net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		n, err := from.Read(buf)
		r.mu.Lock()
		for r.frozen {
			r.thaw.Wait()
		}
		r.mu.Unlock()
		if n > 0 {
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			to.Close()
			return
		}
	}
}

func (r *relay) freeze() {
	r.mu.Lock()
	r.frozen = true
	r.mu.Unlock()
}

func (r *relay) unfreeze() {
	r.mu.Lock()
	r.frozen = false
	r.thaw.Broadcast()
	r.mu.Unlock()
}

// testEndpoint connects to addr with a fresh client key, pinning hostKey ("" accepts any).
func testEndpoint(t *testing.T, addr, hostKey string) endpoint {
	t.Helper()
	host, portText, _ := net.SplitHostPort(addr)
	port, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	pemBlock, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return endpoint{host: host, port: port, user: "root", hostKey: hostKey, privateKey: string(pem.EncodeToMemory(pemBlock)),
		dialErrorLimit: 3, perDialTimeout: 2 * time.Second}
}

func ssh256(s ssh.Signer) string { return ssh.FingerprintSHA256(s.PublicKey()) }
