package main

// SSH connections as @pulumi/command's remote.ConnectionArgs describe them: a key, a password or
// an agent; an optional pinned host key; an optional jump host; dial retries for hosts that are
// still booting.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
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
	hostKeyCallback := ssh.InsecureIgnoreHostKey()
	if e.hostKey != "" {
		key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(e.hostKey))
		if err != nil {
			return nil, fmt.Errorf("connection.hostKey of %s is not an OpenSSH public key (\"ssh-ed25519 AAAA...\"): %w", e.host, err)
		}
		hostKeyCallback = ssh.FixedHostKey(key)
	}
	return &ssh.ClientConfig{User: e.user, Auth: auth, HostKeyCallback: hostKeyCallback, Timeout: e.perDialTimeout}, nil
}

// permanent errors are not worth retrying: the next attempt fails the same way.
func permanent(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "unable to authenticate") || strings.Contains(msg, "host key mismatch") ||
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
		if permanent(err) {
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
	return ssh.Dial("tcp", e.address(), cfg)
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
	var conn net.Conn
	select {
	case r := <-done:
		if r.err != nil {
			return nil, r.err
		}
		conn = r.conn
	case <-time.After(e.perDialTimeout):
		return nil, fmt.Errorf("dial timed out after %s", e.perDialTimeout)
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, e.address(), cfg)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return ssh.NewClient(c, chans, reqs), nil
}

// client is an SSH client plus the jump host's, both closed together.
type client struct {
	*ssh.Client
	jump *ssh.Client
}

func (c *client) Close() {
	c.Client.Close()
	if c.jump != nil {
		c.jump.Close()
	}
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
		return &client{Client: ssh}, nil
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
	return &client{Client: target, jump: jump}, nil
}
