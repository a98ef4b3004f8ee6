// Offline mode (seed 003 shape): each node gets, file by file, only the artifacts it uses.
import { fakeArtifactDir } from "../fixtures/artifacts";
import { runFresh } from "../fixtures/isolated";
import type { ProgramRun } from "../fixtures/mockProgram";
import { seed003, withKeys } from "../fixtures/topologies";

let run: ProgramRun;
const artifacts = fakeArtifactDir();

beforeAll(async () => {
  run = await runFresh(withKeys(seed003, { packageSource: "offline", artifactDir: artifacts.dir }));
});
afterAll(() => artifacts.remove());

/** Remote paths of the artifact copies made to one host. */
function copiedTo(host: string): string[] {
  return run
    .byType("command:remote:CopyToRemote")
    .filter((r) => r.inputs.connection.host === host && r.inputs.remotePath.startsWith("/var/lib/kubeha/artifacts/"))
    .map((r) => r.inputs.remotePath.replace("/var/lib/kubeha/artifacts/", ""))
    .sort();
}

describe("offline artifacts", () => {
  test("a master gets kubectl and the control plane's images, but not the etcd image (external etcd)", () => {
    expect(copiedTo("10.10.40.90")).toEqual([
      "bin/kubeadm",
      "bin/kubectl",
      "bin/kubelet",
      "images/coredns.tar",
      "images/flannel.tar",
      "images/kube-apiserver.tar",
      "images/kube-controller-manager.tar",
      "images/kube-proxy.tar",
      "images/kube-scheduler.tar",
      "images/pause.tar",
    ]);
  });

  test("a worker gets neither kubectl nor the control plane's images", () => {
    expect(copiedTo("10.10.40.93")).toEqual(["bin/kubeadm", "bin/kubelet", "images/coredns.tar", "images/flannel.tar", "images/kube-proxy.tar", "images/pause.tar"]);
  });

  test("the install step waits for every copy and installs exactly what was copied", () => {
    const install = run.resources.find((r) => /^kubeha-pool-.*-kubernetes$/.test(r.name) && r.inputs.connection.host === "10.10.40.93")!;
    const copies = run.byType("command:remote:CopyToRemote").filter((r) => r.inputs.connection.host === "10.10.40.93" && r.name.includes("-artifact-"));
    for (const copy of copies) expect(run.waitsFor(install.name, copy.name)).toBe(true);
    expect(install.inputs.stdin).toContain('TOOLS="kubeadm kubelet"');
    expect(install.inputs.stdin).toContain('IMAGES="coredns.tar flannel.tar kube-proxy.tar pause.tar"');
  });
});
