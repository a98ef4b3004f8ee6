package main

// Helpers over Pulumi property maps: read plain values through secret and output wrappers.

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"google.golang.org/protobuf/types/known/structpb"
)

var marshalOpts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true, SkipNulls: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, marshalOpts)
}

func marshal(m resource.PropertyMap) (*structpb.Struct, error) {
	return plugin.MarshalProperties(m, marshalOpts)
}

// plain strips secret and output wrappers.
func plain(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput():
			o := v.OutputValue()
			if !o.Known {
				return resource.MakeComputed(resource.NewStringProperty(""))
			}
			v = o.Element
		default:
			return v
		}
	}
}

func str(m resource.PropertyMap, key string) string {
	v := plain(m[resource.PropertyKey(key)])
	if v.IsString() {
		return v.StringValue()
	}
	return ""
}

func num(m resource.PropertyMap, key string, dflt float64) float64 {
	v := plain(m[resource.PropertyKey(key)])
	if v.IsNumber() {
		return v.NumberValue()
	}
	return dflt
}

func boolean(m resource.PropertyMap, key string, dflt bool) bool {
	v := plain(m[resource.PropertyKey(key)])
	if v.IsBool() {
		return v.BoolValue()
	}
	return dflt
}

func object(m resource.PropertyMap, key string) resource.PropertyMap {
	v := plain(m[resource.PropertyKey(key)])
	if v.IsObject() {
		return v.ObjectValue()
	}
	return nil
}

func stringMap(m resource.PropertyMap, key string) map[string]string {
	out := map[string]string{}
	for k, v := range object(m, key) {
		if p := plain(v); p.IsString() {
			out[string(k)] = p.StringValue()
		}
	}
	return out
}

// anySecret reports whether any of the named properties is (or contains) a secret.
func anySecret(m resource.PropertyMap, keys ...string) bool {
	for _, k := range keys {
		if v, ok := m[resource.PropertyKey(k)]; ok && v.ContainsSecrets() {
			return true
		}
	}
	return false
}

// secretIf wraps v as a secret when cond holds.
func secretIf(cond bool, v resource.PropertyValue) resource.PropertyValue {
	if cond && !v.IsSecret() {
		return resource.MakeSecret(v)
	}
	return v
}

// withSecretCredentials marks the credential fields of a connection (and of its proxy) secret,
// so that state never holds them in plain text even when the program forgot to.
func withSecretCredentials(conn resource.PropertyValue) resource.PropertyValue {
	wrapped := conn.IsSecret()
	obj := plain(conn)
	if !obj.IsObject() {
		return conn
	}
	out := resource.PropertyMap{}
	for k, v := range obj.ObjectValue() {
		switch k {
		case "privateKey", "password", "privateKeyPassword":
			v = secretIf(true, v)
		case "proxy":
			v = withSecretCredentials(v)
		}
		out[k] = v
	}
	return secretIf(wrapped, resource.NewObjectProperty(out))
}
