// The in-place upgrade check's pure parts (tests/fixtures/upgrade.ts): what counts as an effect on
// a host, and which preview steps an upgrade may take.
import { disallowedSteps, hostStateChanges, HostState } from "../fixtures/upgrade";

const state = (files: Record<string, string>, processes: Record<string, string> = { kubelet: "100 5000" }): HostState => ({ files: { m1: files }, processes: { m1: processes } });
const NEW_UNIT = /^\/etc\/systemd\/system\/kubeha-new\.service$/;

test("a restarted process, a rewritten or removed file, and an unexpected new file are changes", () => {
  const before = state({ "/etc/nginx/nginx.conf": "aa", "/etc/etcd/x": "bb" });
  const after = state({ "/etc/nginx/nginx.conf": "cc", "/etc/other": "dd" }, { kubelet: "101 6000" });
  expect(hostStateChanges(before, after, [NEW_UNIT])).toEqual([
    "m1: process kubelet: 100 5000 -> 101 6000",
    "m1: file /etc/nginx/nginx.conf: aa -> cc",
    "m1: file /etc/etcd/x: bb -> (none)",
    "m1: file /etc/other: (none) -> dd",
  ]);
});

test("a file of the expected new ones that was absent is no change; the same file rewritten still is", () => {
  expect(hostStateChanges(state({}), state({ "/etc/systemd/system/kubeha-new.service": "aa" }), [NEW_UNIT])).toEqual([]);
  expect(hostStateChanges(state({ "/etc/systemd/system/kubeha-new.service": "aa" }), state({ "/etc/systemd/system/kubeha-new.service": "bb" }), [NEW_UNIT])).toEqual([
    "m1: file /etc/systemd/system/kubeha-new.service: aa -> bb",
  ]);
});

test("an upgrade may update anything and create kubeha components, never replace or delete, nor create another command", () => {
  const urn = (type: string, name: string) => `urn:pulumi:lab::kubeha::kubeha:controlPlane:ControlPlane$${type}::${name}`;
  const steps = [
    { op: "update", urn: urn("command:remote:Command", "kubeha-cp-m1-kubeadm-join") },
    { op: "create", urn: urn("kubeha:etcd:EtcdCluster", "kubeha-etcd") },
    { op: "replace", urn: urn("command:remote:Command", "kubeha-cp-m1-kubeadm-init") },
    { op: "create", urn: urn("command:remote:Command", "kubeha-cp-m1-something-new") },
  ];
  expect(disallowedSteps(steps)).toEqual(["replace command:remote:Command kubeha-cp-m1-kubeadm-init", "create command:remote:Command kubeha-cp-m1-something-new"]);
});
