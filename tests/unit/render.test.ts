import { renderString, renderTemplate, TemplateError } from "../../components/host/render";
import { putFileCommand, runScriptCommand, withInputHashes } from "../../components/host/remote";

describe("renderString", () => {
  test("does not HTML-escape", () => {
    expect(renderString("a={{a}}", { a: `<"x" & 'y'>` })).toBe(`a=<"x" & 'y'>`);
  });

  test("refuses a missing key instead of rendering it empty", () => {
    expect(() => renderString("port {{port}}", {}, "nginx")).toThrow(new TemplateError("nginx: the view has no value for {{port}}"));
  });

  test("refuses a missing key inside a list section", () => {
    expect(() => renderString("{{#items}}{{name}} {{ip}}\n{{/items}}", { items: [{ name: "a", ip: "1" }, { name: "b" }] })).toThrow(/no value for \{\{ip\}\}/);
  });

  test("renders lists, nested objects and false sections", () => {
    expect(renderString("{{#xs}}- {{.}}\n{{/xs}}{{#o}}{{v}}{{/o}}{{#no}}hidden{{/no}}", { xs: [1, 2], o: { v: "ok" }, no: false })).toBe("- 1\n- 2\nok");
  });

  test("refuses to print an object as text", () => {
    expect(() => renderString("{{o}}", { o: { a: 1 } })).toThrow(/render it with a section/);
  });

  test("renderTemplate reads templates/", () => {
    expect(renderTemplate("endpoint/kubeha-auth.conf", { authPassword: "p4ssw0rd" })).toBe("auth_pass p4ssw0rd\n");
  });
});

describe("remote command strings", () => {
  test("putFile replaces the file atomically with umask 077 until chmod", () => {
    expect(putFileCommand("/etc/etcd/pki/server.key", "0600", "")).toBe(
      "sh -c 'umask 077 && mkdir -p \"$(dirname /etc/etcd/pki/server.key)\" && cat > /etc/etcd/pki/server.key.kubeha-tmp && chmod 0600 /etc/etcd/pki/server.key.kubeha-tmp && mv -f /etc/etcd/pki/server.key.kubeha-tmp /etc/etcd/pki/server.key'",
    );
  });

  test("putFile refuses a path that needs quoting", () => {
    expect(() => putFileCommand("/etc/a b", "0644", "")).toThrow(/unsafe remote path/);
    expect(() => putFileCommand("/etc/$(x)", "0644", "")).toThrow(/unsafe remote path/);
  });

  test("scripts run from a temp file with stdin detached, under sudo for non-root users", () => {
    expect(runScriptCommand("sudo -n ")).toMatch(/^sudo -n bash -c 'f=\$\(mktemp\) && cat > "\$f" && bash "\$f" < \/dev\/null; rc=\$\?; rm -f "\$f"; exit \$rc'$/);
  });

  test("input hashes go on line 2, sorted, so any input change re-runs the script", () => {
    expect(withInputHashes("#!/bin/bash\necho hi\n", { b: "2".repeat(64), a: "1".repeat(64) })).toBe(`#!/bin/bash\n# kubeha inputs: a=${"1".repeat(16)} b=${"2".repeat(16)}\necho hi\n`);
    expect(withInputHashes("#!/bin/bash\n", {})).toBe("#!/bin/bash\n");
  });
});
