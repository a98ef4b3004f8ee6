package main

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func runOn(t *testing.T, e endpoint, command string, ctx context.Context) (string, error) {
	t.Helper()
	r := run{conn: connection{target: e}, command: command, env: map[string]string{}, logging: "none", log: func(string, string) {}}
	out, _, err := r.exec(ctx)
	return out, err
}

func TestPinnedEd25519KeyOnAHostThatAlsoHasEcdsaAndRsa(t *testing.T) {
	ed, ec, rs := signer(t, "ed25519"), signer(t, "ecdsa"), signer(t, "rsa")
	addr := testServer(t, rs, ec, ed)
	out, err := runOn(t, testEndpoint(t, addr, authorized(ed)), "echo pinned", context.Background())
	if err != nil || out != "pinned" {
		t.Fatalf("expected the pinned ed25519 key to be negotiated, got %q, %v", out, err)
	}
}

func TestAnyOfSeveralPinnedKeys(t *testing.T) {
	ed, rs := signer(t, "ed25519"), signer(t, "rsa")
	addr := testServer(t, rs)
	out, err := runOn(t, testEndpoint(t, addr, authorized(ed)+"\n"+authorized(rs)+" root@host\n"), "echo rsa", context.Background())
	if err != nil || out != "rsa" {
		t.Fatalf("expected the pinned RSA key (rsa-sha2) to be accepted, got %q, %v", out, err)
	}
}

func TestAnotherSshdOnTheAddressIsRefusedAtOnceNamingBothKeys(t *testing.T) {
	pinned, other := signer(t, "ed25519"), signer(t, "ed25519")
	addr := testServer(t, other)
	start := time.Now()
	_, err := runOn(t, testEndpoint(t, addr, authorized(pinned)), "echo never", context.Background())
	if err == nil || !errors.Is(err, errHostKey) {
		t.Fatalf("expected a host key verification failure, got %v", err)
	}
	for _, want := range []string{ssh256(pinned), ssh256(other), addr, "Nothing was sent"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error should name %q: %v", want, err)
		}
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("a mismatch must not be retried (took %s)", elapsed)
	}
}

func TestChangedHostKeyOfTheSameTypeIsRefused(t *testing.T) {
	before, after := signer(t, "ecdsa"), signer(t, "ecdsa")
	addr := testServer(t, after)
	if _, err := runOn(t, testEndpoint(t, addr, authorized(before)), "echo never", context.Background()); !errors.Is(err, errHostKey) {
		t.Fatalf("expected a host key verification failure, got %v", err)
	}
}

func TestMalformedPinnedKeyNamesTheHost(t *testing.T) {
	e := testEndpoint(t, "127.0.0.1:22", "ssh-ed25519 not-base64")
	if _, err := e.clientConfig(); err == nil || !strings.Contains(err.Error(), "connection.hostKey of 127.0.0.1") {
		t.Fatalf("expected a clear error, got %v", err)
	}
}

func TestSilentServerFailsTheHandshakeInBoundedTime(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept() // accepts, then never speaks
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	e := testEndpoint(t, ln.Addr().String(), "")
	e.perDialTimeout, e.dialErrorLimit = 300*time.Millisecond, 1
	start := time.Now()
	_, err = runOn(t, e, "echo never", context.Background())
	if err == nil || !strings.Contains(err.Error(), "handshake timed out") {
		t.Fatalf("expected a handshake timeout, got %v", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("the handshake should fail after about 300ms, took %s", elapsed)
	}
}

func TestHostThatFreezesMidStepFailsWithinTheKeepaliveBound(t *testing.T) {
	defer func(i, d time.Duration) { keepaliveInterval, keepaliveTimeout = i, d }(keepaliveInterval, keepaliveTimeout)
	keepaliveInterval, keepaliveTimeout = 100*time.Millisecond, 300*time.Millisecond
	r := newRelay(t, testServer(t, signer(t, "ed25519")))
	defer r.unfreeze()
	go func() { time.Sleep(300 * time.Millisecond); r.freeze() }()
	start := time.Now()
	_, err := runOn(t, testEndpoint(t, r.addr, ""), "hang", context.Background())
	if err == nil || !strings.Contains(err.Error(), "did not answer SSH keepalives") {
		t.Fatalf("expected the frozen host to fail the step, got %v", err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("expected failure within about 0.7 s of the start, took %s", elapsed)
	}
}

func TestStepTimeoutEndsAHangingCommand(t *testing.T) {
	addr := testServer(t, signer(t, "ed25519"))
	ctx, cancel := withStepTimeout(context.Background(), 0.4)
	defer cancel()
	start := time.Now()
	_, err := runOn(t, testEndpoint(t, addr, ""), "hang", ctx)
	if err == nil || !strings.Contains(err.Error(), "did not finish within its timeout of 400ms") {
		t.Fatalf("expected the step timeout, got %v", err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("expected failure after about 400ms, took %s", elapsed)
	}
}

func TestDeleteUsesTheNewestConnectionFromTheRecordedInputs(t *testing.T) {
	// After a connection-only change the outputs keep the old connection; the inputs hold the new one.
	live := testEndpoint(t, testServer(t, signer(t, "ed25519")), "")
	conn := func(port int) resource.PropertyValue {
		return resource.NewObjectProperty(resource.PropertyMap{
			"host": resource.NewStringProperty("127.0.0.1"), "port": resource.NewNumberProperty(float64(port)),
			"privateKey": resource.NewStringProperty(live.privateKey), "dialErrorLimit": resource.NewNumberProperty(1),
			"perDialTimeout": resource.NewNumberProperty(1),
		})
	}
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadPort := dead.Addr().(*net.TCPAddr).Port
	dead.Close()
	step := func(c resource.PropertyValue) resource.PropertyMap {
		// logging none: this test's server has no engine to log to.
		return resource.PropertyMap{"create": resource.NewStringProperty("echo hi"), "delete": resource.NewStringProperty("echo bye"), "logging": resource.NewStringProperty("none"), "connection": c}
	}
	state, newest := step(conn(deadPort)), step(conn(live.port))
	s := newServer(nil, "1.2.1")
	req := &pulumirpc.DeleteRequest{Urn: urn, Properties: props(t, state), OldInputs: props(t, newest)}
	if _, err := s.Delete(context.Background(), req); err != nil {
		t.Fatalf("delete over the newest connection failed: %v", err)
	}
	req.OldInputs = nil
	if _, err := s.Delete(context.Background(), req); err == nil {
		t.Fatal("without recorded inputs the delete should use the outputs' (dead) connection and fail")
	}
}

func TestCommandThatExitsWithoutReadingItsStdinSucceeds(t *testing.T) {
	// A delete command runs beside the step's script on stdin and need not read it. The test
	// server's "exit-unread" exits 0 and closes the channel without reading; 4 MB is more than
	// the channel's window, so writing it outlives the command.
	addr := testServer(t, signer(t, "ed25519"))
	script := strings.Repeat("# a step's script that the command never reads\n", 4<<20/48)
	for i := 0; i < 2; i++ {
		r := run{conn: connection{target: testEndpoint(t, addr, "")}, command: "exit-unread", stdin: &script, env: map[string]string{}, logging: "none", log: func(string, string) {}}
		if _, _, err := r.exec(context.Background()); err != nil {
			t.Fatalf("run %d: expected exit status 0 to be the result, got %v", i, err)
		}
	}
}
