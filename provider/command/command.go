package main

// command:remote:Command: create/update/delete shell commands run over SSH, their stdout and
// stderr kept as outputs.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"golang.org/x/crypto/ssh"
)

// logger receives each output line of a running command.
type logger func(stream, line string)

type run struct {
	conn    connection
	command string
	stdin   *string
	env     map[string]string
	logging string // stdout | stderr | stdoutAndStderr | none
	log     logger
}

// lineWriter captures a stream and forwards complete lines to the logger.
type lineWriter struct {
	mu     *sync.Mutex
	buf    bytes.Buffer
	line   bytes.Buffer
	stream string
	log    logger
	show   bool
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.show {
		return len(p), nil
	}
	w.line.Write(p)
	for {
		i := bytes.IndexByte(w.line.Bytes(), '\n')
		if i < 0 {
			break
		}
		w.log(w.stream, strings.TrimRight(string(w.line.Next(i+1)), "\r\n"))
	}
	return len(p), nil
}

func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.show && w.line.Len() > 0 {
		w.log(w.stream, w.line.String())
		w.line.Reset()
	}
}

func (r run) shows(stream string) bool {
	switch r.logging {
	case "none":
		return false
	case "stdout", "stderr":
		return r.logging == stream
	default:
		return true
	}
}

// exec runs the command and returns its stdout and stderr without the final newline.
func (r run) exec(ctx context.Context) (string, string, error) {
	c, err := r.conn.dial(ctx)
	if err != nil {
		return "", "", err
	}
	defer c.Close()
	stop := c.closeWhenDone(ctx)
	defer stop()
	session, err := c.NewSession()
	if err != nil {
		return "", "", fmt.Errorf("opening an SSH session on %s: %w", r.conn.target.host, err)
	}
	defer session.Close()
	for k, v := range r.env {
		// Needs AcceptEnv on the server, as with the official plugin; a refusal is not an error.
		_ = session.Setenv(k, v)
	}
	mu := &sync.Mutex{}
	stdout := &lineWriter{mu: mu, stream: "stdout", log: r.log, show: r.shows("stdout")}
	stderr := &lineWriter{mu: mu, stream: "stderr", log: r.log, show: r.shows("stderr")}
	session.Stdout, session.Stderr = stdout, stderr
	// stdin through a pipe of our own, not session.Stdin: x/crypto/ssh reports an error from
	// copying Stdin as the session's result, so a command that exits 0 without reading its input
	// (a delete command beside a step's script: the remote closes the channel while the script is
	// still being written) would fail with "EOF". What the command does with its input is its
	// business; its exit status is the result.
	in, err := session.StdinPipe()
	if err != nil {
		return "", "", fmt.Errorf("opening stdin of an SSH session on %s: %w", r.conn.target.host, err)
	}
	done := make(chan error, 1)
	go func() {
		if err := session.Start(r.command); err != nil {
			done <- err
			return
		}
		go func() {
			if r.stdin != nil {
				_, _ = io.Copy(in, strings.NewReader(*r.stdin))
			}
			_ = in.Close()
		}()
		done <- session.Wait()
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		_ = session.Signal(ssh.SIGTERM)
		c.lost(stepEnded(ctx))
		err = ctx.Err()
	}
	stdout.flush()
	stderr.flush()
	outText := strings.TrimSuffix(stdout.buf.String(), "\n")
	errText := strings.TrimSuffix(stderr.buf.String(), "\n")
	if err != nil {
		var exit *ssh.ExitError
		detail := ""
		if r.logging != "none" {
			detail = tail(errText, 20)
			if detail == "" {
				detail = tail(outText, 20)
			}
			if detail != "" {
				detail = ":\n" + detail
			}
		}
		if why := c.lostReason(); why != "" {
			return outText, errText, fmt.Errorf("command on %s failed: %s%s", r.conn.target.host, why, detail)
		}
		if errors.As(err, &exit) {
			return outText, errText, fmt.Errorf("command on %s exited with status %d%s", r.conn.target.host, exit.ExitStatus(), detail)
		}
		return outText, errText, fmt.Errorf("command on %s failed: %w%s", r.conn.target.host, err, detail)
	}
	return outText, errText, nil
}

// tail keeps the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// commandOutputs is the state of a Command: its inputs, credentials secret, plus stdout and stderr.
func commandOutputs(inputs resource.PropertyMap, stdout, stderr resource.PropertyValue) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range inputs {
		if k == "connection" {
			v = withSecretCredentials(v)
		}
		out[k] = v
	}
	secret := anySecret(inputs, "create", "update", "stdin", "environment")
	out["stdout"] = secretIf(secret, stdout)
	out["stderr"] = secretIf(secret, stderr)
	return out
}

type commandPhase string

const (
	phaseCreate commandPhase = "create"
	phaseUpdate commandPhase = "update"
	phaseDelete commandPhase = "delete"
)

// runCommand runs the phase's command of a Command resource. prev is the previous state (nil on create).
func (s *server) runCommand(ctx context.Context, urn resource.URN, phase commandPhase, inputs, prev resource.PropertyMap) (string, string, error) {
	text := str(inputs, string(phase))
	if phase == phaseUpdate && text == "" {
		text = str(inputs, "create")
	}
	if text == "" {
		if phase == phaseDelete {
			return "", "", nil
		}
		// Nothing to run: the outputs stay what they were.
		return str(prev, "stdout"), str(prev, "stderr"), nil
	}
	conn, err := parseConnection(inputs)
	if err != nil {
		return "", "", err
	}
	env := stringMap(inputs, "environment")
	if prev != nil && boolean(inputs, "addPreviousOutputInEnv", true) {
		env["PULUMI_COMMAND_STDOUT"] = str(prev, "stdout")
		env["PULUMI_COMMAND_STDERR"] = str(prev, "stderr")
	}
	var stdin *string
	if v := plain(inputs["stdin"]); v.IsString() {
		in := v.StringValue()
		stdin = &in
	}
	logging := str(inputs, "logging")
	if anySecret(inputs, "create", "update", "delete", "stdin", "environment") && logging == "" {
		logging = "none" // never stream the output of a command built from secrets unless asked to
	}
	r := run{conn: conn, command: text, stdin: stdin, env: env, logging: logging,
		log: func(stream, line string) {
			_ = s.host.LogStatus(ctx, diag.Info, urn, line)
		}}
	return r.exec(ctx)
}
