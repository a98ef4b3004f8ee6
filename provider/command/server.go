package main

// The gRPC face of the plugin: check, diff, create, read, update and delete for the two
// resource types, with the engine's preview and secret conventions.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	commandType = "command:remote:Command"
	copyType    = "command:remote:CopyToRemote"
)

// outputKeys are computed by the provider; everything else in the state is an input.
var outputKeys = map[resource.PropertyKey]bool{"stdout": true, "stderr": true}

type server struct {
	pulumirpc.UnimplementedResourceProviderServer
	host    *provider.HostClient
	version string
}

func newServer(host *provider.HostClient, version string) *server {
	return &server{host: host, version: version}
}

func typeOf(urn string) (string, error) {
	t := string(resource.URN(urn).Type())
	if t != commandType && t != copyType {
		return "", fmt.Errorf("%s is not supported by this build of the command plugin (kubeha's: only %s and %s)", t, commandType, copyType)
	}
	return t, nil
}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: s.version}, nil
}

func (s *server) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":"command","version":%q}`, s.version)}, nil
}

func (s *server) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *server) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (s *server) GetMapping(context.Context, *pulumirpc.GetMappingRequest) (*pulumirpc.GetMappingResponse, error) {
	return &pulumirpc.GetMappingResponse{}, nil
}

func (s *server) GetMappings(context.Context, *pulumirpc.GetMappingsRequest) (*pulumirpc.GetMappingsResponse, error) {
	return &pulumirpc.GetMappingsResponse{}, nil
}

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	t, err := typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	fail := func(prop, reason string) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: prop, Reason: reason})
	}
	conn := plain(news["connection"])
	if conn.IsNull() {
		fail("connection", "connection is required")
	} else if conn.IsObject() {
		if h := plain(conn.ObjectValue()["host"]); h.IsNull() {
			fail("connection.host", "connection.host is required")
		}
	}
	if t == copyType {
		if plain(news["source"]).IsNull() {
			fail("source", "source is required")
		}
		if plain(news["remotePath"]).IsNull() {
			fail("remotePath", "remotePath is required")
		}
	}
	if l := str(news, "logging"); l != "" && l != "stdout" && l != "stderr" && l != "stdoutAndStderr" && l != "none" {
		fail("logging", "logging must be one of stdout, stderr, stdoutAndStderr, none")
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// inputsOf drops the provider-computed keys from a state.
func inputsOf(state resource.PropertyMap) resource.PropertyMap {
	in := resource.PropertyMap{}
	for k, v := range state {
		if !outputKeys[k] {
			in[k] = v
		}
	}
	return in
}

// changedKeys lists the top-level inputs whose values differ, secrets compared by their value.
func changedKeys(olds, news resource.PropertyMap) []string {
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	var changed []string
	for k := range keys {
		o, n := olds[k], news[k]
		if n.ContainsUnknowns() || !equalPlain(o, n) {
			changed = append(changed, string(k))
		}
	}
	sort.Strings(changed)
	return changed
}

func equalPlain(a, b resource.PropertyValue) bool {
	// Connection credentials are stored as secrets even when sent plain: compare values only.
	return stripSecrets(a).DeepEquals(stripSecrets(b))
}

func stripSecrets(v resource.PropertyValue) resource.PropertyValue {
	v = plain(v)
	switch {
	case v.IsObject():
		out := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			if s := stripSecrets(e); !s.IsNull() {
				out[k] = s
			}
		}
		return resource.NewObjectProperty(out)
	case v.IsArray():
		var out []resource.PropertyValue
		for _, e := range v.ArrayValue() {
			out = append(out, stripSecrets(e))
		}
		return resource.NewArrayProperty(out)
	}
	return v
}

func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if _, err := typeOf(req.GetUrn()); err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	if len(olds) == 0 {
		state, err := unmarshal(req.GetOlds())
		if err != nil {
			return nil, err
		}
		olds = inputsOf(state)
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	changed := changedKeys(olds, news)
	// How a host is reached (address, credentials, host keys, jump host) is not what a step does:
	// a change of it alone re-runs nothing. The engine still records the new inputs, and Delete
	// reads the connection from them.
	changed = without(changed, "connection")
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for _, k := range changed {
		kind := pulumirpc.PropertyDiff_UPDATE
		if _, had := olds[resource.PropertyKey(k)]; !had {
			kind = pulumirpc.PropertyDiff_ADD
		} else if _, has := news[resource.PropertyKey(k)]; !has {
			kind = pulumirpc.PropertyDiff_DELETE
		}
		detailed[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	// Changed triggers replace the resource: the SDK declares replaceOnChanges ["triggers[*]"].
	return &pulumirpc.DiffResponse{
		Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed,
		DetailedDiff: detailed, HasDetailedDiff: true,
	}, nil
}

func without(keys []string, drop string) []string {
	var out []string
	for _, k := range keys {
		if k != drop {
			out = append(out, k)
		}
	}
	return out
}

func newID(urn string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return resource.URN(urn).Name() + "-" + hex.EncodeToString(b)
}

// apply runs a create or update (nothing on preview) and returns the new state.
func (s *server) apply(ctx context.Context, rawURN string, phase commandPhase, inputs, prev resource.PropertyMap, preview bool) (*structpb.Struct, error) {
	t, err := typeOf(rawURN)
	if err != nil {
		return nil, err
	}
	urn := resource.URN(rawURN)
	var state resource.PropertyMap
	switch {
	case t == copyType:
		if !preview {
			if err := s.copyToRemote(ctx, urn, inputs); err != nil {
				return nil, err
			}
		}
		state = copyOutputs(inputs)
	case preview:
		unknown := resource.MakeComputed(resource.NewStringProperty(""))
		state = commandOutputs(inputs, unknown, unknown)
	default:
		stdout, stderr, err := s.runCommand(ctx, urn, phase, inputs, prev)
		if err != nil {
			return nil, err
		}
		state = commandOutputs(inputs, resource.NewStringProperty(stdout), resource.NewStringProperty(stderr))
	}
	return marshal(state)
}

func (s *server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	ctx, cancel := withStepTimeout(ctx, req.GetTimeout())
	defer cancel()
	props, err := s.apply(ctx, req.GetUrn(), phaseCreate, inputs, nil, req.GetPreview())
	if err != nil {
		return nil, err
	}
	id := ""
	if !req.GetPreview() {
		id = newID(req.GetUrn())
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (s *server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	inputs, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	prev, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	ctx, cancel := withStepTimeout(ctx, req.GetTimeout())
	defer cancel()
	props, err := s.apply(ctx, req.GetUrn(), phaseUpdate, inputs, prev, req.GetPreview())
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (s *server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	t, err := typeOf(req.GetUrn())
	if err != nil {
		return nil, err
	}
	if t == copyType {
		return &emptypb.Empty{}, nil // copied files stay, as with the official plugin
	}
	state, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	// The recorded inputs hold the newest connection (a connection-only change updates them, not the outputs).
	if oldInputs, err := unmarshal(req.GetOldInputs()); err == nil && !plain(oldInputs["connection"]).IsNull() {
		state["connection"] = oldInputs["connection"]
	}
	ctx, cancel := withStepTimeout(ctx, req.GetTimeout())
	defer cancel()
	if _, _, err := s.runCommand(ctx, resource.URN(req.GetUrn()), phaseDelete, state, state); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// Read (refresh, import) keeps the recorded state: a command's effect cannot be read back.
func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if _, err := typeOf(req.GetUrn()); err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func copyOutputs(inputs resource.PropertyMap) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range inputs {
		if k == "connection" {
			v = withSecretCredentials(v)
		}
		out[k] = v
	}
	return out
}
