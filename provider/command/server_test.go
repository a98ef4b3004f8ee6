package main

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

const urn = "urn:pulumi:lab::kubeha::kubeha:index:EtcdCluster$command:remote:Command::kubeha-etcd-m1-start"

func props(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func inputs(create string, key resource.PropertyValue) resource.PropertyMap {
	return resource.PropertyMap{
		"create":     resource.NewStringProperty(create),
		"connection": resource.NewObjectProperty(resource.PropertyMap{"host": resource.NewStringProperty("10.77.0.11"), "privateKey": key}),
	}
}

func diff(t *testing.T, olds, news resource.PropertyMap) *pulumirpc.DiffResponse {
	t.Helper()
	s := newServer(nil, "1.2.1")
	state := commandOutputs(olds, resource.NewStringProperty("out"), resource.NewStringProperty(""))
	resp, err := s.Diff(context.Background(), &pulumirpc.DiffRequest{Urn: urn, Olds: props(t, state), News: props(t, news)})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestNoChangeWhenOnlySecretnessDiffers(t *testing.T) {
	// The state keeps credentials secret even when the program sent them plain.
	resp := diff(t, inputs("true", resource.NewStringProperty("k")), inputs("true", resource.NewStringProperty("k")))
	if resp.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("expected no change, got %v %v", resp.Changes, resp.Diffs)
	}
}

func TestChangedCommandIsAnUpdateOfThatKey(t *testing.T) {
	resp := diff(t, inputs("true", resource.NewStringProperty("k")), inputs("false", resource.NewStringProperty("k")))
	if resp.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(resp.Diffs) != 1 || resp.Diffs[0] != "create" {
		t.Fatalf("expected an update of create, got %v %v", resp.Changes, resp.Diffs)
	}
	if resp.DetailedDiff["create"].Kind != pulumirpc.PropertyDiff_UPDATE || len(resp.Replaces) != 0 {
		t.Fatalf("expected an in-place update, got %v replaces %v", resp.DetailedDiff, resp.Replaces)
	}
}

func TestUnknownInputIsAChange(t *testing.T) {
	news := inputs("true", resource.NewStringProperty("k"))
	news["stdin"] = resource.MakeComputed(resource.NewStringProperty(""))
	resp := diff(t, inputs("true", resource.NewStringProperty("k")), news)
	if resp.Changes != pulumirpc.DiffResponse_DIFF_SOME || resp.DetailedDiff["stdin"].Kind != pulumirpc.PropertyDiff_ADD {
		t.Fatalf("expected stdin added, got %v %v", resp.Changes, resp.DetailedDiff)
	}
}

func TestOutputsKeepCredentialsAndSecretCommandsSecret(t *testing.T) {
	in := inputs("cat > /etc/x", resource.NewStringProperty("k"))
	in["stdin"] = resource.MakeSecret(resource.NewStringProperty("secret content"))
	out := commandOutputs(in, resource.NewStringProperty("o"), resource.NewStringProperty("e"))
	key := plain(out["connection"]).ObjectValue()["privateKey"]
	if !key.IsSecret() || !out["stdout"].IsSecret() || !out["stderr"].IsSecret() || !out["stdin"].IsSecret() {
		t.Fatalf("expected secret key, stdin, stdout and stderr: %v", out)
	}
	plainOut := commandOutputs(inputs("true", resource.NewStringProperty("k")), resource.NewStringProperty("o"), resource.NewStringProperty(""))
	if plainOut["stdout"].IsSecret() {
		t.Fatal("stdout of a plain command must stay readable")
	}
}

func TestOtherResourceTypesAreRefused(t *testing.T) {
	s := newServer(nil, "1.2.1")
	_, err := s.Check(context.Background(), &pulumirpc.CheckRequest{Urn: "urn:pulumi:lab::kubeha::command:local:Command::x"})
	if err == nil {
		t.Fatal("expected command:local:Command to be refused")
	}
}

func TestPreviewCreateConnectsNowhere(t *testing.T) {
	s := newServer(nil, "1.2.1")
	// Nothing listens on loopback port 1: a dial would fail the create. Preview must not dial.
	in := inputs("true", resource.NewStringProperty("k"))
	in["connection"] = resource.NewObjectProperty(resource.PropertyMap{
		"host": resource.NewStringProperty("127.0.0.1"), "port": resource.NewNumberProperty(1),
		"privateKey": resource.NewStringProperty("k"), "dialErrorLimit": resource.NewNumberProperty(1),
	})
	resp, err := s.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn, Properties: props(t, in), Preview: true})
	if err != nil {
		t.Fatal(err)
	}
	out, err := unmarshal(resp.Properties)
	if err != nil {
		t.Fatal(err)
	}
	if !out["stdout"].IsComputed() || resp.Id != "" {
		t.Fatalf("expected unknown stdout and no id on preview: %v %q", out["stdout"], resp.Id)
	}
}

func TestConnectionOnlyChangeRunsNothing(t *testing.T) {
	// A pinned host key, a rotated SSH key or a new jump host changes how a host is reached, not what the step does.
	olds := inputs("true", resource.NewStringProperty("k"))
	news := inputs("true", resource.NewStringProperty("k2"))
	news["connection"].ObjectValue()["hostKey"] = resource.NewStringProperty("ssh-ed25519 AAAA")
	if resp := diff(t, olds, news); resp.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Fatalf("expected no change, got %v %v", resp.Changes, resp.Diffs)
	}
	news["create"] = resource.NewStringProperty("false")
	if resp := diff(t, olds, news); resp.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(resp.Diffs) != 1 || resp.Diffs[0] != "create" {
		t.Fatalf("expected an update of create only, got %v %v", resp.Changes, resp.Diffs)
	}
}
