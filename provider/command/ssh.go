package main

// SSH connections as @pulumi/command's remote.ConnectionArgs describe them: a key, a password or
// an agent; pinned host keys (hostkey.go); an optional jump host; dial retries for hosts that are
// still booting. Every wait is bounded: perDialTimeout covers the TCP connect and the SSH
// handshake (also through the jump host), and keepalives close a connection whose host stops
// answering, so a host that freezes mid-step fails the step instead of stalling it.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

type endpoint struct {
	host, user, hostKey           string
	port                          int
	privateKey, keyPassword, pass string
	agentSocket                   string
	dialErrorLimit                int
	perDialTimeout                time.Duration
}

type connection struct {
	target endpoint
	proxy  *endpoint
}

func parseEndpoint(m resource.PropertyMap) (endpoint, error) {
	e := endpoint{
		host:           str(m, "host"),
		user:           str(m, "user"),
		hostKey:        strings.TrimSpace(str(m, "hostKey")),
		port:           int(num(m, "port", 22)),
		privateKey:     str(m, "privateKey"),
		keyPassword:    str(m, "privateKeyPassword"),
		pass:           str(m, "password"),
		agentSocket:    str(m, "agentSocketPath"),
		dialErrorLimit: int(num(m, "dialErrorLimit", 10)),
		perDialTimeout: time.Duration(num(m, "perDialTimeout", 15)) * time.Second,
	}
	if e.host == "" {
		return e, errors.New("connection.host is required")
	}
	if e.user == "" {
		e.user = "root"
	}
	if e.agentSocket == "" {
		e.agentSocket = os.Getenv("SSH_AUTH_SOCK")
	}
	return e, nil
}

func parseConnection(inputs resource.PropertyMap) (connection, error) {
	c := connection{}
	conn := object(inputs, "connection")
	if conn == nil {
		return c, errors.New("connection is required")
	}
	var err error
	if c.target, err = parseEndpoint(conn); err != nil {
		return c, err
	}
	if p := object(conn, "proxy"); p != nil {
		proxy, err := parseEndpoint(p)
		if err != nil {
			return c, fmt.Errorf("proxy: %w", err)
		}
		c.proxy = &proxy
	}
	return c, nil
}

func (e endpoint) address() string { return net.JoinHostPort(e.host, strconv.Itoa(e.port)) }

func (e endpoint) clientConfig() (*ssh.ClientConfig, error) {
	var auth []ssh.AuthMethod
	if e.privateKey != "" {
		var signer ssh.Signer
		var err error
		if e.keyPassword != "" {
			signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(e.privateKey), []byte(e.keyPassword))
		} else {
			signer, err = ssh.ParsePrivateKey([]byte(e.privateKey))
		}
		if err != nil {
			return nil, fmt.Errorf("connection.privateKey of %s: %w", e.host, err)
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if e.pass != "" {
		auth = append(auth, ssh.Password(e.pass), ssh.KeyboardInteractive(
			func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = e.pass
				}
				return answers, nil
			}))
	}
	if e.agentSocket != "" && e.privateKey == "" && e.pass == "" {
		if sock, err := net.Dial("unix", e.agentSocket); err == nil {
			auth = append(auth, ssh.PublicKeysCallback(agent.NewClient(sock).Signers))
		}
	}
	if len(auth) == 0 {
		return nil, fmt.Errorf("no way to authenticate to %s: set connection.privateKey, password or an SSH agent", e.host)
	}
	cfg := &ssh.ClientConfig{User: e.user, Auth: auth, HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: e.perDialTimeout}
	pinned, err := parseHostKeys(e.host, e.hostKey)
	if err != nil {
		return nil, err
	}
	if len(pinned) > 0 {
		cfg.HostKeyCallback = verifyHostKey(e.address(), pinned)
		cfg.HostKeyAlgorithms = hostKeyAlgorithms(pinned)
	}
	return cfg, nil
}

// permanent errors are not worth retrying: the next attempt fails the same way.
func permanent(err error) bool {
	msg := err.Error()
	return errors.Is(err, errHostKey) || strings.Contains(msg, "unable to authenticate") ||
		strings.Contains(msg, "ssh: no key found")
}

// withRetries runs dial until it succeeds, fails permanently, or dialErrorLimit attempts failed
// (a limit below 1 retries without end).
func withRetries(ctx context.Context, e endpoint, what string, dial func() (*ssh.Client, error)) (*ssh.Client, error) {
	var last error
	for attempt := 1; e.dialErrorLimit < 1 || attempt <= e.dialErrorLimit; attempt++ {
		client, err := dial()
		if err == nil {
			return client, nil
		}
		last = err
		if permanent(err) || attempt == e.dialErrorLimit {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
	return nil, fmt.Errorf("%s %s@%s: %w", what, e.user, e.address(), last)
}

func dialDirect(e endpoint, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	conn, err := net.DialTimeout("tcp", e.address(), e.perDialTimeout)
	if err != nil {
		return nil, err
	}
	return handshake(conn, e, cfg)
}

// dialThrough opens the target's TCP connection from the jump host's SSH client.
func dialThrough(jump *ssh.Client, e endpoint, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	type result struct {
		conn net.Conn
		err  error
	}
	done := make(chan result, 1)
	go func() {
		conn, err := jump.Dial("tcp", e.address())
		done <- result{conn, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		return handshake(r.conn, e, cfg)
	case <-time.After(e.perDialTimeout):
		return nil, fmt.Errorf("dial timed out after %s", e.perDialTimeout)
	}
}

// handshake runs the SSH handshake on conn within perDialTimeout: a host that accepts the TCP
// connection and then says nothing (frozen, overloaded) fails the attempt instead of hanging it.
// Closing the connection is the one deadline that also works on a channel through a jump host.
func handshake(conn net.Conn, e endpoint, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	timer := time.AfterFunc(e.perDialTimeout, func() { conn.Close() })
	c, chans, reqs, err := ssh.NewClientConn(conn, e.address(), cfg)
	if !timer.Stop() {
		if err == nil {
			c.Close()
		}
		return nil, fmt.Errorf("SSH handshake timed out after %s", e.perDialTimeout)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return ssh.NewClient(c, chans, reqs), nil
}

// Keepalives: a request every keepaliveInterval; no answer within keepaliveTimeout closes the
// connection, which ends the running command with an error. Variables so that tests can shorten them.
var (
	keepaliveInterval = 5 * time.Second
	keepaliveTimeout  = 15 * time.Second
)

// keepAlive watches one SSH connection until it closes; lost reports why it was closed, if it was.
func keepAlive(c *ssh.Client, what string, lost func(string)) {
	go func() {
		ticker := time.NewTicker(keepaliveInterval)
		defer ticker.Stop()
		closed := make(chan struct{})
		go func() { _ = c.Wait(); close(closed) }()
		for {
			select {
			case <-closed:
				return
			case <-ticker.C:
			}
			answered := make(chan struct{})
			go func() {
				_, _, _ = c.SendRequest("keepalive@openssh.com", true, nil)
				close(answered)
			}()
			select {
			case <-answered:
			case <-closed:
				return
			case <-time.After(keepaliveTimeout):
				lost(fmt.Sprintf("%s did not answer SSH keepalives for %s (frozen, cut off or rebooting)", what, keepaliveTimeout))
				c.Close()
				return
			}
		}
	}()
}

// client is an SSH client plus the jump host's, both closed together.
type client struct {
	*ssh.Client
	jump *ssh.Client
	mu   sync.Mutex
	why  string
}

func (c *client) Close() {
	c.Client.Close()
	if c.jump != nil {
		c.jump.Close()
	}
}

func (c *client) lost(why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.why == "" {
		c.why = why
	}
	c.Client.Close()
}

// lostReason says why the connection was closed under a running step, or "".
func (c *client) lostReason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.why
}

// closeWhenDone closes the connection when ctx ends (a step's timeout, a cancelled update), which
// also ends SFTP transfers that do not watch ctx. The returned function stops watching.
func (c *client) closeWhenDone(ctx context.Context) func() {
	stop := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			c.lost(stepEnded(ctx))
		case <-stop:
		}
	}()
	return func() { close(stop) }
}

func (c connection) dial(ctx context.Context) (*client, error) {
	cfg, err := c.target.clientConfig()
	if err != nil {
		return nil, err
	}
	if c.proxy == nil {
		ssh, err := withRetries(ctx, c.target, "connecting to", func() (*ssh.Client, error) { return dialDirect(c.target, cfg) })
		if err != nil {
			return nil, err
		}
		cl := &client{Client: ssh}
		keepAlive(ssh, c.target.host, cl.lost)
		return cl, nil
	}
	proxyCfg, err := c.proxy.clientConfig()
	if err != nil {
		return nil, err
	}
	jump, err := withRetries(ctx, *c.proxy, "connecting to the proxy", func() (*ssh.Client, error) { return dialDirect(*c.proxy, proxyCfg) })
	if err != nil {
		return nil, err
	}
	target, err := withRetries(ctx, c.target, "connecting through the proxy to", func() (*ssh.Client, error) { return dialThrough(jump, c.target, cfg) })
	if err != nil {
		jump.Close()
		return nil, err
	}
	cl := &client{Client: target, jump: jump}
	keepAlive(target, c.target.host, cl.lost)
	keepAlive(jump, "the proxy "+c.proxy.host, cl.lost)
	return cl, nil
}
